"""The OpenAPI 3 description of the v1 API, built from one table of operations. The test suite
runs schemathesis against it, so it must say what the API really does."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings

from filmroll import __version__
from filmroll.activity.events import KINDS
from filmroll.api import scopes

# --- shapes -------------------------------------------------------------------------------

ID = {"type": "string", "pattern": "^[0-9]+$", "description": "IDs are strings of digits"}
TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}  # no NUL: the API refuses it everywhere
# What Python's str.strip() removes (more than JSON Schema's \s, and not all of it), spelled out
# so the document's patterns agree with the code's checks.
SPACE = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x3001)) if c.isspace())


# text that must hold more than spaces (and no NUL, which no text field takes)
def _words(also_blank: str = "") -> dict:
    """Text with something besides spaces (and `also_blank`) in it, and no NUL, which no text
    parameter takes."""
    return {"type": "string", "pattern": f"^[^\\u0000]*[^{SPACE}{also_blank}\\u0000][^\\u0000]*$"}


WORDS = _words()
NULLABLE_TEXT = {**TEXT, "nullable": True}
FLAG = {"oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false", "1", "0"]}]}
TIME = {"type": "string", "pattern": "^[0-9]+$", "description": "Unix seconds"}


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(item: dict) -> dict:
    return {"type": "array", "items": item}


IMAGE = _obj({"url": TEXT, "width": {"type": "integer"}, "height": {"type": "integer"}})
SCHEMAS: dict[str, dict] = {
    "Meta": _obj({"code": {"type": "integer"}}, {"error_type": TEXT, "error_message": TEXT}),
    "Error": _obj({"meta": _ref("Meta")}),
    "Pagination": {
        "type": "object",
        "properties": {"next_url": TEXT},
        "additionalProperties": TEXT,
    },
    "Counts": _obj(
        {
            "media": {"type": "integer"},
            "follows": {"type": "integer"},
            "followed_by": {"type": "integer"},
        }
    ),  # fmt: skip
    "UserSmall": _obj({"id": ID, "username": TEXT, "full_name": TEXT, "profile_picture": TEXT}),
    "User": _obj(
        {
            "id": ID,
            "username": TEXT,
            "full_name": TEXT,
            "profile_picture": TEXT,
            "bio": TEXT,
            "website": TEXT,
            "is_private": {"type": "boolean"},
            "counts": _ref("Counts"),
        }
    ),  # fmt: skip
    "SignedIn": _obj({"access_token": TEXT, "user": _ref("User")}),
    "Location": _obj(
        {
            "id": {**ID, "nullable": True},
            "name": NULLABLE_TEXT,
            "latitude": {"type": "number"},
            "longitude": {"type": "number"},
        },
        {"address": TEXT},
    ),  # fmt: skip
    "Caption": _obj({"id": ID, "text": TEXT, "created_time": TIME, "from": _ref("UserSmall")}),
    "Media": _obj(
        {
            "id": ID,
            "shortcode": TEXT,
            "type": {"type": "string", "enum": ["image"]},
            "link": TEXT,
            "created_time": TIME,
            "user": _ref("UserSmall"),
            "caption": {**_ref("Caption"), "nullable": True},
            "filter": TEXT,
            "tags": _list(TEXT),
            "location": {**_ref("Location"), "nullable": True},
            "images": {"type": "object", "additionalProperties": IMAGE},
            "likes": _obj({"count": {"type": "integer"}}),
            "comments": _obj({"count": {"type": "integer"}}),
            "user_has_liked": {"type": "boolean"},
            "blurhash": NULLABLE_TEXT,
        }
    ),  # fmt: skip
    "Comment": _obj({"id": ID, "created_time": TIME, "text": TEXT, "from": _ref("UserSmall")}),
    "Tag": _obj({"name": TEXT, "media_count": {"type": "integer"}}),
    "Relationship": _obj(
        {
            "outgoing_status": {"type": "string", "enum": ["none", "follows", "requested"]},
            "incoming_status": {
                "type": "string",
                "enum": ["none", "followed_by", "requested_by", "blocked_by_you"],
            },
            "target_user_is_private": {"type": "boolean"},
        }
    ),
    "Activity": _obj(
        {
            "type": TEXT,
            "created_time": TIME,
            "users": _list(_ref("UserSmall")),
            "media": {**_ref("Media"), "nullable": True},
            "text": TEXT,
        }
    ),  # fmt: skip
    "Filter": _obj({"name": TEXT, "label": TEXT, "preview_url": TEXT}),
    "Device": _obj({"id": ID, "platform": TEXT, "created_time": TIME}),
    "Connection": _obj(
        {
            "provider": TEXT,
            "handle": TEXT,
            "base_url": NULLABLE_TEXT,
            "active": {"type": "boolean"},
            "problem": NULLABLE_TEXT,
        }
    ),  # fmt: skip
    "PushPreferences": _obj({kind: {"type": "boolean"} for kind in KINDS}),
    "Subscription": _obj(
        {
            "id": ID,
            "type": TEXT,
            "object": TEXT,
            "object_id": NULLABLE_TEXT,
            "aspect": TEXT,
            "callback_url": TEXT,
        },
        {"lat": {"type": "number"}, "lng": {"type": "number"}, "radius": {"type": "number"}},
    ),  # fmt: skip
}

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
LAT = {"type": "number", "minimum": -90, "maximum": 90}
LNG = {"type": "number", "minimum": -180, "maximum": 180}
DISTANCE = {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": 5000}
UNIX_TIME = {"type": "integer", "minimum": 0, "maximum": 2**34 - 1}
NEAR = [_query("lat", LAT, True), _query("lng", LNG, True), _query("distance", DISTANCE)]
CLIENT = {"client_id": TEXT, "client_secret": TEXT}
PATH_PARAMS: dict[str, dict[str, Any]] = {
    "user_id": {"type": "string", "pattern": "^(self|[0-9]{1,19})$"},
    "media_id": {"type": "string", "pattern": "^[0-9]{1,19}$"},
    "comment_id": {"type": "string", "pattern": "^[0-9]{1,19}$"},
    "location_id": {"type": "string", "pattern": "^[0-9]{1,19}$"},
    "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,20}$"},
    # letters, digits or _ of any script (JSON Schema's ASCII-only \w cannot say so), at most
    # 100, case-blind; a leading # is ignored
    "name": {"type": "string", "minLength": 1, "maxLength": 101},
}

# --- operations ---------------------------------------------------------------------------
# (path, method, summary, scope or None for no token, query parameters, body fields, data)
# `scopes.FIRST_PARTY` marks what only filmroll's own log-in may do.
SELF_OR_PUBLIC = "basic (own) or public_content (anyone else's)"
MEDIA, MEDIA_LIST = _ref("Media"), _list(_ref("Media"))
USERS = _list(_ref("User"))
OPERATIONS: list[tuple] = [
    ("/accounts/signup", "post", "Sign up", None, [],
     {"username": {"type": "string", "pattern": "^[a-z0-9._]{1,30}$"}, "password": WORDS,
      "email": WORDS, "full_name": TEXT}, _ref("SignedIn")),
    ("/accounts/login", "post", "Log in", None, [],
     {"username": WORDS, "password": WORDS}, _ref("SignedIn")),
    ("/accounts/logout", "post", "Revoke this token", "any", [], None, None),
    ("/accounts/password", "post", "Change the password (revokes every token)",
     scopes.FIRST_PARTY, [], {"old_password": WORDS, "new_password": WORDS}, _ref("SignedIn")),
    ("/users/self", "get", "The signed-in user", scopes.BASIC, [], None, _ref("User")),
    ("/users/self", "post", "Edit the profile", scopes.FIRST_PARTY, [],
     {"full_name": NULLABLE_TEXT, "bio": NULLABLE_TEXT, "website": NULLABLE_TEXT,
      "is_private": FLAG},
     _ref("User")),
    ("/users/self/feed", "get", "Home feed", scopes.BASIC, PAGED, None, MEDIA_LIST),
    ("/users/self/media/liked", "get", "Photos the user liked", scopes.BASIC,
     [COUNT, _query("max_like_id", CURSOR)], None, MEDIA_LIST),
    ("/users/self/requested-by", "get", "Follow requests", scopes.FOLLOWERS,
     [COUNT, _query("cursor", CURSOR)], None,
     _list(_ref("User"))),
    ("/users/self/activity", "get", "Activity (notifications)", scopes.BASIC,
     [COUNT, _query("max_id", CURSOR)], None, _list(_ref("Activity"))),
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
     {"provider": {"type": "string", "enum": ["mastodon", "x", "facebook"]},
      "token": WORDS, "base_url": TEXT, "target": TEXT},
     _ref("Connection")),
    ("/users/self/connections", "delete", "Disconnect an account", scopes.FIRST_PARTY,
     [_query("provider", {"type": "string", "enum": ["mastodon", "x", "facebook"]}, True)],
     None, None),
    ("/users/search", "get", "Search people", scopes.PUBLIC,
     [_query("q", _words("@"), True), COUNT], None,
     _list(_ref("UserSmall"))),
    ("/users/{user_id}", "get", "A user", SELF_OR_PUBLIC, [], None, _ref("User")),
    ("/users/{user_id}/media/recent", "get", "A user's photos", SELF_OR_PUBLIC, PAGED, None,
     MEDIA_LIST),
    ("/users/{user_id}/follows", "get", "Whom a user follows", scopes.FOLLOWERS,
     [COUNT, _query("cursor", CURSOR)], None, USERS),
    ("/users/{user_id}/followed-by", "get", "A user's followers", scopes.FOLLOWERS,
     [COUNT, _query("cursor", CURSOR)], None, USERS),
    ("/users/{user_id}/relationship", "get", "The relationship with a user",
     scopes.FOLLOWERS, [], None, _ref("Relationship")),
    ("/users/{user_id}/relationship", "post", "Follow, unfollow, approve, ignore, block, unblock",
     scopes.RELATIONSHIPS, [],
     {"action": {"type": "string", "enum": ["follow", "unfollow", "approve", "ignore", "block",
                                            "unblock"]}},
     _ref("Relationship")),  # fmt: skip
    ("/media", "post", "Post a photo (multipart, field image)", scopes.FIRST_PARTY, [],
     "multipart", MEDIA),
    ("/media/filters", "get", "The filters", None, [], None, _list(_ref("Filter"))),
    ("/media/search", "get", "Photos near a point", scopes.PUBLIC,
     [*NEAR, _query("min_timestamp", UNIX_TIME), _query("max_timestamp", UNIX_TIME), COUNT,
      _query("max_id", CURSOR), _query("min_id", CURSOR)], None, MEDIA_LIST),  # fmt: skip
    ("/media/popular", "get", "Popular photos", scopes.PUBLIC, [COUNT], None, MEDIA_LIST),
    ("/media/{media_id}", "get", "A photo", SELF_OR_PUBLIC, [], None, MEDIA),
    ("/media/{media_id}", "post", "Edit a photo's caption or place", scopes.FIRST_PARTY, [],
     {"caption": TEXT, "location_id": TEXT, "lat": {"type": "number"}, "lng": {"type": "number"},
      "location": {"type": "string", "enum": ["none"]}}, MEDIA),  # fmt: skip
    ("/media/{media_id}", "delete", "Delete a photo", scopes.FIRST_PARTY, [], None, None),
    ("/media/shortcode/{code}", "get", "A photo by its shortcode", SELF_OR_PUBLIC, [], None,
     MEDIA),
    ("/media/{media_id}/likes", "get", "Who liked a photo", scopes.PUBLIC, [], None,
     _list(_ref("User"))),
    ("/media/{media_id}/likes", "post", "Like", scopes.LIKES, [], None, None),
    ("/media/{media_id}/likes", "delete", "Unlike", scopes.LIKES, [], None, None),
    ("/media/{media_id}/comments", "get", "Comments", scopes.PUBLIC,
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
     [_query("q", TEXT), _query("lat", LAT), _query("lng", LNG), _query("distance", DISTANCE),
      COUNT], None, _list(_ref("Location"))),  # fmt: skip
    ("/locations/{location_id}", "get", "A place", scopes.PUBLIC, [], None, _ref("Location")),
    ("/locations/{location_id}/media/recent", "get", "Photos at a place", scopes.PUBLIC, PAGED,
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
]  # fmt: skip
REQUIRED_BODY = {
    ("/accounts/signup", "post"): ["username", "password", "email"],
    ("/accounts/login", "post"): ["username", "password"],
    ("/accounts/password", "post"): ["old_password", "new_password"],
    ("/users/{user_id}/relationship", "post"): ["action"],
    ("/media/{media_id}/comments", "post"): ["text"],
    ("/locations", "post"): ["name", "lat", "lng"],
    ("/users/self/connections", "post"): ["provider", "token"],
    ("/subscriptions", "post"): ["client_id", "client_secret", "object", "callback_url"],
}


def _path_param(path: str, name: str) -> dict:
    if path == "/users/{user_id}":  # /users/self is its own path (it also takes POST)
        return {"type": "string", "pattern": "^[0-9]{1,19}$"}
    return PATH_PARAMS[name]


def _operation(path: str, method: str, summary: str, scope: str | None, query: list,
               body: Any, data: dict | None) -> dict:  # fmt: skip
    created = method == "post" and path in ("/media", "/locations", "/subscriptions",
                                             "/accounts/signup", "/media/{media_id}/comments",
                                             "/users/self/devices",
                                             "/users/self/connections")  # fmt: skip
    status = "201" if created else "200"
    envelope = _obj({"meta": _ref("Meta"), "data": data or {"nullable": True}},
                    {"pagination": _ref("Pagination")})  # fmt: skip
    op: dict[str, Any] = {
        "summary": summary,
        "operationId": f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": _path_param(path, name)}
            for name in PATH_PARAMS
            if "{" + name + "}" in path
        ]
        + query,
        "responses": {
            status: {"description": "OK", "content": {"application/json": {"schema": envelope}}},
            "default": {
                "description": "An error, in the envelope's meta",
                "content": {"application/json": {"schema": _ref("Error")}},
            },
        },
    }
    if scope is None:
        op["security"] = []
    else:
        op["description"] = f"Scope: {scope}."
    if body == "device":  # a token for apns and fcm, a subscription (JSON text) for webpush
        kinds = [
            {"type": "object", "additionalProperties": False, "required": ["platform", name],
             "properties": {"platform": {"type": "string", "enum": platforms}, name: value}}
            for platforms, name, value in ((["apns", "fcm"], "token", WORDS),
                                           (["webpush"], "subscription", TEXT))
        ]  # fmt: skip
        schema: dict[str, Any] = {"oneOf": kinds}
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
            },
        }
    elif body == "multipart":
        fields = {"image": {"type": "string", "format": "binary"}, "caption": TEXT,
                  "filter": TEXT, "lat": LAT, "lng": LNG, "location_id": TEXT,
                  "share_to": TEXT}  # fmt: skip
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "required": ["image"], "properties": fields}
                }
            },
        }
    elif body:
        schema = {"type": "object", "properties": body}
        if (path, method) in REQUIRED_BODY:
            schema["required"] = REQUIRED_BODY[path, method]
        op["requestBody"] = {
            "required": "required" in schema,
            "content": {
                "application/json": {"schema": schema},
            },
        }
    return op


@functools.cache
def document(base_url: str = "") -> dict:
    paths: dict[str, dict] = {}
    for path, method, *rest in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(path, method, *rest)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "filmroll API",
            "version": __version__,
            "description": "Instagram v1 compatible. Every answer is {meta, data, pagination?}."
            " Paths also answer with a .json suffix. Request bodies are described as JSON;"
            " the same fields may be sent form-encoded, as Instagram's clients did (a form"
            " cannot tell a string from a number or null, so the typed description is JSON's)."
            " Rate limits are reported in"
            " X-Ratelimit-Limit and X-Ratelimit-Remaining.",
        },
        "servers": [{"url": f"{base_url}/api/v1"}],
        "security": [{"bearer": []}, {"access_token": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "access_token": {"type": "apiKey", "in": "query", "name": "access_token"},
                "oauth": {
                    "type": "oauth2",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": f"{base_url}/oauth/authorize/",
                            "tokenUrl": f"{base_url}/oauth/access_token",
                            "scopes": settings.OAUTH2_PROVIDER["SCOPES"],
                        }
                    },
                },
            },
        },
    }
