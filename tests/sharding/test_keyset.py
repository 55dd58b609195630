"""Raw SQL with shape: db.Keyset pages a shard table's rows in either direction, each row once
while rows arrive; db.select and db.load_by_keys make row dataclasses by column name."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from filmroll.sharding import db, ids
from filmroll.sharding.rows import NOT_STORED, columns, stored_as


@dataclass(frozen=True)
class Follow:  # fields in another order than the table's columns
    created_ms: int
    target_id: int
    user_id: int
    seen: bool = field(default=False, metadata=NOT_STORED)


@dataclass(frozen=True)
class Photo:
    user_id: int
    images: dict = field(metadata=stored_as(json.loads))
    caption: str


def follow(user_id: int, target_id: int) -> None:
    db.execute(
        ids.shard_of(user_id),
        "INSERT INTO {following} (user_id, target_id, created_ms) VALUES (%s, %s, %s)",
        [user_id, target_id, target_id % 1000],
    )


def walk(user_id: int, newest_first: bool, between=lambda: None) -> list[int]:
    seen: list[int] = []
    cursor = None
    while page := db.select(
        ids.shard_of(user_id), Follow, "following", "user_id = %s", [user_id],
        db.Keyset("target_id", cursor, 2, newest_first=newest_first),
    ):  # fmt: skip
        assert len(page) <= 2
        seen += [f.target_id for f in page]
        cursor = page[-1].target_id
        between()
    return seen


def test_it_pages_newest_first_below_the_cursor_and_oldest_first_above_it():
    user_id, *targets = db.new_ids(3, 6)
    for target in targets:
        follow(user_id, target)
    assert walk(user_id, newest_first=True) == sorted(targets, reverse=True)
    assert walk(user_id, newest_first=False) == sorted(targets)


def test_rows_arriving_meanwhile_are_neither_repeated_nor_skipped_behind_the_cursor():
    user_id, *targets = db.new_ids(3, 6)
    for target in targets[:4]:
        follow(user_id, target)
    later = iter(targets[4:])

    def a_newer_one() -> None:  # IDs grow with time: each lands before the newest-first cursor
        if (target := next(later, None)) is not None:
            follow(user_id, target)

    assert walk(user_id, True, a_newer_one) == sorted(targets[:4], reverse=True)
    assert walk(user_id, False) == sorted(targets)


def test_rows_become_instances_by_column_name():
    user_id, target = db.new_ids(3, 2)
    follow(user_id, target)
    assert columns(Follow) == "created_ms, target_id, user_id"
    (found,) = db.select(ids.shard_of(user_id), Follow, "following", "user_id = %s", [user_id])
    assert found == Follow(created_ms=target % 1000, target_id=target, user_id=user_id)
    shard = ids.shard_of(user_id)
    media_id = db.insert(
        shard, "media", {"user_id": user_id, "caption": "hi", "images": '{"thumb": {"key": "k"}}'}
    )
    assert db.load_by_keys(Photo, "media", [media_id, media_id + 1]) == {
        media_id: Photo(user_id=user_id, images={"thumb": {"key": "k"}}, caption="hi")
    }
