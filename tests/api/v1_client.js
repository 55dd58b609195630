// Drives the published Node.js v1 client, instagram-node, unchanged, against a live filmroll:
// only its host and port are filmroll's, and its HTTPS agent trusts the test certificate.
// Reads what to call from FILMROLL_V1 (JSON) and prints one JSON object: each call's error
// (its message, error_type and code) or result, for the Python test to check.
'use strict';
const fs = require('fs');
const https = require('https');
const { URL } = require('url');
const instagram = require('instagram-node');

const config = JSON.parse(process.env.FILMROLL_V1);
const base = new URL(config.base);
const agent = new https.Agent({ ca: fs.readFileSync(config.ca) });

function client(auth) {
  const api = instagram.instagram({ host: `https://${base.hostname}`, port: Number(base.port), agent });
  api.use(auth);
  return api;
}

// One call: resolves to {error} or {result, pagination}, never rejects.
function call(api, name, ...args) {
  return new Promise((resolve) => {
    api[name](...args, (err, result, pagination) => {
      if (err) {
        resolve({ error: { message: err.message, error_type: err.error_type || null, code: err.code || null } });
      } else {
        resolve({ result: result === undefined ? null : result, pagination: pagination && typeof pagination === 'object' ? pagination : null });
      }
    });
  });
}

async function main() {
  const user = client({ access_token: config.token });
  const app = client({ client_id: config.client_id, client_secret: config.client_secret });
  const out = {};
  out.user = await call(user, 'user', config.ana);
  out.user_media_recent = await call(user, 'user_media_recent', config.ana, { count: 1 });
  if (out.user_media_recent.pagination && out.user_media_recent.pagination.next) {
    out.user_media_recent_next = await new Promise((resolve) => {
      out.user_media_recent.pagination.next((err, result) => resolve(err ? { error: { message: err.message } } : { result }));
    });
    delete out.user_media_recent.pagination.next;
  }
  out.media = await call(user, 'media', config.photo);
  out.media_shortcode = await call(user, 'media_shortcode', config.code);
  out.media_comments = await call(user, 'comments', config.photo);
  out.media_likes = await call(user, 'likes', config.photo);
  out.tag = await call(user, 'tag', 'sunset');
  out.tag_media_recent = await call(user, 'tag_media_recent', 'sunset');
  out.location = await call(user, 'location', config.place);
  out.location_media_recent = await call(user, 'location_media_recent', config.place);
  out.media_search = await call(user, 'media_search', config.lat, config.lng, { distance: 1000 });
  out.user_follows = await call(user, 'user_follows', 'self');
  out.user_relationship = await call(user, 'user_relationship', config.ana);
  out.del_like = await call(user, 'del_like', config.photo);
  out.likes_after_del = await call(user, 'likes', config.photo);
  out.add_like = await call(user, 'add_like', config.photo);
  out.likes_after_add = await call(user, 'likes', config.photo);
  out.add_comment = await call(user, 'add_comment', config.photo, 'Seen from node');
  out.comments_after_add = await call(user, 'comments', config.photo);
  // never private, never what a block hides
  out.private_media = await call(user, 'media', config.hidden);
  out.private_recent = await call(user, 'user_media_recent', config.cy);
  out.private_like = await call(user, 'add_like', config.hidden);
  out.blocked_media = await call(client({ access_token: config.blocked_token }), 'media', config.photo);
  // an app alone, with its client credentials (instagram-node sends both)
  out.app_user = await call(app, 'user', config.ana);
  out.app_media = await call(app, 'media', config.photo);
  out.app_private_media = await call(app, 'media', config.hidden);
  out.app_like = await call(app, 'add_like', config.photo);
  out.oembed = await call(app, 'oembed', `${config.base}/p/${config.code}/`);
  out.oembed_private = await call(app, 'oembed', `${config.base}/p/${config.hidden_code}/`);
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err));
  process.exit(1);
});
