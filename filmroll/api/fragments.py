"""Media objects' fragments: what every viewer sees of a photo, encoded once and kept in each
process, keyed by the photo's ID, the address it was rendered for, and the object-cache
versions of every row it was made from (the photo, which holds its tags, its latest likers and
comments, its owner, those likers, commenters and people tagged, its place). Every write to any
of those rows replaces its version, so a changed photo or person is a new key and an old
fragment is never served; one made from rows read without versions (the embedded default, whose
processes share no cache to learn of writes from) is not kept at all.

Users' rows are trusted for five minutes by the object cache (accounts.users.cached: a change
made outside filmroll's write paths shows within five minutes); a fragment is kept no longer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import orjson

from filmroll import objcache
from filmroll.media.previews import Preview
from filmroll.media.rows import Media

KEPT = 4096  # fragments a process keeps, least recently used out first (~1.5 KB each)
SECONDS = 300


@dataclass(frozen=True)
class Fragment:
    encoded: bytes  # the JSON object without `user_has_liked` and `user_has_saved`
    people: frozenset[int]  # who `likes.data`, `comments.data` and `users_in_photo` list
    until: float  # monotonic deadline


_kept: OrderedDict[tuple, Fragment] = OrderedDict()
_lock = threading.Lock()


def key(m: Media, preview: Preview, prefix: str, base: str) -> tuple | None:
    """The fragment's key, or None when a row it depends on was read without a version."""
    people = sorted({*preview.likers, *(c[1] for c in preview.comments), *(t[0] for t in m.people)})
    versions = [
        objcache.version("media", m.id),
        objcache.version("previews", m.id),
        objcache.version("user", m.user_id),
        *(objcache.version("user", p) for p in people),
    ]
    if m.location_id:
        versions.append(objcache.version("location", m.location_id))
    if None in versions:
        return None
    return (m.id, prefix, base, *people, *versions)


def get(k: tuple | None) -> Fragment | None:
    if k is None:
        return None
    with _lock:
        found = _kept.get(k)
        if found is None:
            return None
        if found.until < time.monotonic():
            del _kept[k]
            return None
        _kept.move_to_end(k)
        return found


def put(k: tuple | None, fragment: Fragment) -> None:
    if k is None:
        return
    with _lock:
        _kept[k] = fragment
        while len(_kept) > KEPT:
            _kept.popitem(last=False)


def make(shared: dict) -> Fragment:
    people = {int(u["id"]) for u in shared["likes"]["data"]}
    people |= {int(c["from"]["id"]) for c in shared["comments"]["data"]}
    people |= {int(t["user"]["id"]) for t in shared["users_in_photo"]}
    return Fragment(orjson.dumps(shared), frozenset(people), time.monotonic() + SECONDS)


def for_viewer(fragment: Fragment, liked: bool, hidden: set[int], saved: bool = False) -> bytes:
    """The object as this viewer sees it: those in a block with the viewer left out of the
    likers, comments and people in the photo shown (never of the counts), and whether the
    viewer liked and saved it (the saved list is private: only its owner's objects say true)."""
    encoded = fragment.encoded
    if fragment.people & hidden:
        shown = orjson.loads(encoded)
        shown["likes"]["data"] = [u for u in shown["likes"]["data"] if int(u["id"]) not in hidden]
        shown["comments"]["data"] = [
            c for c in shown["comments"]["data"] if int(c["from"]["id"]) not in hidden
        ]
        shown["users_in_photo"] = [
            t for t in shown["users_in_photo"] if int(t["user"]["id"]) not in hidden
        ]
        encoded = orjson.dumps(shown)
    return (
        encoded[:-1]
        + (b',"user_has_liked":true' if liked else b',"user_has_liked":false')
        + (b',"user_has_saved":true}' if saved else b',"user_has_saved":false}')
    )


def forget() -> None:
    """Drop every kept fragment (tests that compare a cold render)."""
    with _lock:
        _kept.clear()
