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
import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


NOT_STORED = {"stored": False}  # the metadata of a field that is no column


def stored_as(load: Callable[[Any], Any]) -> dict[str, Any]:
    """The metadata of a column whose stored value becomes the field's value through `load`."""
    return {"load": load}


@functools.cache
def names(cls: type) -> tuple[str, ...]:
    """The columns of `cls`, in the order of its fields."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("stored", True))


@functools.cache
def _loads(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    return tuple(
        (f.name, f.metadata["load"]) for f in dataclasses.fields(cls) if "load" in f.metadata
    )


def columns(cls: type) -> str:
    """The SELECT list of `cls`: `id, media_id, user_id, text`."""
    return ", ".join(names(cls))


def make(cls: type[T], row: Sequence[Any]) -> T:
    """An instance of `cls` from a row selected with `columns(cls)`."""
    values = dict(zip(names(cls), row, strict=True))
    for name, load in _loads(cls):
        values[name] = load(values[name])
    return cls(**values)
