"""Cursor pagination: `count` (default 20, at most 100), `max_id` / `min_id` (IDs sort by
time, so `min_timestamp` / `max_timestamp` are bounds of the same kind), and
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
        raise Invalid("count must be a whole number from 1")  # -1 and 0 told the same
    value = int(raw)
    if value < 1:
        raise Invalid("count must be a whole number from 1")
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


def timestamp(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise Invalid(f"{name} must be a Unix time in whole seconds")
    value = int(raw)
    if not 0 <= value < 2**34:
        raise Invalid(f"{name} is out of range")
    return value


def bounds(
    request: HttpRequest, above: str = "max_id", below: str = "min_id"
) -> tuple[int | None, int | None]:
    """A page's bounds as IDs, both exclusive: the newest first page ends below the first, and
    nothing at or under the second is shown. From the ID cursors and, as v1 allowed,
    `max_timestamp` / `min_timestamp` (Unix seconds, both inclusive)."""
    before, after = cursor(request, above), cursor(request, below)
    newest, oldest = timestamp(request, "max_timestamp"), timestamp(request, "min_timestamp")
    if newest is not None:
        bound = ids.lowest_id_at((newest + 1) * 1000)
        before = bound if before is None else min(before, bound)
    if oldest is not None:
        bound = ids.lowest_id_at(oldest * 1000) - 1
        after = bound if after is None else max(after, bound)
    return before, after
