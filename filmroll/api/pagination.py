"""Cursor pagination: `count` (default 20, at most 100), `max_id` / `min_id`, and
`pagination: {next_url, next_max_id}` with next_url absolute and absent on the last page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest

from filmroll.errors import Invalid
from filmroll.sharding import ids


def count(request: HttpRequest, default: int = 20, most: int = 100) -> int:
    raw = request.GET.get("count")
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise Invalid("count must be a whole number")
    value = int(raw)
    if value < 1:
        raise Invalid("count must be at least 1")
    return min(value, most)


def cursor(request: HttpRequest, name: str = "max_id") -> int | None:
    """A page boundary. Unlike an ID naming a thing, any whole number will do: one past every
    ID (even "in the future") bounds nothing, 0 bounds everything."""
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        raise Invalid(f"{name} must be an ID: a whole number of at most 19 digits")
    return min(int(raw), ids.MAX_ID)


def links(request: HttpRequest, next_id: int | None, name: str = "max_id") -> dict:
    if next_id is None:
        return {}
    params = {k: v for k, v in request.GET.items() if k not in (name, "access_token")}
    params[name] = str(next_id)
    if "access_token" in request.GET:
        params["access_token"] = request.GET["access_token"]
    return {
        "next_url": request.build_absolute_uri(f"{request.path}?{urlencode(params)}"),
        f"next_{name}": str(next_id),
    }


def above(items: list, next_id: int | None, min_id: int | None) -> tuple[list, int | None]:
    """A newest-first page cut to what is newer than `min_id` (IDs grow with time): how a client
    asks only for what it has not seen. Where the cut falls, there is no next page."""
    if min_id is None:
        return items, next_id
    kept = [item for item in items if item.id > min_id]
    return kept, next_id if len(kept) == len(items) else None
