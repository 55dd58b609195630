"""Template tags of the web app. `photo` draws one photo of a feed or a page in Python: the
feed shows a dozen, and drawing each through the template engine cost more than the whole API
request behind the page."""

from __future__ import annotations

import datetime
import re

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext

from filmroll.accounts.models import User
from filmroll.api import objects
from filmroll.media.comments import MENTION
from filmroll.media.tags import TAG
from filmroll.web import placeholders

register = template.Library()

# #tags and @mentions in one pass, with the same patterns the server parses them with
_WORDS = re.compile(f"{TAG.pattern}|{MENTION.pattern}")


@register.filter(is_safe=True)
def linked(text: str | None) -> SafeString:
    """Caption or comment text, escaped, with its #tags and @mentions as links."""
    text = text or ""
    parts, at = [], 0
    for match in _WORDS.finditer(text):
        tag = match.group(1)
        name = (match.group(2) or "").rstrip(".")  # a sentence's full stop is not in a name
        if tag is None and not name:
            continue
        parts.append(conditional_escape(text[at : match.start()]))
        if tag is not None:
            parts.append(format_html('<a href="/explore/tags/{}/">#{}</a>', tag.casefold(), tag))
            at = match.end()
        else:
            parts.append(format_html('<a href="/{}/">@{}</a>', name.lower(), name))
            at = match.start() + 1 + len(name)
    parts.append(conditional_escape(text[at:]))
    return mark_safe("".join(parts))  # every piece escaped above


@register.filter(is_safe=True)
def when(seconds: str | int | None) -> SafeString:
    """A `<time>`: how long ago, the exact moment in its datetime attribute and on hover."""
    if seconds in (None, ""):
        return SafeString("")
    moment = datetime.datetime.fromtimestamp(int(seconds or 0), tz=datetime.UTC)
    ago = timezone.now() - moment
    if ago < datetime.timedelta(minutes=1):
        shown = gettext("just now")
    else:
        shown = gettext("%(time)s ago") % {"time": timesince(moment, depth=1)}
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat().replace("+00:00", "Z"),
        date_format(timezone.localtime(moment), "DATETIME_FORMAT"),
        shown,
    )


def placeholder(hash_: str | None) -> str:
    """A CSS background showing the photo's blurhash while it loads."""
    url = placeholders.data_url(hash_)
    return f"background: url({url}) center / cover no-repeat" if url else ""


def likes_text(n: int) -> str:
    return ngettext("%(count)d like", "%(count)d likes", n) % {"count": n}


def comments_text(n: int) -> str:
    return ngettext("%(count)d comment", "%(count)d comments", n) % {"count": n}


@register.simple_tag(takes_context=True)
def photo(context: template.Context, item: dict) -> SafeString:
    request = context["request"]  # the page's CSRF token is made once, not once a photo
    user, code = item["user"], item["shortcode"]
    caption = (item.get("caption") or {}).get("text") or ""
    place = item.get("location")
    where = ""
    if place and place.get("id"):
        where = format_html(
            ' · <a href="/explore/locations/{}/">{}</a>', place["id"], place["name"]
        )
    elif place:
        where = format_html(" · {}", f"{place['latitude']:.3f}, {place['longitude']:.3f}")
    image = item["images"].get("standard_resolution") or item["images"]["low_resolution"]
    liked = item["user_has_liked"]
    button = (
        format_html('<input type="hidden" name="action" value="unlike">'
                    '<button type="submit" aria-pressed="true">♥ {}</button>', gettext("liked"))
        if liked else format_html('<button type="submit" aria-pressed="false">♡ {}</button>',
                                  gettext("like"))
    )  # fmt: skip
    alt = (
        item.get("alt_text")
        or caption
        or gettext("A photo by %(name)s") % {"name": user["username"]}
    )
    # where the like form comes back to: the page it is on (a page answering app.js passes the
    # page the request came from, never its own path)
    back = context.get("back") or request.get_full_path()
    return format_html(
        '<article class="photo" id="m{id}">'
        '<p><a href="/{who}/"><img class="avatar" src="{face}" width="32" height="32" alt="">'
        "<strong>{who}</strong></a>{where} · {time}</p>"
        '<a href="/p/{code}/"><img src="{src}" width="{w}" height="{h}" alt="{alt}" loading="lazy"'
        ' style="{bg}"></a>'
        '<p><form class="inline like-form" method="post" action="/p/{code}/like">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        '<input type="hidden" name="next" value="{back}#m{id}">{button}</form> '
        '<span class="likes">{likes}</span> · <a class="comment-count" href="/p/{code}/">'
        "{comments}</a></p>"
        "{caption}</article>",
        id=item["id"], who=user["username"], face=user["profile_picture"], where=where, code=code,
        time=when(item["created_time"]), src=image["url"], w=image["width"], h=image["height"],
        alt=alt, bg=placeholder(item.get("blurhash")),
        csrf=context.get("csrf_token") or get_token(request), back=back.split("#")[0],
        button=button, likes=likes_text(item["likes"]["count"]),
        comments=comments_text(item["comments"]["count"]),
        caption=format_html('<p class="caption"><strong>{}</strong> {}</p>', user["username"],
                            linked(caption)) if caption else "",
    )  # fmt: skip


@register.simple_tag(takes_context=True)
def face(context: template.Context, person: User | dict) -> SafeString:
    """A person's avatar (the uploaded one, else the default): a User row or a user object."""
    if isinstance(person, dict):
        url = person["profile_picture"]
    else:
        url = objects.profile_picture(person, context.get("request"))
    return format_html('<img class="avatar" src="{}" width="32" height="32" alt="">', url)
