"""Lists that go on: every list page shows one page and a "load more" link to the next; app.js
follows that link as the reader scrolls and asks for the next page's items alone (the request
marked X-Requested-With: fetch), which it appends to the list. Cursors are keyset IDs (or a
rank, for popular), so pages never repeat or skip an item."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def wants_piece(request: HttpRequest) -> bool:
    """A request from app.js, which wants the changed piece of the page, not all of it."""
    return request.headers.get("X-Requested-With") == "fetch"


def more_url(request: HttpRequest, cursor: int | None, name: str = "max_id") -> str:
    """This page's address with the next page's cursor; empty on the last page."""
    if cursor is None:
        return ""
    query = request.GET.copy()
    query[name] = str(cursor)
    return f"{request.path}?{urlencode(sorted(query.items()))}"


def start(request: HttpRequest) -> int:
    """The `start` cursor of a ranked list (a position); a bad one means the first page."""
    raw = request.GET.get("start", "")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 0


def page(
    request: HttpRequest, template: str, piece: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The whole page, or for app.js only `piece`: the page's items and its "load more" link."""
    return render(request, piece if wants_piece(request) else template, context, status=status)
