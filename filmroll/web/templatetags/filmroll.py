"""Template tags of the web app. `photo` draws one photo of a feed or a page in Python: the
feed shows a dozen, and drawing each through the template engine cost more than the whole API
request behind the page."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString

from filmroll.web import placeholders

register = template.Library()


def placeholder(hash_: str | None) -> str:
    """A CSS background showing the photo's blurhash while it loads."""
    url = placeholders.data_url(hash_)
    return f"background: url({url}) center / cover no-repeat" if url else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


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
        SafeString('<input type="hidden" name="action" value="unlike">'
                   '<button type="submit" aria-pressed="true">♥ liked</button>')
        if liked else SafeString('<button type="submit" aria-pressed="false">♡ like</button>')
    )  # fmt: skip
    return format_html(
        '<article class="photo" id="m{id}">'
        '<p><a href="/{who}/"><img class="avatar" src="{face}" width="32" height="32" alt="">'
        "<strong>{who}</strong></a>{where}</p>"
        '<a href="/p/{code}/"><img src="{src}" width="{w}" height="{h}" alt="{alt}" loading="lazy"'
        ' style="{bg}"></a>'
        '<p><form class="inline like-form" method="post" action="/p/{code}/like">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        '<input type="hidden" name="next" value="{back}#m{id}">{button}</form> '
        '<span class="likes">{likes}</span> · <a href="/p/{code}/">{comments}</a></p>'
        "{caption}</article>",
        id=item["id"], who=user["username"], face=user["profile_picture"], where=where, code=code, src=image["url"],
        w=image["width"], h=image["height"], alt=caption or f"A photo by {user['username']}",
        bg=placeholder(item.get("blurhash")), csrf=context.get("csrf_token") or get_token(request),
        back=request.get_full_path(), button=button,
        likes=_plural(item["likes"]["count"], "like"),
        comments=_plural(item["comments"]["count"], "comment"),
        caption=format_html("<p><strong>{}</strong> {}</p>", user["username"], caption)
        if caption else "",
    )  # fmt: skip
