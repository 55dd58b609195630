"""Template tags of the web app. `photo` draws one photo of a feed or a page in Python: the
feed shows a dozen, and drawing each through the template engine cost more than the whole API
request behind the page. It draws the card as Instagram's web did in 2013: who and where above,
the photo, the like and comment actions, the like count, the caption and latest comments, and a
comment box."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from filmroll.accounts.models import User
from filmroll.api import objects
from filmroll.discovery import suggestions
from filmroll.media.comments import MENTION
from filmroll.media.tags import TAG
from filmroll.web import cards, icons, placeholders
from filmroll.web.kept import Kept

register = template.Library()

# #tags and @mentions in one pass, with the patterns the server finds them with
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


def placeholder(hash_: str | None) -> str:
    """A CSS background showing the photo's blurhash while it loads."""
    url = placeholders.data_url(hash_)
    return f"background: url({url}) center / cover no-repeat" if url else ""


def likes_text(n: int) -> str:
    return ngettext("%(count)d like", "%(count)d likes", n) % {"count": n}


def comments_text(n: int) -> str:
    return ngettext("%(count)d comment", "%(count)d comments", n) % {"count": n}


def ago(
    created: str | int, now: float | None = None, short: Callable[[int], str] | None = None
) -> SafeString:
    """A <time>: how long ago, short as on a phone ("5m", "3h", "2d", "4w"), the exact UTC time
    on hover. `short` makes the short text instead (a kept card's slot, web/cards.py)."""
    seconds = int(created)
    if short is None:
        text = cards.age_text(seconds, time.time() if now is None else now)
    else:
        text = short(seconds)
    at = datetime.fromtimestamp(seconds, UTC)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        at.strftime("%Y-%m-%d %H:%M UTC"),
        text,
    )


@register.simple_tag
def icon(name: str, filled: bool = False) -> SafeString:
    return icons.icon(name, filled)


@register.simple_tag
def when(created: str | int) -> SafeString:
    return ago(created)


def _comment(c: dict, short: Callable[[int], str] | None = None) -> SafeString:
    return format_html(
        '<p class="comment" id="comment-{id}"><a href="/{who}/"><img class="avatar small" src="{face}"'
        ' width="20" height="20" alt=""><strong>{who}</strong></a> {text} {when}</p>',
        id=c["id"], who=c["from"]["username"], face=c["from"]["profile_picture"],
        text=linked(c["text"]), when=ago(c["created_time"], short=short),
    )  # fmt: skip


def veiled(item: dict, picture: SafeString, small: bool = False) -> SafeString:
    """A photo with a content warning (`sensitive`) drawn blurred behind its warning and a
    "Show" control until that is clicked: a <details> whose opening lifts the blur (CSS), so it
    works without JavaScript. In grids (`small`) the warning's words are for screen readers."""
    if not item.get("sensitive"):
        return picture
    words = item.get("spoiler_text") or gettext("Sensitive content")
    return format_html(
        '<div class="cw-holder{}"><details class="cw"><summary><span class="cw-text{}">{}</span>'
        ' <span class="cw-show">{}</span></summary></details>{}</div>',
        " small" if small else "", " sr-only" if small else "", words, gettext("Show"), picture,
    )  # fmt: skip


@register.simple_tag
def grid_photo(item: dict) -> SafeString:
    """One photo of a grid (profile, saved, tag, place, explore): a square thumbnail linking to
    the photo's page, veiled when it carries a content warning."""
    caption = (item.get("caption") or {}).get("text") or ""
    alt = (
        item.get("alt_text")
        or caption
        or gettext("A photo by %(name)s") % {"name": item["user"]["username"]}
    )
    marked = SafeString("")
    if item.get("carousel_media"):  # an album: its cover, marked as one
        marked = format_html('<span class="grid-album">{}<span class="sr-only">{}</span></span>',
                             icons.icon("album"), gettext("Album"))  # fmt: skip
    picture = format_html(
        '<a href="/p/{}/"{}><img src="{}" alt="{}" loading="lazy" width="150" height="150">{}</a>',
        item["shortcode"], "" if item.get("sensitive") else format_html(' id="g{}"', item["id"]),
        item["images"]["thumbnail"]["url"], alt, marked,
    )  # fmt: skip
    if not item.get("sensitive"):
        return picture
    veil = veiled(item, picture, small=True)
    return format_html('<div class="cell" id="g{}">{}</div>', item["id"], veil)


def _save_button(item: dict, signed_in: bool, csrf: str, back: str) -> SafeString:
    """The bookmark: save the photo to (or take it off) the viewer's private Saved list."""
    if not signed_in:
        return format_html(
            '<a class="icon-button save" href="/accounts/login/?{}">{}<span class="sr-only">{}</span></a>',
            urlencode({"next": back}), icons.icon("bookmark"), gettext("Save"),
        )  # fmt: skip
    kept = item.get("user_has_saved")
    return format_html(
        '<form class="save-form" method="post" action="/p/{code}/save">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        '<input type="hidden" name="next" value="{back}#m{id}">'
        '<input type="hidden" name="action" value="{action}">'
        '<button type="submit" class="icon-button{cls}" aria-pressed="{pressed}">{icon}'
        '<span class="sr-only">{label}</span></button></form>',
        code=item["shortcode"], csrf=csrf, back=back, id=item["id"],
        action="unsave" if kept else "save", cls=" saved" if kept else "",
        pressed="true" if kept else "false", icon=icons.icon("bookmark", filled=bool(kept)),
        label=gettext("Saved") if kept else gettext("Save"),
    )  # fmt: skip


def _in_photo(item: dict, shot: SafeString) -> tuple[SafeString, SafeString]:
    """The photo with its people's names at their places, shown by the people button (a
    <details>: no script needed), and the line of their names under it; as they were when
    there is nobody in it."""
    tagged = item.get("users_in_photo") or []
    if not tagged:
        return shot, SafeString("")
    labels = format_html_join(
        "", '<li style="left:{}%;top:{}%"><a href="/{}/">{}</a></li>',
        ((f"{t['position']['x'] * 100:.1f}", f"{t['position']['y'] * 100:.1f}",
          t["user"]["username"], t["user"]["username"]) for t in tagged),
    )  # fmt: skip
    wrapped = format_html(
        '<div class="shot-wrap">{}<details class="in-photo"><summary>{}<span class="sr-only">{}'
        "</span></summary><ul>{}</ul></details></div>",
        shot, icons.icon("people"), gettext("People in this photo"), labels,
    )  # fmt: skip
    names = format_html_join(
        ", ", '<a href="/{}/">{}</a>', ((t["user"]["username"],) * 2 for t in tagged)
    )
    line = format_html(
        '<p class="people-line">{}<span class="sr-only">{}</span> {}</p>',
        icons.icon("people"), gettext("In this photo:"), names,
    )  # fmt: skip
    return wrapped, line


def album(id_: str, shots: list[SafeString]) -> SafeString:
    """An album's photos in a strip that swipes (CSS scroll-snap: no script needed), with the
    arrows app.js moves it by (shown only where it runs) and where in the album one is."""
    total = len(shots)
    labels = [gettext("Photo %(number)d of %(total)d") % {"number": n, "total": total}
              for n in range(1, total + 1)]  # fmt: skip
    slides = format_html_join(
        "", '<div class="slide" id="m{}-{}" role="group" aria-roledescription="{}"'
        ' aria-label="{}">{}</div>',
        ((id_, n, gettext("photo"), label, shot)
         for n, (label, shot) in enumerate(zip(labels, shots, strict=True), start=1)),
    )  # fmt: skip
    dots = format_html_join("", '<span class="dot{}"></span>', ((" on" if n == 0 else "",)
                                                               for n in range(total)))  # fmt: skip
    return format_html(
        '<div class="album" role="group" aria-roledescription="{album}" aria-label="{named}">'
        '<div class="strip" id="m{id}-strip">{slides}</div>'
        '<button type="button" class="album-nav album-prev" aria-label="{prev}"'
        ' aria-controls="m{id}-strip" aria-disabled="true">{prev_icon}</button>'
        '<button type="button" class="album-nav album-next" aria-label="{next}"'
        ' aria-controls="m{id}-strip">{next_icon}</button>'
        '<p class="album-at"><span class="album-count" aria-live="polite">{first}</span>'
        '<span class="dots" aria-hidden="true">{dots}</span></p></div>',
        album=gettext("album"),
        named=ngettext("An album of %(count)d photo", "An album of %(count)d photos", total)
        % {"count": total},
        slides=slides, id=id_, prev=gettext("Previous photo"), next=gettext("Next photo"),
        prev_icon=icons.icon("prev"), next_icon=icons.icon("next"), first=labels[0], dots=dots,
    )  # fmt: skip


def _forms(context: template.Context) -> tuple[HttpRequest, str, str]:
    """The request, its CSRF token (made once a page, not once a photo) and where a card's forms
    come back to: the page it is on (a piece answering app.js is given the page the request
    came from, never the POST's own address)."""
    request = context["request"]
    csrf = context.get("csrf_token") or get_token(request)
    return request, csrf, (context.get("back") or request.get_full_path()).split("#")[0]


@register.simple_tag(takes_context=True)
def photo(
    context: template.Context, item: dict, comments: list | None = None, error: str = ""
) -> SafeString:
    """One photo's card; `comments` all of them (the photo's page) instead of the latest few."""
    request, csrf, back = _forms(context)
    if comments is None and not error and request.user.is_authenticated:
        return cards.kept([item], csrf, back, draw)
    return draw(item, csrf, back, request.user.is_authenticated, comments, error,
                context.get("older_comments"))  # fmt: skip


@register.simple_tag(takes_context=True)
def photos(context: template.Context, items: list[dict]) -> SafeString:
    """A list's cards (the home feed) in one call: `photo` for each."""
    if not items:
        return SafeString("")
    request, csrf, back = _forms(context)
    if request.user.is_authenticated:
        return cards.kept(items, csrf, back, draw)
    return mark_safe("".join(draw(item, csrf, back, False) for item in items))  # each escaped


def draw(
    item: dict,
    csrf: str,
    back: str,
    signed_in: bool = True,
    comments: list | None = None,
    error: str = "",
    older_comments: str | None = None,
    short: Callable[[int], str] | None = None,
) -> SafeString:
    """The card itself: `photo` without the request; `short` makes each time's short text
    (ago)."""
    user, code, id_ = item["user"], item["shortcode"], item["id"]
    caption = (item.get("caption") or {}).get("text") or ""
    place = item.get("location")
    where = SafeString("")
    if place and place.get("id"):
        where = format_html(
            '<a class="place" href="/explore/locations/{}/">{}</a>', place["id"], place["name"]
        )
    elif place:
        where = format_html(
            '<span class="place">{}</span>', f"{place['latitude']:.3f}, {place['longitude']:.3f}"
        )
    liked = item["user_has_liked"]
    button = (
        format_html('<input type="hidden" name="action" value="unlike">'
                    '<button type="submit" class="icon-button liked" aria-pressed="true">{}'
                    '<span class="sr-only">{}</span></button>',
                    icons.icon("heart", filled=True), gettext("Liked"))
        if liked else
        format_html('<button type="submit" class="icon-button" aria-pressed="false">{}'
                    '<span class="sr-only">{}</span></button>',
                    icons.icon("heart"), gettext("Like"))
    )  # fmt: skip
    like = format_html(
        '<form class="like-form" method="post" action="/p/{code}/like">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        '<input type="hidden" name="next" value="{back}#m{id}">{button}</form>',
        code=code, csrf=csrf, back=back, id=id_, button=button,
    )  # fmt: skip
    if not signed_in:  # log in first, then back to this page
        like = format_html(
            '<a class="icon-button" href="/accounts/login/?{}">{}<span class="sr-only">{}</span></a>',
            urlencode({"next": back}), icons.icon("heart"), gettext("Like"),
        )  # fmt: skip
    count = item["comments"]["count"]
    shown = comments if comments is not None else item["comments"]["data"][-3:]
    more = SafeString("")
    if comments is None and count > len(shown):
        more = format_html(
            '<p class="more-comments"><a href="/p/{}/">{}</a></p>',
            code,
            ngettext("View the comment", "View all %(count)d comments", count) % {"count": count},
        )
    elif comments is not None and older_comments:  # the photo's page
        more = format_html(
            '<p class="more-comments"><a href="{}">{}</a></p>',
            older_comments, gettext("View older comments"),
        )  # fmt: skip
    form = SafeString("")
    if signed_in:
        form = format_html(
            '<form class="comment-form" method="post" action="/p/{code}/comment">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">{error}'
            '<input type="hidden" name="next" value="{back}#m{id}">'
            '<label class="sr-only" for="c{id}">{label}</label>'
            '<input type="text" id="c{id}" name="text" maxlength="2200" required '
            'placeholder="{placeholder}" autocomplete="off">'
            '<button type="submit" class="link-button">{post}</button></form>',
            code=code, csrf=csrf, id=id_, back=back, label=gettext("Add a comment"),
            placeholder=gettext("Add a comment…"), post=gettext("Post"),
            error=format_html('<p class="errors" role="alert">{}</p>', error) if error else "",
        )  # fmt: skip
    alt = caption or gettext("A photo by %(name)s") % {"name": user["username"]}
    pictures = item.get("carousel_media") or [item]  # an album's photos, the cover first
    shots = [
        format_html(
            '<a class="shot" href="/p/{code}/"><img src="{src}" width="{w}" height="{h}" alt="{alt}"'
            ' loading="lazy" style="{bg}"></a>',
            code=code, src=size["url"], w=size["width"], h=size["height"],
            alt=picture.get("alt_text") or alt, bg=placeholder(picture.get("blurhash")),
        )
        for picture in pictures
        for size in [picture["images"].get("standard_resolution") or picture["images"]["low_resolution"]]
    ]  # fmt: skip
    shown_photos = shots[0] if len(shots) == 1 else album(id_, shots)
    shot, in_photo = _in_photo(item, veiled(item, shown_photos))
    return format_html(
        '<article class="photo card" id="m{id}">'
        '<header class="card-head"><a class="who" href="/{who}/">'
        '<img class="avatar" src="{face}" width="32" height="32" alt=""><strong>{who}</strong></a>'
        "{where}{when}</header>"
        "{shot}"
        '<div class="card-body"><div class="actions">'
        "{like}"
        '<a class="icon-button" href="/p/{code}/#c{id}">{bubble}<span class="sr-only">{comment}'
        "</span></a>{save}</div>"
        '<p class="likes">{likes}</p>{in_photo}'
        '<div class="comments" aria-label="{comments_label}" role="group">'
        "{caption}{more}{shown}</div>{form}</div></article>",
        id=id_, who=user["username"], face=user["profile_picture"], where=where,
        when=format_html('<a class="when" href="/p/{}/">{}</a>', code, ago(item["created_time"], short=short)),
        code=code, shot=shot, in_photo=in_photo, csrf=csrf, back=back,
        like=like, bubble=icons.icon("comment"), save=_save_button(item, signed_in, csrf, back),
        comment=format_html('{} (<span class="comment-count">{}</span>)', gettext("Comment"),
                            comments_text(count)),
        likes=likes_text(item["likes"]["count"]), comments_label=gettext("Comments"),
        caption=format_html('<p class="caption"><a href="/{who}/"><strong>{who}</strong></a> {text}</p>',
                            who=user["username"], text=linked(caption)) if caption else "",
        more=more, shown=format_html_join("", "{}", ((_comment(c, short),) for c in shown)), form=form,
    )  # fmt: skip


_headers: Kept[SafeString] = Kept(1024)


@register.simple_tag(takes_context=True)
def header(context: template.Context) -> SafeString:
    """Every page's skip link and header (web/_header.html), drawn once a process for each
    language, person, address and unread count (all it is given) and kept: a few dozen
    template nodes on every page otherwise."""
    user, request = context.get("user"), context.get("request")
    signed_in = bool(user is not None and user.is_authenticated)
    username = user.username if user is not None and signed_in else ""
    path = request.path if request is not None else ""
    unread = context.get("unread")
    given = {"user": {"is_authenticated": signed_in, "username": username},
             "request": {"path": path}, "unread": unread}  # fmt: skip
    key = (get_language(), signed_in, username, path, unread)
    return _headers.get(key, lambda: mark_safe(render_to_string("web/_header.html", given)))


_links: Kept[SafeString] = Kept(8)


@register.simple_tag
def head_links() -> SafeString:
    """The head's icon, manifest and style sheet links (web/_head_links.html), drawn once a
    process: their static URLs cannot change within one (filmroll/staticfiles.py)."""
    return _links.get(settings.STATIC_URL, lambda: mark_safe(render_to_string(
        "web/_head_links.html")))  # fmt: skip


_footers: Kept[cards.Drawn] = Kept(1024)


@register.simple_tag(takes_context=True)
def footer(context: template.Context) -> SafeString:
    """Every page's footer and script (web/_footer.html), drawn once a process for each language
    and person (all it shows) and kept, the page's CSRF token spliced into its log-out form: a
    fresh mask each response, as {% csrf_token %} gives (never kept)."""
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    username = user.username if user is not None and signed_in else ""

    def drawn(csrf: object) -> str:
        given = {"user": {"is_authenticated": signed_in, "username": username},
                 "csrf_token": csrf}  # fmt: skip
        return render_to_string("web/_footer.html", given)

    if not signed_in:  # no form, so the token is not asked for (as the template did not)
        kept = _footers.get(
            (get_language(), False, "", settings.STATIC_URL), lambda: cards.slotted(drawn(None))
        )
        return cards.spliced(kept, {})
    csrf = context.get("csrf_token")
    if not csrf or csrf == "NOTPROVIDED" or "\x00" in username:  # drawn as the tag draws it
        return mark_safe(drawn(csrf))
    key = (get_language(), True, username, settings.STATIC_URL)  # the script's URL: as head_links
    kept = _footers.get(key, lambda: cards.slotted(drawn(cards.CSRF)))
    return cards.spliced(kept, {"c": html.escape(str(csrf))})


@register.simple_tag(takes_context=True)
def people_to_follow(context: template.Context, count: int = 5) -> list[dict]:
    """People to follow (discovery/suggestions.py), as the API's small user objects with
    `mutual_count` and `reason`; nobody for someone not signed in."""
    request = context["request"]
    if not request.user.is_authenticated:
        return []
    found = suggestions.for_user(request.user.id, count)
    return [{**objects.user_small(s.user, request), "mutual_count": s.mutual_count,
             "reason": s.reason} for s in found]  # fmt: skip


@register.simple_tag(takes_context=True)
def avatar(context: template.Context, person: User, size: int = 32) -> SafeString:
    """A person's picture (their upload, or the default), decorative beside their name."""
    return format_html(
        '<img class="avatar" src="{}" width="{}" height="{}" alt="">',
        objects.profile_picture(person, context["request"]),
        size,
        size,
    )
