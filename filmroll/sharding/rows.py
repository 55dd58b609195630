"""Rows as dataclasses: a SELECT names the columns of the dataclass's fields, and each row
becomes an instance by those names, never by position.

    @dataclass(frozen=True)
    class Comment:
        id: int
        text: str

    db.select(shard, Comment, "comments", "media_id = %s", [media_id])

A field that is no column says so in its metadata, `field(default=None, metadata=NOT_STORED)`;
one stored in another form (JSON text) names how it is read,
`field(metadata=stored_as(json.loads))`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


NOT_STORED = {"stored": False}  # the metadata of a field that is no column


def stored_as(load: Callable[[Any], Any]) -> dict[str, Any]:
    """The metadata of a column whose stored value becomes the field's value through `load`."""
    return {"load": load}


def names(cls: type) -> tuple[str, ...]:
    """The columns of `cls`, in the order of its fields."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("stored", True))


def columns(cls: type) -> str:
    """The SELECT list of `cls`: `id, media_id, user_id, text`."""
    return ", ".join(names(cls))


def _loads(cls: type) -> list[tuple[str, Callable[[Any], Any]]]:
    return [(f.name, f.metadata["load"]) for f in dataclasses.fields(cls) if "load" in f.metadata]


def maker(cls: type[T]) -> Callable[[Sequence[Any]], T]:
    """A function that makes an instance of `cls` from a row selected with `columns(cls)`."""
    keys, loads = names(cls), _loads(cls)

    def make(row: Sequence[Any]) -> T:
        values = dict(zip(keys, row, strict=True))
        for name, load in loads:
            values[name] = load(values[name])
        return cls(**values)

    return make
