// In-place likes, saves and comments, and more of every list as you scroll. Every form and link works
// without this file: it only saves the page reload. The server answers a request marked
// X-Requested-With: fetch with the changed piece of the page instead of a redirect.

const csrf = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
const here = () => location.pathname + location.search;

// The address a form posts to. Not `form.action`: a field named "action" (the unlike form has
// one) takes that name over.
const target = (form) => form.getAttribute("action") || location.pathname;

// Thrown when the server says to log in first: the whole page has gone there already.
class LoggingIn extends Error {}

async function send(form) {
  const answer = await fetch(target(form), {
    method: "POST",
    body: new FormData(form),
    headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrf() },
    credentials: "same-origin",
  });
  if (answer.status === 401) {
    // not signed in: log in, then come back to this page (never to the POST-only address)
    location.assign(answer.headers.get("X-Log-In") || `/accounts/login/?next=${encodeURIComponent(here())}`);
    throw new LoggingIn();
  }
  if (!answer.ok || answer.redirected) throw new Error(`${answer.status}`);
  return answer;
}

function fragment(html) {
  const holder = document.createElement("div");
  holder.innerHTML = html;
  return holder;
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches("form.like-form, form.save-form, form.comment-form")) return;
  event.preventDefault();
  try {
    // the answer is the photo's card as it now stands: the like, the save, the new comment, the
    // counts
    const card = fragment(await (await send(form)).text()).firstElementChild;
    const old = form.closest("article");
    const typing = form.matches(".comment-form");
    const shown = old.querySelector(".album .strip")?.scrollLeft; // an album stays on its photo
    old.replaceWith(card);
    if (shown) card.querySelector(".album .strip")?.scrollTo({ left: shown });
    if (typing) card.querySelector(".comment-form input[name=text]")?.focus();
  } catch (error) {
    if (!(error instanceof LoggingIn)) form.submit(); // let the server answer the plain way
  }
});

// Lists go on: a "load more" link (rel=next, data-list naming the list) fetches the next page's
// items alone and appends them, when clicked or when it scrolls into view. Without this file
// the link opens the next page.
async function loadMore(link) {
  if (link.dataset.loading) return;
  link.dataset.loading = "1";
  const answer = await fetch(link.href, { headers: { "X-Requested-With": "fetch" } });
  if (!answer.ok || answer.redirected) { delete link.dataset.loading; return; }
  const page = fragment(await answer.text());
  const next = page.querySelector(".more");
  next?.remove();
  const list = document.getElementById(link.dataset.list);
  for (const item of [...page.children]) {
    if (!item.id || !document.getElementById(item.id)) list.append(item); // never twice
  }
  const old = link.closest(".more") || link;
  if (next) {
    old.replaceWith(next);
    watch(next.querySelector("a[rel=next]"));
  } else {
    old.remove();
  }
}
const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    observer.unobserve(entry.target);
    loadMore(entry.target);
  }
});
function watch(link) {
  if (!link?.dataset.list) return;
  observer.observe(link);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    observer.unobserve(link);
    loadMore(link);
  });
}
document.querySelectorAll("a[rel=next][data-list]").forEach(watch);

// Upload: once a photo is chosen, show it under every filter. Made here, from the same tables
// the server applies (grain left out), so the photo is uploaded once: when it is posted.
const chosen = document.querySelector("#upload-form input[type=file]");
const recipes = JSON.parse(document.getElementById("filter-recipes")?.textContent || "{}");
const SIDE = 160;
const at = (c) => Math.max(0, Math.min(255, Math.round(c)));

function filtered(recipe, source) {
  const { width, height } = source;
  const out = new ImageData(new Uint8ClampedArray(source.data), width, height);
  const d = out.data;
  const { lut, saturation, mono, tint, vignette, glow } = recipe;
  const dark = recipe.vignette_colour || [0, 0, 0];
  const light = recipe.glow_colour || [255, 255, 255];
  for (let i = 0; i < d.length; i += 4) {
    let [r, g, b] = [d[i], d[i + 1], d[i + 2]];
    const grey = 0.299 * r + 0.587 * g + 0.114 * b;
    if (mono) r = g = b = grey;
    else if (saturation !== 1) [r, g, b] = [r, g, b].map((c) => grey + (c - grey) * saturation);
    if (lut.length) [r, g, b] = [lut[at(r)], lut[256 + at(g)], lut[512 + at(b)]];
    [r, g, b] = [r + tint[0], g + tint[1], b + tint[2]];
    if (vignette || glow) {
      // as the server's gradient: 0 in the centre, 1 in the corners, stretched to the photo
      const p = i / 4;
      const dx = ((p % width) - width / 2) / (width / 2);
      const dy = (Math.floor(p / width) - height / 2) / (height / 2);
      const t = Math.min(1, Math.hypot(dx, dy) / Math.SQRT2);
      if (glow) {
        const lift = glow * (1 - t) * (1 - t);
        [r, g, b] = [r, g, b].map((c, k) => 255 - ((255 - at(c)) * (255 - light[k] * lift)) / 255);
      }
      if (vignette) [r, g, b] = [r, g, b].map((c, k) => c * (1 - (vignette * t * t * (255 - dark[k])) / 255));
    }
    [d[i], d[i + 1], d[i + 2]] = [r, g, b];
  }
  return out;
}

// Lux as the server does it: stretch the tones past the darkest and lightest half-percent,
// then a mild gamma towards a middle grey (edits.lux).
function luxed(source) {
  const d = source.data;
  const histogram = new Array(256).fill(0);
  for (let i = 0; i < d.length; i += 4) histogram[at(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2])]++;
  const total = d.length / 4;
  let [seen, low, high] = [0, 0, 255];
  for (let v = 0; v < 256; v++) if ((seen += histogram[v]) > total * 0.005) { low = v; break; }
  seen = 0;
  for (let v = 255; v >= 0; v--) if ((seen += histogram[v]) > total * 0.005) { high = v; break; }
  if (high - low < 160) {
    const middle = (high + low) / 2;
    [low, high] = [Math.max(0, middle - 80), Math.min(255, middle + 80)];
  }
  const stretched = (v) => Math.min(1, Math.max(0, (v - low) / (high - low)));
  const mean = histogram.reduce((sum, count, v) => sum + count * stretched(v), 0) / total;
  const exponent = mean > 0.02 && mean < 0.98 ? Math.min(1.4, Math.max(0.7, Math.sqrt(Math.log(0.46) / Math.log(mean)))) : 1;
  const table = Array.from({ length: 256 }, (_, v) => at(255 * stretched(v) ** exponent));
  for (let i = 0; i < d.length; i += 4) [d[i], d[i + 1], d[i + 2]] = [table[d[i]], table[d[i + 1]], table[d[i + 2]]];
  return source;
}

// Upload: the photo as it will be posted, with the filter at its strength and the tools on.
// An approximation on a small canvas; the server applies the real thing.
const EDIT = 320;
const form = document.getElementById("upload-form");
const preview = document.getElementById("edit-preview");
const control = (name) => form?.elements.namedItem(name);
let picture = null; // the chosen photo, decoded

function blurOutside(canvas, ctx) {
  const { width, height } = canvas;
  const shorter = Math.min(width, height);
  const blurred = document.createElement("canvas");
  [blurred.width, blurred.height] = [width, height];
  const b = blurred.getContext("2d");
  b.filter = `blur(${Math.max(1.5, shorter * 0.012)}px)`;
  b.drawImage(canvas, 0, 0);
  b.filter = "none";
  const [x, y] = [control("tilt_x").value * width, control("tilt_y").value * height];
  const size = Number(control("tilt_size").value);
  const inner = (size / 2) * shorter;
  const reach = inner + Math.max(0.12, size / 2) * shorter;
  b.globalCompositeOperation = "destination-out"; // the focus cut out of the blurred copy
  let focus;
  if (control("tilt_shift").value === "radial") {
    focus = b.createRadialGradient(x, y, 0, x, y, reach);
    focus.addColorStop(inner / reach, "#000");
    focus.addColorStop(1, "rgba(0,0,0,0)");
  } else {
    b.translate(x, y);
    b.rotate((-Number(control("tilt_angle").value) * Math.PI) / 180);
    focus = b.createLinearGradient(0, -reach, 0, reach);
    focus.addColorStop(0, "rgba(0,0,0,0)");
    focus.addColorStop((reach - inner) / (2 * reach), "#000");
    focus.addColorStop((reach + inner) / (2 * reach), "#000");
    focus.addColorStop(1, "rgba(0,0,0,0)");
  }
  b.fillStyle = focus;
  b.fillRect(-2 * (width + height), -2 * (width + height), 4 * (width + height), 4 * (width + height));
  ctx.drawImage(blurred, 0, 0);
}

function drawFrame(ctx, frame, width, height) {
  const edge = Math.max(1, Math.round(frame.width * Math.min(width, height)));
  const colour = `rgb(${frame.colour.join(",")})`;
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.rect(0, 0, width, height);
  if (frame.style === "rounded") ctx.roundRect(edge, edge, width - 2 * edge, height - 2 * edge, edge * 2);
  else ctx.rect(edge, edge, width - 2 * edge, height - 2 * edge);
  ctx.fill("evenodd");
  if (frame.style === "film" && edge >= 4) {
    ctx.fillStyle = frame.colour.reduce((a, c) => a + c, 0) > 384 ? "rgb(40,36,32)" : "rgb(232,228,218)";
    const [w, h] = [Math.max(2, Math.round(edge * 0.6)), Math.max(2, Math.round(edge * 0.45))];
    const top = Math.floor((edge - h) / 2);
    for (let x = edge; x < width - edge - w; x += Math.round(edge * 1.5)) {
      ctx.fillRect(x, top, w, h);
      ctx.fillRect(x, height - edge + top, w, h);
    }
  }
}

function drawEdited() {
  if (!preview || !picture) return;
  const rotate = Number(control("rotate").value) || 0;
  const turned = rotate === 90 || rotate === 270;
  const [w, h] = turned ? [picture.height, picture.width] : [picture.width, picture.height];
  const named = { square: 1, "4:5": 0.8, "1.91:1": 1.91 }[control("crop").value];
  const ratio = Math.min(1.91, Math.max(0.8, named ?? w / h)); // the server's aspect limits
  const [keepW, keepH] = w / h > ratio ? [h * ratio, h] : [w, w / ratio];
  const scale = EDIT / Math.max(keepW, keepH);
  [preview.width, preview.height] = [Math.round(keepW * scale), Math.round(keepH * scale)];
  const ctx = preview.getContext("2d", { willReadFrequently: true });
  ctx.save();
  ctx.translate(preview.width / 2, preview.height / 2);
  ctx.rotate((rotate * Math.PI) / 180); // clockwise, as the server turns it
  ctx.drawImage(picture, (-picture.width * scale) / 2, (-picture.height * scale) / 2, picture.width * scale, picture.height * scale);
  ctx.restore();
  let pixels = ctx.getImageData(0, 0, preview.width, preview.height);
  if (control("lux").checked) pixels = luxed(pixels);
  const name = form.querySelector("input[name=filter]:checked")?.value || "normal";
  const recipe = recipes[name];
  const strength = Number(control("filter_strength").value) / 100;
  if (recipe && strength > 0) {
    const look = filtered(recipe, pixels);
    for (let i = 0; i < look.data.length; i++) look.data[i] = pixels.data[i] + (look.data[i] - pixels.data[i]) * strength;
    pixels = look;
  }
  ctx.putImageData(pixels, 0, 0);
  if (control("tilt_shift").value) blurOutside(preview, ctx);
  if (control("border").checked && recipe) drawFrame(ctx, recipe.frame, preview.width, preview.height);
}

function showTools() {
  const focus = document.getElementById("tilt-focus");
  if (focus) focus.hidden = !control("tilt_shift")?.value;
  const shown = document.getElementById("strength-value");
  if (shown) shown.value = control("filter_strength").value;
  const angle = document.getElementById("tilt-angle");
  if (angle) angle.hidden = control("tilt_shift").value !== "linear";
  drawEdited();
}
if (preview) {
  form.addEventListener("input", (event) => event.target.closest("#tools, .filters") && showTools());
  preview.addEventListener("click", (event) => {
    // a tap sets where tilt-shift keeps the photo sharp
    if (!control("tilt_shift").value) return;
    control("tilt_x").value = (event.offsetX / preview.clientWidth).toFixed(2);
    control("tilt_y").value = (event.offsetY / preview.clientHeight).toFixed(2);
    drawEdited();
  });
  showTools();
}

chosen?.addEventListener("change", async () => {
  const file = chosen.files[0];
  if (!file || !file.type.startsWith("image/")) return; // the post itself says what is wrong
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return;
  }
  document.getElementById("upload-error")?.remove(); // a photo that opens: the old error is past
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SIDE;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const crop = Math.min(bitmap.width, bitmap.height);
  ctx.drawImage(bitmap, (bitmap.width - crop) / 2, (bitmap.height - crop) / 2, crop, crop, 0, 0, SIDE, SIDE);
  const source = ctx.getImageData(0, 0, SIDE, SIDE);
  document.querySelectorAll("img.preview").forEach((img) => {
    const recipe = recipes[img.dataset.filter];
    if (!recipe) return;
    ctx.putImageData(filtered(recipe, source), 0, 0);
    img.src = canvas.toDataURL("image/jpeg", 0.8);
  });
  picture = bitmap;
  if (preview) preview.hidden = false;
  drawEdited();
});

// Upload: suggest #tags and @people for the word being typed in the caption.
const caption = document.querySelector("#upload-form textarea[name=caption]");
const list = document.getElementById("suggestions");
caption?.addEventListener("input", async () => {
  const before = caption.value.slice(0, caption.selectionStart);
  const word = before.split(/\s/).pop();
  list.replaceChildren();
  if (!/^[#@]\S+$/.test(word)) return;
  const answer = await fetch(`/upload/suggest?q=${encodeURIComponent(word)}`);
  if (!answer.ok) return;
  for (const suggestion of (await answer.json()).suggestions) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = suggestion;
    button.addEventListener("click", () => {
      const start = before.length - word.length;
      caption.value = caption.value.slice(0, start) + suggestion + " " + caption.value.slice(before.length);
      list.replaceChildren();
      caption.focus();
    });
    item.append(button);
    list.append(item);
  }
});

// Upload: places near the typed point, to pick instead of making a new one.
const pick = document.getElementById("location_id");
async function nearbyPlaces() {
  const lat = document.getElementById("lat").value;
  const lng = document.getElementById("lng").value;
  if (!lat || !lng) return;
  const answer = await fetch(`/upload/places?lat=${encodeURIComponent(lat)}&lng=${encodeURIComponent(lng)}`);
  if (!answer.ok) return;
  const { places } = await answer.json();
  pick.replaceChildren(new Option("a new place (the name above)", ""));
  for (const place of places) pick.append(new Option(place.name, place.id));
  pick.closest("label").hidden = places.length === 0;
}
document.getElementById("lat")?.addEventListener("change", nearbyPlaces);
document.getElementById("lng")?.addEventListener("change", nearbyPlaces);

// People in photos (upload and edit): click where someone is, type their name, and the people
// field gets "name(x,y)" (from the left and the top, 0 to 1). Without this file the field is
// typed by hand; the server reads it the same way (web/in_photo.py).
const tagger = document.querySelector("figure.tagger");
const peopleField = document.getElementById("people");
const PERSON = /@?([A-Za-z0-9._]{1,30})(?:\(\s*([0-9.]+)\s*,\s*([0-9.]+)\s*\))?/g;

function drawMarks() {
  const marks = tagger.querySelector(".tag-marks");
  marks.replaceChildren();
  for (const [, name, x, y] of peopleField.value.matchAll(PERSON)) {
    const mark = document.createElement("li");
    mark.textContent = name;
    mark.style.left = `${(x === undefined ? 0.5 : Number(x)) * 100}%`;
    mark.style.top = `${(y === undefined ? 0.5 : Number(y)) * 100}%`;
    marks.append(mark);
  }
}

if (tagger && peopleField) {
  const image = tagger.querySelector("img");
  const ask = tagger.querySelector(".tag-ask");
  const who = document.getElementById("tag-name");
  const names = document.getElementById("tag-names");
  let point = null;
  if (image.getAttribute("src")) tagger.hidden = false; // the edit page: the photo is there
  image.addEventListener("click", (event) => {
    const box = image.getBoundingClientRect();
    const at = (v) => Math.min(1, Math.max(0, v)).toFixed(2);
    point = [at((event.clientX - box.left) / box.width), at((event.clientY - box.top) / box.height)];
    ask.style.left = `${point[0] * 100}%`;
    ask.style.top = `${point[1] * 100}%`;
    ask.hidden = false;
    who.value = "";
    who.focus();
  });
  who.addEventListener("input", async () => {
    if (!who.value.trim()) return;
    const answer = await fetch(`/upload/suggest?q=${encodeURIComponent("@" + who.value.trim().replace(/^@/, ""))}`);
    if (!answer.ok) return;
    names.replaceChildren(...(await answer.json()).suggestions.map((s) => new Option(s.slice(1))));
  });
  const add = () => {
    const name = who.value.trim().replace(/^@/, "").toLowerCase();
    if (!point || !/^[a-z0-9._]{1,30}$/.test(name)) return;
    const others = [...peopleField.value.matchAll(PERSON)].filter((m) => m[1].toLowerCase() !== name);
    peopleField.value = [...others.map((m) => m[0]), `${name}(${point[0]},${point[1]})`].join(" ");
    ask.hidden = true;
    drawMarks();
  };
  document.getElementById("tag-add").addEventListener("click", add);
  who.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); add(); }
    if (event.key === "Escape") ask.hidden = true;
  });
  peopleField.addEventListener("input", drawMarks);
  drawMarks();
  // Upload: the chosen photo, cropped as the server crops it (4:5 to 1.91:1), to click on.
  chosen?.addEventListener("change", async () => {
    const file = chosen.files[0];
    if (!file || !file.type.startsWith("image/")) return;
    let bitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      return;
    }
    const ratio = Math.min(1.91, Math.max(0.8, bitmap.width / bitmap.height));
    const [w, h] = bitmap.width / bitmap.height > ratio
      ? [bitmap.height * ratio, bitmap.height] : [bitmap.width, bitmap.width / ratio];
    const canvas = document.createElement("canvas");
    canvas.width = 480;
    canvas.height = Math.round(480 / ratio);
    canvas.getContext("2d").drawImage(bitmap, (bitmap.width - w) / 2, (bitmap.height - h) / 2, w, h,
      0, 0, canvas.width, canvas.height);
    image.src = canvas.toDataURL("image/jpeg", 0.85);
    tagger.hidden = false;
  });
}

// Albums: the arrows move the strip a photo at a time, and where one is (the count, the dots,
// which arrows apply) follows the strip however it moved: an arrow, a swipe, a key. Without
// this file the strip still swipes and scrolls (CSS scroll-snap) and the arrows stay hidden.
document.documentElement.classList.add("scripted");

const albumAt = (strip) => Math.round(strip.scrollLeft / Math.max(1, strip.clientWidth));

function showWhere(strip) {
  const album = strip.closest(".album");
  const slides = strip.querySelectorAll(".slide");
  const at = Math.min(slides.length - 1, Math.max(0, albumAt(strip)));
  const count = album.querySelector(".album-count");
  const label = slides[at].getAttribute("aria-label");
  if (count.textContent !== label) count.textContent = label; // the server's words
  album.querySelectorAll(".dot").forEach((dot, i) => dot.classList.toggle("on", i === at));
  album.querySelector(".album-prev").setAttribute("aria-disabled", String(at === 0));
  album.querySelector(".album-next").setAttribute("aria-disabled", String(at === slides.length - 1));
}

document.addEventListener("click", (event) => {
  const button = event.target.closest?.(".album-nav");
  if (!button || button.getAttribute("aria-disabled") === "true") return;
  const strip = button.closest(".album").querySelector(".strip");
  const step = button.matches(".album-next") ? 1 : -1;
  strip.scrollTo({ left: (albumAt(strip) + step) * strip.clientWidth, behavior: "smooth" });
});

// scroll events do not bubble: caught on their way down
document.addEventListener("scroll", (event) => {
  if (event.target instanceof Element && event.target.matches(".album .strip")) showWhere(event.target);
}, { capture: true, passive: true });
