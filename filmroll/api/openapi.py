"""The OpenAPI 3 description of the v1 API, built from one table of operations: each tagged,
with its OAuth 2 security requirement (the scope its view enforces, and the app's client_id
where v1 allowed a public read without a user) and examples. The test suite runs schemathesis
against it and holds it to the URL conf and the views' declared scopes, so it must say what
the API really does."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings

from filmroll import __version__
from filmroll.activity.events import KINDS
from filmroll.api import scopes
from filmroll.api.schemas import (
    FLAG,
    NULLABLE_TEXT,
    SCHEMAS,
    TEXT,
    TIME,
    WORDS,
    _list,
    _obj,
    _ref,
    _words,
    example_of,
)
from filmroll.places import grid

# --- parameters ---------------------------------------------------------------------------


def _query(name: str, schema: dict, required: bool = False, about: str = "") -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": about}  # fmt: skip


COUNT = _query(
    "count",
    {"type": "integer", "minimum": 1, "maximum": 999_999_999},
    about="at most 100 are returned",
)
CURSOR = {"type": "string", "pattern": "^[0-9]{0,19}$"}
PAGED = [COUNT, _query("max_id", CURSOR), _query("min_id", CURSOR)]
UNIX_TIME = {"type": "integer", "minimum": 0, "maximum": 2**34 - 1}
WINDOW = [
    _query("min_timestamp", UNIX_TIME, about="Unix seconds: nothing posted earlier"),
    _query("max_timestamp", UNIX_TIME, about="Unix seconds: nothing posted later"),
]
LAT = {"type": "number", "minimum": -90, "maximum": 90}
LNG = {"type": "number", "minimum": -180, "maximum": 180}
DISTANCE = {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": 5000}
# `distance=` is the same as no distance: the default radius
RADIUS = {**_query("distance", DISTANCE), "allowEmptyValue": True}
NEAR = [_query("lat", LAT, True), _query("lng", LNG, True), RADIUS]
CLIENT = {"client_id": TEXT, "client_secret": TEXT}
# the Photo Map's view: a box (GeoJSON's order; west > east crosses the ±180° meridian) and a zoom
MAP_BOX = {
    **_query(
        "bbox",
        {"type": "string", "pattern": grid.BOX.pattern},
        about="minLng,minLat,maxLng,maxLat in decimal degrees; empty or not given: the whole world",
    ),
    "allowEmptyValue": True,
}
MAP_ZOOM = {
    **_query(
        "zoom",
        {"type": "integer", "minimum": 0, "maximum": grid.MAX_ZOOM},
        about="the map's zoom (0, the default: the world in one 256-pixel tile); clusters are about"
        " 64 pixels across",
    ),
    "allowEmptyValue": True,
}
PATH_PARAMS: dict[str, dict[str, Any]] = {
    "user_id": {"type": "string", "pattern": "^(self|[0-9]{1,19})$"},
    "media_id": {"type": "string", "pattern": "^[0-9]{1,19}$"},
    "comment_id": {"type": "string", "pattern": "^[0-9]{1,19}$"},
    "location_id": {"type": "string", "pattern": "^[0-9]{1,19}$"},
    "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,20}$"},
    "geo_id": {"type": "string", "pattern": "^[0-9]{1,18}$"},
    # letters, digits or _ of any script (JSON Schema's ASCII-only \w cannot say so), at most
    # 100, case-blind; a leading # is ignored
    "name": {"type": "string", "minLength": 1, "maxLength": 101},
}

# --- operations ---------------------------------------------------------------------------
# (path, method, summary, scope or None for no token, query parameters, body fields, data)
# `scopes.FIRST_PARTY` marks what only filmroll's own log-in may do.
SELF_OR_PUBLIC = scopes.OWN_OR_PUBLIC
MEDIA, MEDIA_LIST = _ref("Media"), _list(_ref("Media"))
# people in a photo, as JSON text (a form field) or, in a JSON body, the list itself: each
# {"user_id": "…" or "username": "…", "x": 0..1, "y": 0..1}, at most 20
PEOPLE = {
    **TEXT,
    "description": 'JSON: [{"user_id": "123", "x": 0.3, "y": 0.6}] or'
    ' [{"username": "bo", "x": 0.3, "y": 0.6}]; x from the left, y from the top, 0 to 1;'
    " at most 20 people; on edit the whole list (anyone left out is untagged)",
}
USERS = _list(_ref("User"))
EXPORT = _obj(
    {"state": {"type": "string", "enum": ["none", "building", "ready", "expired"]}},
    {"requested": TIME, "expires": TIME, "next_allowed": TIME,
     "size": {"type": "integer", "nullable": True}, "url": NULLABLE_TEXT},
)  # fmt: skip
OPERATIONS: list[tuple] = [
    ("/accounts/signup", "post", "Sign up", None, [],
     {"username": {"type": "string", "pattern": "^[a-z0-9._]{1,30}$"}, "password": WORDS,
      "email": WORDS, "full_name": TEXT}, _ref("SignedIn")),
    ("/accounts/login", "post", "Log in (or, with two-factor log-in on, get its challenge)",
     None, [], {"username": WORDS, "password": WORDS}, _ref("LogIn")),
    ("/accounts/login/two_factor", "post",
     "Log in, second step: the challenge and a code (or a security key's credential)", None,
     [], {"challenge": WORDS, "code": TEXT, "credential": {"type": "object"}},
     _ref("SignedIn")),
    ("/accounts/logout", "post", "Revoke this token", "any", [], None, None),
    ("/accounts/password", "post", "Change the password (revokes every token)",
     scopes.FIRST_PARTY, [], {"old_password": WORDS, "new_password": WORDS}, _ref("SignedIn")),
    ("/users/self", "get", "The signed-in user", scopes.BASIC, [], None, _ref("User")),
    ("/users/self", "post", "Edit the profile", scopes.FIRST_PARTY, [],
     {"full_name": NULLABLE_TEXT, "bio": NULLABLE_TEXT, "website": NULLABLE_TEXT,
      "is_private": FLAG},
     _ref("User")),
    ("/users/self/two_factor", "get", "Two-factor log-in: what is on", scopes.FIRST_PARTY, [],
     None, _ref("TwoFactor")),
    ("/users/self/two_factor/totp", "post",
     "Set up an authenticator app: a new secret, on once a code confirms it", scopes.FIRST_PARTY,
     [], None, _ref("TotpSecret")),
    ("/users/self/two_factor/totp/confirm", "post",
     "Confirm the authenticator app with a code (the first time: the recovery codes)",
     scopes.FIRST_PARTY, [], {"code": WORDS}, _ref("TwoFactor")),
    ("/users/self/two_factor/disable", "post", "Turn two-factor log-in off (needs the password)",
     scopes.FIRST_PARTY, [], {"password": WORDS}, _ref("TwoFactor")),
    ("/users/self/two_factor/recovery_codes", "post",
     "New recovery codes, the old ones end (needs the password)", scopes.FIRST_PARTY, [],
     {"password": WORDS}, _ref("TwoFactor")),
    ("/users/self", "delete",
     "Delete your account: gone at once, removed for good after the grace period (logging in"
     " before then restores it)", scopes.FIRST_PARTY, [], {"password": WORDS, "code": TEXT},
     _obj({"delete_after": TIME})),
    ("/users/self/export", "get", "Your data archive: how it stands, and its link once built",
     scopes.FIRST_PARTY, [], None, EXPORT),
    ("/users/self/export", "post", "Ask for an archive of your data (one a day)",
     scopes.FIRST_PARTY, [], None, EXPORT),
    ("/users/self/feed", "get", "Home feed", scopes.BASIC, PAGED, None, MEDIA_LIST),
    ("/users/self/media/liked", "get", "Photos the user liked", scopes.BASIC,
     [COUNT, _query("max_like_id", CURSOR)], None, MEDIA_LIST),
    ("/users/self/media/saved", "get",
     "Your private Saved list, newest saved first (photos you may no longer see left out)",
     scopes.BASIC, [COUNT, _query("max_id", CURSOR)], None, MEDIA_LIST),
    ("/users/self/requested-by", "get", "Follow requests", scopes.FOLLOWERS,
     [COUNT, _query("cursor", CURSOR)], None,
     _list(_ref("User"))),
    ("/users/self/activity", "get", "Activity (notifications)", scopes.BASIC,
     [COUNT, _query("max_id", CURSOR)], None, _list(_ref("Activity"))),
    ("/users/self/activity/following", "get", "What the people you follow did, grouped",
     scopes.BASIC, [COUNT, _query("max_id", CURSOR)], None, _list(_ref("FollowingActivity"))),
    ("/users/self/devices", "get", "Your devices for push notifications", scopes.FIRST_PARTY, [],
     None, _list(_ref("Device"))),
    ("/users/self/devices", "post", "Register a device (token) or a browser (subscription)",
     scopes.FIRST_PARTY, [], "device", _ref("Device")),
    ("/users/self/devices", "delete", "Forget a device", scopes.FIRST_PARTY,
     [_query("id", {"type": "string", "pattern": "^[0-9]{1,19}$"}, True)], None, None),
    ("/users/self/push", "get", "Which activity is pushed", scopes.FIRST_PARTY, [], None,
     _ref("PushPreferences")),
    ("/users/self/push", "post", "Turn kinds of push notification on or off", scopes.FIRST_PARTY,
     [], {kind: FLAG for kind in KINDS}, _ref("PushPreferences")),
    ("/push/vapid", "get", "The Web Push public key (applicationServerKey)", None, [], None,
     _obj({"public_key": TEXT})),
    ("/users/self/connections", "get", "Accounts on other networks", scopes.FIRST_PARTY, [],
     None, _list(_ref("Connection"))),
    ("/users/self/connections", "post", "Connect an account (a token the app got from it)",
     scopes.FIRST_PARTY, [],
     {"provider": {"type": "string", "enum": ["mastodon", "x", "facebook", "tumblr", "flickr"]},
      "token": WORDS, "base_url": TEXT, "target": TEXT,
      "token_secret": {**TEXT, "description": "Flickr: the OAuth 1.0a token's secret"}},
     _ref("Connection")),
    ("/users/self/connections", "delete", "Disconnect an account", scopes.FIRST_PARTY,
     [_query("provider", {"type": "string",
                          "enum": ["mastodon", "x", "facebook", "tumblr", "flickr"]}, True)],
     None, None),
    ("/users/self/suggested", "get",
     "People to follow: friends of friends by mutual follows, then popular accounts near your"
     " photos' places; each with mutual_count and reason (mutual, nearby, popular)",
     scopes.FOLLOWERS, [{**COUNT, "description": "at most 50 are returned"}], None,
     _list(_ref("SuggestedUser"))),
    ("/users/self/suggested/{user_id}", "delete", "Dismiss a suggestion (never suggested again)",
     scopes.RELATIONSHIPS, [], None, None),
    ("/users/self/suggested/{user_id}/dismiss", "post",
     "Dismiss a suggestion (never suggested again)", scopes.RELATIONSHIPS, [], None, None),
    ("/users/self/contacts/match", "post",
     "People among an address book's e-mail addresses, sent as SHA-256 hex of each address"
     " lower-cased and trimmed (at most 500 a request, 2,000 a day; past that 429)",
     scopes.FIRST_PARTY, [],
     {"hashes": {"type": "array", "maxItems": 500,
                 "items": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}},
     USERS),
    ("/users/search", "get", "Search people", scopes.PUBLIC,
     [_query("q", _words("@"), True), COUNT], None,
     _list(_ref("UserSmall"))),
    ("/users/{user_id}", "get", "A user", SELF_OR_PUBLIC, [], None, _ref("User")),
    ("/users/{user_id}/media/recent", "get", "A user's photos", SELF_OR_PUBLIC,
     [*PAGED, *WINDOW], None, MEDIA_LIST),
    ("/users/{user_id}/media/map", "get", "A user's geotagged photos as clusters for a map",
     SELF_OR_PUBLIC, [MAP_BOX, MAP_ZOOM], None, _list(_ref("MapCluster"))),
    ("/users/{user_id}/media/tagged", "get",
     'Photos a user is tagged in ("Photos of you"), each only if you may see it', SELF_OR_PUBLIC,
     PAGED, None, MEDIA_LIST),
    ("/users/{user_id}/follows", "get", "Whom a user follows", scopes.FOLLOWERS,
     [COUNT, _query("cursor", CURSOR)], None, USERS),
    ("/users/{user_id}/followed-by", "get", "A user's followers", scopes.FOLLOWERS,
     [COUNT, _query("cursor", CURSOR)], None, USERS),
    ("/users/{user_id}/relationship", "get", "The relationship with a user",
     scopes.FOLLOWERS, [], None, _ref("Relationship")),
    ("/users/{user_id}/relationship", "post",
     "Follow, unfollow, approve, ignore (or deny), block, unblock, mute, unmute",
     scopes.RELATIONSHIPS, [],
     {"action": {"type": "string", "enum": ["follow", "unfollow", "approve", "ignore", "deny",
                                            "block", "unblock", "mute", "unmute"]}},
     _ref("Relationship")),  # fmt: skip
    ("/media", "post", "Post a photo (multipart, field image) or an album (image[])",
     scopes.FIRST_PARTY, [], "multipart", MEDIA),
    ("/media/filters", "get", "The filters", None, [], None, _list(_ref("Filter"))),
    ("/media/search", "get", "Photos near a point", scopes.PUBLIC,
     [*NEAR, *WINDOW, COUNT, _query("max_id", CURSOR), _query("min_id", CURSOR)], None,
     MEDIA_LIST),  # fmt: skip
    ("/media/popular", "get", "Popular photos", scopes.PUBLIC, [COUNT], None, MEDIA_LIST),
    ("/media/{media_id}", "get", "A photo", SELF_OR_PUBLIC, [], None, MEDIA),
    ("/media/{media_id}", "post",
     "Edit a photo's caption, alt text, content warning, place or people", scopes.FIRST_PARTY,
     [], {"caption": TEXT, "alt_text": {**TEXT, "maxLength": 1500}, "sensitive": FLAG,
          "spoiler_text": {**TEXT, "maxLength": 200}, "location_id": TEXT,
          "lat": {"type": "number"},
          "lng": {"type": "number"},
      "location": {"type": "string", "enum": ["none"]}, "users_in_photo": PEOPLE}, MEDIA),  # fmt: skip
    ("/media/{media_id}/users_in_photo/self", "post",
     'Take a photo you are tagged in off your "Photos of you" tab (hidden=true; it stays '
     "tagged), or put it back (hidden=false)", scopes.FIRST_PARTY, [], {"hidden": FLAG},
     _obj({"hidden": {"type": "boolean"}})),
    ("/media/{media_id}/users_in_photo/self", "delete", "Take your own tag off a photo",
     scopes.FIRST_PARTY, [], None, None),
    ("/media/{media_id}", "delete", "Delete a photo", scopes.FIRST_PARTY, [], None, None),
    ("/media/shortcode/{code}", "get", "A photo by its shortcode", SELF_OR_PUBLIC, [], None,
     MEDIA),
    ("/media/{media_id}/likes", "get", "Who liked a photo", scopes.PUBLIC, [], None,
     _list(_ref("Liker"))),
    ("/media/{media_id}/likes", "post", "Like", scopes.LIKES, [], None, None),
    ("/media/{media_id}/likes", "delete", "Unlike", scopes.LIKES, [], None, None),
    ("/media/{media_id}/saved", "post", "Save a photo to your private Saved list",
     scopes.LIKES, [], None, None),
    ("/media/{media_id}/saved", "delete", "Take a photo off your Saved list", scopes.LIKES, [],
     None, None),
    ("/media/{media_id}/comments", "get", "Comments, oldest first (the latest `count`; next_max_id pages back)", scopes.PUBLIC,
     [COUNT, _query("max_id", CURSOR)], None, _list(_ref("Comment"))),
    ("/media/{media_id}/comments", "post", "Comment", scopes.COMMENTS, [],
     {"text": {**WORDS, "maxLength": 2200}},
     _ref("Comment")),
    ("/media/{media_id}/comments/{comment_id}", "delete", "Delete a comment", scopes.COMMENTS,
     [], None, None),
    ("/tags/search", "get", "Search tags", scopes.PUBLIC,
     [_query("q", _words("#"), True), COUNT],
     None, _list(_ref("Tag"))),
    ("/tags/{name}", "get", "A tag", scopes.PUBLIC, [], None, _ref("Tag")),
    ("/tags/{name}/media/recent", "get", "Photos with a tag", scopes.PUBLIC,
     [COUNT, _query("max_tag_id", CURSOR), _query("min_tag_id", CURSOR)], None, MEDIA_LIST),
    ("/locations", "post", "Create a place", scopes.FIRST_PARTY, [],
     {"name": WORDS, "lat": LAT, "lng": LNG, "address": NULLABLE_TEXT}, _ref("Location")),
    ("/locations/search", "get", "Places near a point or by name", scopes.PUBLIC,
     [_query("q", TEXT), _query("lat", LAT), _query("lng", LNG), RADIUS,
      COUNT], None, _list(_ref("Location"))),  # fmt: skip
    ("/locations/{location_id}", "get", "A place", scopes.PUBLIC, [], None, _ref("Location")),
    ("/locations/{location_id}/media/recent", "get", "Photos at a place", scopes.PUBLIC,
     [*PAGED, *WINDOW], None, MEDIA_LIST),
    ("/geographies/{geo_id}/media/recent", "get",
     "Photos in the area of one of the app's geography subscriptions", scopes.PUBLIC, PAGED,
     None, MEDIA_LIST),
    ("/subscriptions", "get", "An app's real-time subscriptions", None,
     [_query("client_id", TEXT, True), _query("client_secret", TEXT, True)], None,
     _list(_ref("Subscription"))),
    ("/subscriptions", "post", "Subscribe (the callback is verified first)", None, [],
     {**CLIENT, "object": {"type": "string", "enum": ["user", "tag", "location", "geography"]},
      "aspect": {"type": "string", "enum": ["media"]}, "object_id": TEXT,
      "callback_url": TEXT, "verify_token": TEXT, "lat": LAT, "lng": LNG,
      "radius": DISTANCE}, _ref("Subscription")),  # fmt: skip
    ("/subscriptions", "delete", "Unsubscribe (id=, or object=all or a kind)", None,
     [_query("client_id", TEXT, True), _query("client_secret", TEXT, True),
      _query("id", CURSOR), _query("object", {"type": "string",
             "enum": ["all", "user", "tag", "location", "geography"]})], None, None),
    ("/oembed", "get", "oEmbed of a public photo's page (not in the envelope)", None,
     [_query("url", TEXT, True, "the photo's link, https://HOST/p/SHORTCODE/"),
      _query("maxwidth", {"type": "integer", "minimum": 0, "maximum": 999999},
             about="the iframe's width, 320 to 658 (658 when not given)"),
      _query("hidecaption", TEXT), _query("omitscript", TEXT)], None, _ref("OEmbed")),
]  # fmt: skip
REQUIRED_BODY = {
    ("/accounts/signup", "post"): ["username", "password", "email"],
    ("/accounts/login", "post"): ["username", "password"],
    ("/accounts/login/two_factor", "post"): ["challenge"],
    ("/users/self/two_factor/totp/confirm", "post"): ["code"],
    ("/users/self/two_factor/disable", "post"): ["password"],
    ("/users/self/two_factor/recovery_codes", "post"): ["password"],
    ("/accounts/password", "post"): ["old_password", "new_password"],
    ("/users/self", "delete"): ["password"],
    ("/users/{user_id}/relationship", "post"): ["action"],
    ("/media/{media_id}/comments", "post"): ["text"],
    ("/media/{media_id}/users_in_photo/self", "post"): ["hidden"],
    ("/locations", "post"): ["name", "lat", "lng"],
    ("/users/self/connections", "post"): ["provider", "token"],
    ("/users/self/contacts/match", "post"): ["hashes"],
    ("/subscriptions", "post"): ["client_id", "client_secret", "object", "callback_url"],
}


# answered as they are, not in the envelope (oEmbed: also at the site's root, /oembed, where
# v1 clients look for it)
UNWRAPPED = {"/oembed"}
# GETs an app may make with its client_id alone (no user), as v1 allowed for public content
PUBLIC_READS = {
    "/users/{user_id}", "/users/{user_id}/media/recent", "/users/{user_id}/media/map",
    "/users/{user_id}/media/tagged",
    "/media/{media_id}",
    "/media/shortcode/{code}", "/media/search", "/media/popular", "/media/{media_id}/likes",
    "/media/{media_id}/comments", "/tags/{name}", "/tags/{name}/media/recent", "/tags/search",
    "/locations/{location_id}", "/locations/{location_id}/media/recent", "/locations/search",
    "/geographies/{geo_id}/media/recent",
}  # fmt: skip
TAGS = [
    ("users", "People: profiles, their photos, search"),
    ("relationships", "Follows, followers, requests, blocks"),
    ("media", "Photos: one, by shortcode, near a point, popular; posting and editing"),
    ("comments", "Comments on a photo"),
    ("likes", "Likes of a photo"),
    ("tags", "Hashtags and their photos"),
    ("locations", "Places and their photos"),
    ("geographies", "Photos in the areas of an app's geography subscriptions"),
    ("subscriptions", "Real-time subscriptions of an app"),
    ("oembed", "Embedding a public photo in another site"),
    ("accounts", "Signing up and in with filmroll's own apps"),
    ("push", "Push notifications of filmroll's own apps"),
    ("connections", "Sharing to other networks"),
]
PAGED_DATA = {"/users/self/feed", "/users/self/media/liked", "/users/self/media/saved", "/users/{user_id}/media/recent",
              "/users/{user_id}/media/tagged",
              "/tags/{name}/media/recent", "/locations/{location_id}/media/recent",
              "/media/{media_id}/comments", "/users/{user_id}/follows",
              "/users/{user_id}/followed-by"}  # fmt: skip
CREATED = {"/media", "/locations", "/accounts/signup", "/users/self/devices",
           "/users/self/connections", "/users/self/export"}  # fmt: skip
BODY_EXAMPLES = {
    ("/accounts/login", "post"): {"username": "ana", "password": "a long passphrase"},
    ("/users/self", "post"): {"bio": "Film and ferries."},
    ("/users/{user_id}/relationship", "post"): {"action": "follow"},
    ("/media/{media_id}", "post"): {
        "caption": "Evening at the pier #sunset",
        "users_in_photo": '[{"username": "bo", "x": 0.31, "y": 0.62}]',
    },
    ("/media/{media_id}/comments", "post"): {"text": "Lovely light!"},
    ("/locations", "post"): {"name": "Pier 39", "lat": 37.8087, "lng": -122.4098},
    ("/users/self/contacts/match", "post"): {
        "hashes": ["b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514"]
    },
}


def _tag(path: str) -> str:
    parts = path.strip("/").split("/")
    if parts[-1] in ("comments", "likes") or (len(parts) > 3 and parts[-2] == "comments"):
        return parts[-1] if parts[-1] in ("comments", "likes") else "comments"
    if parts[0] == "users" and parts[-1] in ("follows", "followed-by", "requested-by",
                                             "relationship"):  # fmt: skip
        return "relationships"
    if parts[:2] in (["users", "self"],) and len(parts) > 2 and parts[2] in ("devices", "push"):
        return "push"
    if parts[:3] == ["users", "self", "two_factor"]:
        return "accounts"
    if parts[:3] == ["users", "self", "connections"]:
        return "connections"
    return {"push": "push", "accounts": "accounts"}.get(parts[0], parts[0])


def security(path: str, method: str, scope: str | None) -> list[dict]:
    """The operation's security requirement: the OAuth scope its view enforces (either of two
    where the view decides by whose the thing is), any token, or none; and the app's client_id
    alone where v1 allowed that."""
    if scope is None:
        return []
    if scope == "any":
        needed: list[dict] = [{"oauth": []}]
    elif scope == scopes.OWN_OR_PUBLIC:
        needed = [{"oauth": [scopes.BASIC]}, {"oauth": [scopes.PUBLIC]}]
    else:
        needed = [{"oauth": [scope]}]
    if method == "get" and path in PUBLIC_READS:
        needed.append({"client_id": []})
    return needed


def _path_param(path: str, name: str) -> dict:
    if path == "/users/{user_id}" or path.startswith("/users/self/suggested/"):
        # /users/self is its own path (it also takes POST); a suggestion is someone else
        return {"type": "string", "pattern": "^[0-9]{1,19}$"}
    return PATH_PARAMS[name]


# The editing tools a post may ask for (filmroll/media/edits.py says what each does).
EDITING_TOOLS: dict[str, dict] = {
    "filter_strength": {"type": "integer", "minimum": 0, "maximum": 100,
                        "description": "how much of the filter, in percent (default 100)"},
    "rotate": {"type": "integer", "enum": [0, 90, 180, 270], "description": "degrees clockwise"},
    "crop": {**TEXT, "description": "of the rotated photo: `square`, a ratio `W:H` between 4:5"
             " and 1.91:1 (the largest centred box), or a box `left,top,right,bottom` in"
             " fractions 0..1; empty or `original` for none"},
    "lux": {**FLAG, "description": "one-tap auto contrast and exposure"},
    "tilt_shift": {**TEXT, "description": "`radial`, `linear`, or a JSON object {\"mode\":"
                   " \"radial\"|\"linear\", \"x\": 0..1, \"y\": 0..1, \"size\": 0.05..1,"
                   " \"angle\": -180..180}: the focus centre, its diameter or band width (of"
                   " the shorter side) and a linear band's tilt in degrees"},
    "border": {**FLAG, "description": "draw the filter's own frame"},
}  # fmt: skip


def _body(path: str, method: str, body: Any) -> dict | None:
    if body == "device":  # a token for apns and fcm, a subscription (JSON text) for webpush
        kinds = [
            {"type": "object", "additionalProperties": False, "required": ["platform", name],
             "properties": {"platform": {"type": "string", "enum": platforms}, name: value}}
            for platforms, name, value in ((["apns", "fcm"], "token", WORDS),
                                           (["webpush"], "subscription", TEXT))
        ]  # fmt: skip
        return {"required": True, "content": {"application/json": {"schema": {"oneOf": kinds}}}}
    if body == "multipart":
        fields = {"image": {"type": "string", "format": "binary"}, "caption": TEXT,
                  "alt_text": {**TEXT, "maxLength": 1500}, "sensitive": FLAG,
                  "spoiler_text": {**TEXT, "maxLength": 200},
                  "filter": {**TEXT, "description": "a filter's name or display name"},
                  "lat": LAT, "lng": LNG, "location_id": TEXT, "share_to": TEXT,
                  "users_in_photo": PEOPLE, **EDITING_TOOLS}  # fmt: skip
        binary = {"type": "string", "format": "binary"}
        fields |= {
            "image[]": {"type": "array", "items": binary, "maxItems": 10,
                        "description": "an album (a carousel post) instead of image: 2 to 10"
                        " photos, the first the cover; one makes a single photo"},
            "filter[]": {"type": "array", "items": TEXT, "maxItems": 10,
                         "description": "each album photo's filter, parallel to image[]; a photo"
                         " without one takes filter"},
            "alt_text[]": {"type": "array", "items": {**TEXT, "maxLength": 1500}, "maxItems": 10,
                           "description": "each album photo's alt text, parallel to image[];"
                           " without it, alt_text describes the cover"},
        }  # fmt: skip
        schema = {"type": "object", "properties": fields,
                  "oneOf": [{"required": ["image"]}, {"required": ["image[]"]}]}  # fmt: skip
        return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    if not body:
        return None
    schema = {"type": "object", "properties": body}
    if (path, method) in REQUIRED_BODY:
        schema["required"] = REQUIRED_BODY[path, method]
    content: dict[str, Any] = {"schema": schema}
    if (path, method) in BODY_EXAMPLES:
        content["example"] = BODY_EXAMPLES[path, method]
    return {"required": "required" in schema, "content": {"application/json": content}}


def _operation(path: str, method: str, summary: str, scope: str | None, query: list,
               body: Any, data: dict | None) -> dict:  # fmt: skip
    status = "201" if method == "post" and path in CREATED else "200"
    if path in UNWRAPPED:
        assert data is not None, path  # an unwrapped answer always has its schema
        schema, example = data, example_of(data)
    else:
        schema = _obj({"meta": _ref("Meta"), "data": data or {"nullable": True}},
                      {"pagination": _ref("Pagination")})  # fmt: skip
        example = {"meta": {"code": int(status)}, "data": example_of(data) if data else None}
        if path in PAGED_DATA and method == "get":
            example["pagination"] = {
                "next_url": f"https://filmroll.example/v1{path}?max_id=506089730245493760",
                "next_max_id": "506089730245493760",
            }
    label = f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
    op: dict[str, Any] = {
        "tags": [_tag(path)],
        "summary": summary,
        "operationId": label,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": _path_param(path, name)}
            for name in PATH_PARAMS
            if "{" + name + "}" in path
        ]
        + query,
        "responses": {
            status: {
                "description": "OK",
                "content": {"application/json": {"schema": schema, "example": example}},
            },
            "default": {
                "description": "An error, in the envelope's meta",
                "content": {
                    "application/json": {
                        "schema": _ref("Error"),
                        "example": {
                            "meta": {
                                "code": 400,
                                "error_type": "APINotFoundError",
                                "error_message": "no such media",
                            }
                        },  # fmt: skip
                    }
                },
            },
        },
        "security": security(path, method, scope),
    }
    if scope in (scopes.FIRST_PARTY,):
        op["description"] = "Only filmroll's own apps (tokens from /accounts/login) may do this."
    elif scope == scopes.OWN_OR_PUBLIC:
        op["description"] = "Scope basic for your own, public_content for anyone else's."
    request_body = _body(path, method, body)
    if request_body:
        op["requestBody"] = request_body
    return op


DESCRIPTION = """Instagram v1 compatible: the clients written for v1 work with only the host changed.
The API answers at `/v1/…` (as on v1's API host) and at `/api/v1/…`, OAuth at `/oauth/…` and
oEmbed at `/oembed` at the root. Every answer is `{meta, data, pagination?}`; errors say
`meta.error_type` (`APINotFoundError` for what does not exist or may not be seen,
`APINotAllowedError` for a private account's lists, `OAuth…` for tokens and scopes). Paths also
answer with a `.json` suffix or a trailing slash.

**Tokens** come from OAuth 2 (`/oauth/authorize/`, then `POST /oauth/access_token` with a form
body, not JSON); send one as `Authorization: Bearer TOKEN`, `?access_token=TOKEN`, or
`access_token` in a form body. Public content may also be read by an app alone with `?client_id=CLIENT_ID` where an operation lists
`client_id`. **Unlike v1's, tokens expire**, `expires_in` seconds after they are issued
({token_days} days on this server): `POST /oauth/access_token` with `grant_type=refresh_token`
and the answer's `refresh_token` gives a new token and a new refresh token, and the one used is
then refused.

**v1 conventions:** `?callback=name` wraps any answer as JSONP (`/**/name({...});`,
`application/javascript`, always HTTP 200 with the code in `meta`; the name is a JavaScript
identifier, dotted at most a few times); the API sends no CORS headers, so a page on another
site reads it by JSONP. A POST with `_method=DELETE` acts as a DELETE; pages take `count`,
`max_id`/`min_id` (`max_tag_id`/`min_tag_id` for tags) and, on a user's and a place's photos,
`min_timestamp`/`max_timestamp`.

Request bodies are described as JSON; the same fields may be sent form-encoded, as v1's clients
did (a form cannot tell a string from a number or null, so the typed description is JSON's).
Rate limits are reported in X-Ratelimit-Limit and X-Ratelimit-Remaining; past them, 429
`OAuthRateLimitException` with Retry-After."""


@functools.cache
def document(base_url: str = "") -> dict:
    paths: dict[str, dict] = {}
    for path, method, *rest in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(path, method, *rest)
    app_scopes = {
        **settings.OAUTH2_PROVIDER["SCOPES"],
        scopes.FIRST_PARTY: "Only filmroll's own apps hold it (tokens from /accounts/login);"
        " no other app can be granted it",
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "filmroll API",
            "version": __version__,
            "description": DESCRIPTION.replace("{token_days}", str(settings.FILMROLL.token_days)),
        },
        "servers": [{"url": f"{base_url}/v1"}, {"url": f"{base_url}/api/v1"}],
        "tags": [{"name": name, "description": about} for name, about in TAGS],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "oauth": {
                    "type": "oauth2",
                    "description": "A user's token, sent as Authorization: Bearer, as"
                    " ?access_token= or as access_token in a form body.",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": f"{base_url}/oauth/authorize/",
                            "tokenUrl": f"{base_url}/oauth/access_token",
                            "refreshUrl": f"{base_url}/oauth/access_token",
                            "scopes": app_scopes,
                        },
                        # v1's client-side flow, for apps registered for the implicit grant
                        "implicit": {
                            "authorizationUrl": f"{base_url}/oauth/authorize/",
                            "scopes": app_scopes,
                        },
                    },
                },
                "client_id": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "client_id",
                    "description": "A registered app reading public content without a user.",
                },
            },
        },
    }
