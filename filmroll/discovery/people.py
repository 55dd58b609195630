"""Searching people by the start of their username or full name, in any script."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from filmroll.accounts.models import User
from filmroll.errors import Invalid
from filmroll.graph import visibility


def search(viewer_id: int | None, q: Any, count: int) -> list[User]:
    """Active accounts whose username or full name starts with `q`, case-blind (full names are
    stored case-folded beside the original); exact username first, then shorter names. Private
    accounts are found (their photos stay hidden); those in a block with the viewer are not."""
    text = str(q or "").strip().lstrip("@").casefold()
    if not any(not c.isspace() and c != "@" for c in text):  # as the API document says
        raise Invalid("q is required: the start of a username or name")
    found = list(
        User.objects.filter(Q(username__startswith=text) | Q(name_key__startswith=text))
        .filter(is_active=True)
        .order_by("username")[: count * 2]
    )
    found = visibility.visible_people(viewer_id, found)
    found.sort(key=lambda u: (u.username != text, not u.username.startswith(text), len(u.username)))
    return found[:count]
