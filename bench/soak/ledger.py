"""Every write the server acknowledged (answered 2xx), to be read back after the drain."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Person:
    id: int
    username: str
    token: str
    # as last acknowledged; None after a change answered 5xx (it may or may not have been made)
    private: bool | None = False


@dataclass
class Ledger:
    lock: threading.Lock = field(default_factory=threading.Lock)
    people: dict[int, Person] = field(default_factory=dict)
    # (follower, followed) -> when the follow was acknowledged (Unix time, to compare with the
    # time in photo IDs)
    follows: dict[tuple[int, int], float] = field(default_factory=dict)
    # photo -> (owner, when its upload was sent: Unix time)
    uploads: dict[int, tuple[int, float]] = field(default_factory=dict)
    likes: set[tuple[int, int]] = field(default_factory=set)  # (liker, photo)
    comments: dict[int, tuple[int, int]] = field(default_factory=dict)  # comment -> (photo, author)
    writes_answered_5xx: int = 0
    # uploads answered 5xx or not at all: (owner, sent, answered: Unix times, status or "conn"),
    # to tell a photo made under a 503 (which says nothing was posted) from one whose answer a
    # kill cut off
    failed_uploads: list[tuple[int, float, float, str]] = field(default_factory=list)

    def person(self, person: Person) -> None:
        with self.lock:
            self.people[person.id] = person

    def follow(self, follower: int, followed: int) -> None:
        with self.lock:
            self.follows.setdefault((follower, followed), time.time())

    def upload(self, media_id: int, owner: int, sent: float) -> None:
        with self.lock:
            self.uploads[media_id] = (owner, sent)

    def upload_failed(self, owner: int, sent: float, status: int) -> None:
        with self.lock:
            self.failed_uploads.append((owner, sent, time.time(), str(status or "conn")))

    def like(self, liker: int, media_id: int) -> None:
        with self.lock:
            self.likes.add((liker, media_id))

    def comment(self, comment_id: int, media_id: int, author: int) -> None:
        with self.lock:
            self.comments[comment_id] = (media_id, author)

    def acknowledged(self) -> dict[str, list]:
        """The acknowledged writes as they stand now, as JSON (`bench.soak.restored` reads it)."""
        with self.lock:
            return {
                "uploads": list(self.uploads),
                "follows": list(self.follows),
                "likes": list(self.likes),
                "comments": [[c, m] for c, (m, _) in self.comments.items()],
            }

    def followed_by(self, follower: int) -> list[int]:
        with self.lock:
            return [b for a, b in self.follows if a == follower]

    def photos_of(self, owners: list[int]) -> list[int]:
        wanted = set(owners)
        with self.lock:
            return [m for m, (owner, _) in self.uploads.items() if owner in wanted]
