"""The shapes of the v1 API's objects for its OpenAPI document (filmroll.api.openapi), each
with an example as v1's documentation showed one: the fields v1 documented, and filmroll's
extra ones beside them. filmroll.api.objects makes them; the contract tests hold the two to
v1's documented shapes."""

from __future__ import annotations

from typing import Any

from filmroll.activity.events import KINDS

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
    "TwoFactorChallenge": _obj(
        {
            "two_factor_required": {"type": "boolean", "enum": [True]},
            "challenge": TEXT,
            "methods": _list({"type": "string", "enum": ["totp", "security_key", "recovery_code"]}),
            "expires_in": {"type": "integer"},
            "security_key_options": {
                "type": "object",
                "nullable": True,
                "description": "for navigator.credentials.get()",
            },
        }
    ),  # fmt: skip
    "LogIn": {"oneOf": [_ref("SignedIn"), _ref("TwoFactorChallenge")]},
    "TwoFactor": _obj(
        {
            "enabled": {"type": "boolean"},
            "totp": {"type": "boolean"},
            "security_keys": {"type": "integer"},
            "recovery_codes_left": {"type": "integer"},
            "methods": _list(TEXT),
        },
        {"recovery_codes": _list(TEXT)},
    ),  # fmt: skip
    "TotpSecret": _obj({"secret": TEXT, "otpauth_uri": TEXT}),
    "Location": _obj(
        {
            "id": {**ID, "nullable": True},
            "name": NULLABLE_TEXT,
            "latitude": {"type": "number"},
            "longitude": {"type": "number"},
            "street_address": {**TEXT, "description": "empty when the place has none"},
        },
        {
            "address": {
                **TEXT,
                "description": "the same as street_address (the field POST"
                " /locations takes), present only when the place has one",
            }
        },
    ),  # fmt: skip
    "Caption": _obj({"id": ID, "text": TEXT, "created_time": TIME, "from": _ref("UserSmall")}),
    "Media": _obj(
        {
            "id": ID,
            "shortcode": TEXT,
            "type": {
                "type": "string",
                "enum": ["image", "carousel"],
                "description": "carousel: an album, its photos in carousel_media",
            },
            "link": TEXT,
            "created_time": TIME,
            "user": _ref("UserSmall"),
            "caption": {**_ref("Caption"), "nullable": True},
            "alt_text": {**TEXT, "description": "the image described; empty: the caption"},
            "filter": TEXT,
            "tags": _list(TEXT),
            "location": {**_ref("Location"), "nullable": True},
            "images": {"type": "object", "additionalProperties": IMAGE},
            "likes": _obj({"count": {"type": "integer"}, "data": _list(_ref("UserSmall"))}),
            "comments": _obj({"count": {"type": "integer"}, "data": _list(_ref("Comment"))}),
            "users_in_photo": _list(_ref("UserInPhoto")),
            "attribution": {"type": "object", "nullable": True},
            "user_has_liked": {"type": "boolean"},
            "blurhash": NULLABLE_TEXT,
            "sensitive": {"type": "boolean", "description": "a content warning: shown blurred"},
            "spoiler_text": {**TEXT, "description": "what the content warning says"},
            "user_has_saved": {
                "type": "boolean",
                "description": "in your Saved list (true only for you)",
            },
        },
        {
            "carousel_media": {
                **_list(_ref("CarouselItem")),
                "description": "an album's photos (type carousel only), the cover first: the"
                " object's own images, alt_text and filter are the cover's",
            }
        },
    ),  # fmt: skip
    "CarouselItem": _obj(
        {
            "id": TEXT,
            "type": {"type": "string", "enum": ["image"]},
            "images": {"type": "object", "additionalProperties": IMAGE},
            "alt_text": {**TEXT, "description": "the photo described; empty: the caption"},
            "filter": TEXT,
            "blurhash": NULLABLE_TEXT,
        }
    ),
    "Comment": _obj({"id": ID, "created_time": TIME, "text": TEXT, "from": _ref("UserSmall")}),
    "UserInPhoto": _obj(
        {
            "user": _ref("UserSmall"),
            "position": _obj(
                {
                    "x": {"type": "number", "minimum": 0, "maximum": 1},
                    "y": {"type": "number", "minimum": 0, "maximum": 1},
                }
            ),
        }
    ),  # fmt: skip
    "SuggestedUser": {
        "allOf": [
            _ref("User"),
            _obj(
                {
                    "mutual_count": {"type": "integer", "minimum": 0},
                    "reason": {"type": "string", "enum": ["mutual", "nearby", "popular"]},
                }
            ),
        ]
    },  # fmt: skip
    "Liker": {
        "allOf": [
            _ref("User"),
            _obj(
                {
                    "first_name": TEXT,
                    "last_name": TEXT,
                    "type": {"type": "string", "enum": ["user"]},
                }
            ),
        ]
    },
    "OEmbed": _obj(
        {
            "version": {"type": "string", "enum": ["1.0"]},
            "type": {"type": "string", "enum": ["rich"]},
            "provider_name": TEXT,
            "provider_url": TEXT,
            "title": TEXT,
            "author_name": TEXT,
            "author_url": TEXT,
            "author_id": ID,
            "media_id": ID,
            "html": TEXT,
            "width": {"type": "integer"},
            "height": {"type": "integer", "nullable": True},
            "thumbnail_url": TEXT,
            "thumbnail_width": {"type": "integer"},
            "thumbnail_height": {"type": "integer"},
        }
    ),
    "Tag": _obj({"name": TEXT, "media_count": {"type": "integer"}}),
    "Relationship": _obj(
        {
            "outgoing_status": {"type": "string", "enum": ["none", "follows", "requested"]},
            "incoming_status": {
                "type": "string",
                "enum": ["none", "followed_by", "requested_by", "blocked_by_you"],
            },
            "target_user_is_private": {"type": "boolean"},
            "muted": {"type": "boolean", "description": "you muted them (they are not told)"},
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
    "FollowingActivity": _obj(
        {
            "id": ID,
            "type": {"type": "string", "enum": ["like", "comment", "follow"]},
            "created_time": TIME,
            "users": _list(_ref("UserSmall")),
            "media": _list(_ref("Media")),
            "targets": _list(_ref("UserSmall")),
            "text": TEXT,
            "comment": NULLABLE_TEXT,
        }
    ),
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
    "MapCluster": _obj(
        {
            "lat": {"type": "number"},
            "lng": {"type": "number"},
            "count": {"type": "integer", "minimum": 1},
            "bbox": {
                **_list({"type": "number"}),
                "minItems": 4,
                "maxItems": 4,
                "description": "minLng, minLat, maxLng, maxLat of the cluster's photos",
            },
            "cover": _obj(
                {
                    "id": ID,
                    "shortcode": TEXT,
                    "link": TEXT,
                    "thumbnail": IMAGE,
                    "sensitive": {"type": "boolean"},
                }
            ),  # fmt: skip
            "media_ids": {
                **_list(ID),
                "nullable": True,
                "description": "the photos, newest first; null when there are too"
                " many to list (zoom in)",
            },
        }
    ),  # fmt: skip
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


# --- examples -------------------------------------------------------------------------------
_AVATAR = "https://filmroll.example/static/filmroll/avatar.svg"
_ANA = {"id": "506083118357152776", "username": "ana", "full_name": "Ana Lima",
        "profile_picture": _AVATAR}  # fmt: skip
_BO = {"id": "506083141853643788", "username": "bo", "full_name": "Bo Berg",
       "profile_picture": _AVATAR}  # fmt: skip
_COMMENT = {"id": "506090211934544001", "created_time": "1764489120", "text": "Lovely light!",
            "from": _BO}  # fmt: skip
_PLACE = {"id": "506083329850738697", "name": "Pier 39", "latitude": 37.8087,
          "longitude": -122.4098, "street_address": "Beach St & The Embarcadero"}  # fmt: skip


def _image(name: str, width: int) -> dict:
    return {"url": f"https://filmroll.example/media/ab/cd/{name}.jpg", "width": width,
            "height": width * 3 // 4 if name != "t" else width}  # fmt: skip


EXAMPLES: dict[str, Any] = {
    "UserSmall": _ANA,
    "User": {**_ANA, "bio": "Film and ferries.", "website": "https://ana.example",
             "is_private": False, "counts": {"media": 42, "follows": 120, "followed_by": 310}},
    "Comment": _COMMENT,
    "Location": _PLACE,
    "Tag": {"name": "sunset", "media_count": 1275},
    "Relationship": {"outgoing_status": "follows", "incoming_status": "followed_by",
                     "target_user_is_private": False, "muted": False},
    "Media": {
        "id": "506089730245493761", "shortcode": "BwVfBlTgLAB", "type": "image",
        "link": "https://filmroll.example/p/BwVfBlTgLAB/", "created_time": "1764488950",
        "user": _ANA,
        "caption": {"id": "506089730245493761", "text": "Evening at the pier #sunset",
                    "created_time": "1764488950", "from": _ANA},
        "filter": "Valencia", "tags": ["sunset"], "location": _PLACE,
        "images": {"thumbnail": _image("t", 150), "low_resolution": _image("m", 320),
                   "standard_resolution": _image("l", 640)},
        "likes": {"count": 2, "data": [_BO]},
        "comments": {"count": 1, "data": [_COMMENT]},
        "users_in_photo": [{"user": _BO, "position": {"x": 0.31, "y": 0.62}}],
        "attribution": None, "user_has_liked": False,
        "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "alt_text": "A wooden pier at dusk",
        "sensitive": False, "spoiler_text": "", "user_has_saved": False,
    },
    "MapCluster": {
        "lat": 37.8087, "lng": -122.4098, "count": 2,
        "bbox": [-122.4101, 37.8085, -122.4095, 37.8089],
        "cover": {"id": "506089730245493761", "shortcode": "BwVfBlTgLAB",
                  "link": "https://filmroll.example/p/BwVfBlTgLAB/",
                  "thumbnail": _image("t", 150)},
        "media_ids": ["506089730245493761", "506089730245493760"],
    },  # fmt: skip
    "OEmbed": {
        "version": "1.0", "type": "rich", "provider_name": "filmroll",
        "provider_url": "https://filmroll.example/", "title": "Evening at the pier #sunset",
        "author_name": "ana", "author_url": "https://filmroll.example/ana/",
        "author_id": "506083118357152776", "media_id": "506089730245493761",
        "html": '<iframe src="https://filmroll.example/p/BwVfBlTgLAB/embed/" width="658"'
                ' height="604" frameborder="0" scrolling="no" allowtransparency="true"'
                ' style="border:0;max-width:100%"></iframe>',
        "width": 658, "height": None, "thumbnail_url": "https://filmroll.example/media/ab/cd/l.jpg",
        "thumbnail_width": 640, "thumbnail_height": 480,
    },
}  # fmt: skip
EXAMPLES["Liker"] = {**EXAMPLES["User"], "first_name": "Ana", "last_name": "Lima", "type": "user"}
EXAMPLES["SuggestedUser"] = {**EXAMPLES["User"], "mutual_count": 3, "reason": "mutual"}
EXAMPLES["SignedIn"] = {"access_token": "4f1c...e9", "user": EXAMPLES["User"]}
EXAMPLES["LogIn"] = EXAMPLES["SignedIn"]
EXAMPLES["TwoFactorChallenge"] = {"two_factor_required": True, "challenge": "eyJ1Ijo...",
                                  "methods": ["totp", "recovery_code"], "expires_in": 300,
                                  "security_key_options": None}  # fmt: skip
EXAMPLES["TwoFactor"] = {
    "enabled": True,
    "totp": True,
    "security_keys": 0,
    "recovery_codes_left": 10,
    "methods": ["totp", "recovery_code"],
}
EXAMPLES["TotpSecret"] = {
    "secret": "JBSWY3DPEHPK3PXP",
    "otpauth_uri": "otpauth://totp/filmroll:ana?secret=JBSWY3DPEHPK3PXP",
}
EXAMPLES["Caption"] = EXAMPLES["Media"]["caption"]
EXAMPLES["Activity"] = {"type": "like", "created_time": "1764489000", "users": [_BO],
                        "media": EXAMPLES["Media"], "text": "bo liked your photo."}  # fmt: skip
EXAMPLES["FollowingActivity"] = {
    "id": "3621771406139983873", "type": "like", "created_time": "1764489000", "users": [_BO],
    "media": [EXAMPLES["Media"]], "targets": [], "text": "bo liked ana's photo.", "comment": None,
}  # fmt: skip


def example_of(schema: dict) -> Any:
    """An example value for a schema built from the shapes above (a reference, a list of one)."""
    ref = schema.get("$ref")
    if ref:
        return EXAMPLES.get(ref.rsplit("/", 1)[1])
    if schema.get("type") == "array":
        item = example_of(schema["items"])
        return [] if item is None else [item]
    return None
