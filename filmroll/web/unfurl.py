"""What a link to a photo or a profile shows when pasted into another site or app: OpenGraph
and Twitter-card tags, as (attribute, name, content) triples for `web/_unfurl.html`.

Link previews are fetched by crawlers without a session, but a follower of a private account
may paste a link too, and whatever the page says then goes to whoever sees the preview. So the
tags depend on the owner alone, never on the viewer: a private account's profile and its photos
unfurl as a generic filmroll card with no name, no image, no caption. A preview has no veil
either, so a photo with a content warning unfurls with no image of it and its warning in place
of its caption."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from filmroll.accounts.models import User

Tags = list[tuple[str, str, str]]  # ("property" or "name", its value, content)
SITE = "filmroll"


def _card(kind: str, title: str, description: str, url: str, image: dict | None) -> Tags:
    tags: Tags = [
        ("property", "og:site_name", SITE),
        ("property", "og:type", kind),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("name", "twitter:card", "summary_large_image" if image and image["large"] else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        tags += [("property", "og:image", image["url"]), ("property", "og:image:alt", image["alt"])]
        tags += [("property", f"og:image:{side}", str(image[side]))
                 for side in ("width", "height") if image.get(side)]  # fmt: skip
        tags += [
            ("name", "twitter:image", image["url"]),
            ("name", "twitter:image:alt", image["alt"]),
        ]
    return tags


def _private(request: HttpRequest) -> Tags:
    return _card(
        "website", SITE, _("Photos shared on filmroll."), request.build_absolute_uri("/"), None
    )


def photo(item: dict, owner: User, request: HttpRequest) -> Tags:
    """`item`: the photo as the API presents it (api/objects.media, absolute URLs)."""
    if owner.is_private:
        return _private(request)
    name = owner.username
    if item.get("sensitive"):
        warning = (item.get("spoiler_text") or "").strip() or _("Sensitive content")
        title = _("%(name)s on filmroll") % {"name": name}
        return _card("article", title, _truncated(warning), item["link"], None)
    caption = ((item.get("caption") or {}).get("text") or "").strip()
    largest = item["images"]["standard_resolution"]
    image = {"url": largest["url"], "width": largest.get("width"), "height": largest.get("height"),
             "alt": item.get("alt_text") or caption or _("A photo by %(name)s") % {"name": name},
             "large": True}  # fmt: skip
    return _card(
        "article", _("%(name)s on filmroll") % {"name": name},
        _truncated(caption) or _("A photo by %(name)s") % {"name": name}, item["link"], image,
    )  # fmt: skip


def profile(person: dict, owner: User, request: HttpRequest) -> Tags:
    """`person`: the user as the API presents it (api/objects.user)."""
    if owner.is_private:
        return _private(request)
    name = owner.username
    title = f"{owner.full_name} (@{name})" if owner.full_name else f"@{name}"
    posts = person["counts"]["media"]
    about = owner.bio or _("See photos by %(name)s on filmroll.") % {"name": name}
    image = {"url": person["profile_picture"], "alt": _("%(name)s's profile picture") % {"name": name},
             "large": False}  # fmt: skip
    tags = _card(
        "profile",
        f"{title} · {SITE}",
        _truncated(about),
        request.build_absolute_uri(f"/{name}/"),
        image,
    )
    return [
        *tags,
        ("property", "profile:username", name),
        ("property", "filmroll:posts", str(posts)),
    ]


def _truncated(text: str, most: int = 200) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"
