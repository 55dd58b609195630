"""The Following tab of the activity page (/activity/following/): what the people you follow
did, as feeds/following.assemble groups it, each line put into words here (translated)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from filmroll import objcache
from filmroll.accounts.models import User
from filmroll.api import objects
from filmroll.feeds import following
from filmroll.feeds.following import Item
from filmroll.web import lists
from filmroll.web.lookups import SignedInRequest, before
from filmroll.web.templatetags.filmroll import linked

PAGE = 30  # items a page shows (tests shorten it)


@dataclass
class Line:
    item: Item
    words: SafeString
    photos: list[dict[str, Any]]  # the photos' v1 objects, for their thumbnails


def _person(user: User) -> SafeString:
    return format_html('<a href="/{0}/"><strong>{0}</strong></a>', user.username)


def _people(users: list[User]) -> SafeString:
    """ "ana", "ana and bo", "ana, bo and cy", "ana, bo and 3 others", linked."""
    if len(users) > 3:
        others = len(users) - 2
        return format_html(
            ngettext("{first}, {second} and {n} other", "{first}, {second} and {n} others", others),
            first=_person(users[0]), second=_person(users[1]), n=others,
        )  # fmt: skip
    if len(users) == 1:
        return _person(users[0])
    some = format_html_join(", ", "{}", ((_person(u),) for u in users[:-1]))
    return format_html(gettext("{some} and {last}"), some=some, last=_person(users[-1]))


def words(item: Item) -> SafeString:
    who = _people(item.actors)
    if item.kind == "follow":
        return format_html(gettext("{who} started following {whom}."), who=who,
                           whom=_people(item.targets))  # fmt: skip
    if len(item.media) > 1:
        n = len(item.media)
        return format_html(ngettext("{who} liked {n} photo.", "{who} liked {n} photos.", n),
                           who=who, n=n)  # fmt: skip
    photo = item.media[0]
    owner = photo.owner.username if photo.owner is not None else ""
    url = f"/p/{photo.shortcode}/"
    if item.kind == "comment":
        return format_html(
            gettext('{who} commented on {owner}’s <a href="{url}">photo</a>: {text}'),
            who=who, owner=owner, url=url, text=linked(item.text),
        )  # fmt: skip
    return format_html(gettext('{who} liked {owner}’s <a href="{url}">photo</a>.'),
                       who=who, owner=owner, url=url)  # fmt: skip


@login_required
def following_page(request: SignedInRequest) -> HttpResponse:
    with objcache.remembering():
        items, next_id = following.assemble(request.user.id, before(request), PAGE)
        shown = {m.id: m for item in items for m in item.media}
        presented = dict(
            zip(
                shown,
                objects.media_list(list(shown.values()), request.user.id, request),
                strict=True,
            )
        )
    lines = [Line(item, words(item), [presented[m.id] for m in item.media]) for item in items]
    return lists.page(request, "web/following.html", "web/_following_page.html",
                      {"lines": lines, "more": lists.more_url(request, next_id)})  # fmt: skip
