"""filmroll IDs: 41 bits of milliseconds since EPOCH | 13 bits of logical shard | 10 bits of sequence.

IDs sort by time and name their logical shard, so any ID routes with no lookup. They stay positive
in a signed 64-bit integer until 2^40 ms (about 34.8 years) after the epoch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

EPOCH_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
SHARD_BITS = 13
SEQ_BITS = 10
MAX_SHARDS = 1 << SHARD_BITS
MAX_ID = (1 << 63) - 1
FUTURE_SLACK_MS = 60_000  # clocks of app and database servers may differ a little


@dataclass(frozen=True)
class DecodedId:
    id: int
    time: datetime
    shard: int
    sequence: int


def make_id(millis: int, shard: int, sequence: int) -> int:
    """The ID for `millis` (Unix time in ms), logical `shard` and `sequence` (taken mod 1024)."""
    if not 0 <= shard < MAX_SHARDS:
        raise ValueError(f"logical shard {shard} is outside 0..{MAX_SHARDS - 1}")
    return (
        ((millis - EPOCH_MS) << (SHARD_BITS + SEQ_BITS)) | (shard << SEQ_BITS) | (sequence % 1024)
    )


def shard_of(object_id: int) -> int:
    return (object_id >> SEQ_BITS) & (MAX_SHARDS - 1)


def millis_of(object_id: int) -> int:
    return (object_id >> (SHARD_BITS + SEQ_BITS)) + EPOCH_MS


def lowest_id_at(millis: int) -> int:
    """The smallest ID made at or after `millis`: a cursor bound for time-ordered queries (one
    past every ID for times beyond the ID space)."""
    return min(max(millis - EPOCH_MS, 0) << (SHARD_BITS + SEQ_BITS), MAX_ID)


def parse(raw: str | int) -> int:
    """An ID from text or int; ValueError saying why when it cannot be a filmroll ID."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not an ID")
    if isinstance(raw, str):
        text = raw.strip()
        if not text.isdigit() or not text.isascii():
            raise ValueError(f"{raw!r} is not an ID: IDs are positive whole numbers")
        raw = int(text)
    if not 0 < raw <= MAX_ID:
        raise ValueError(f"{raw} is not an ID: IDs are between 1 and {MAX_ID}")
    if millis_of(raw) > time.time() * 1000 + FUTURE_SLACK_MS:
        raise ValueError(f"{raw} is not an ID: its time would be in the future")
    return raw


def decode(raw: str | int) -> DecodedId:
    object_id = parse(raw)
    return DecodedId(
        id=object_id,
        time=datetime.fromtimestamp(millis_of(object_id) / 1000, tz=UTC),
        shard=shard_of(object_id),
        sequence=object_id & ((1 << SEQ_BITS) - 1),
    )
