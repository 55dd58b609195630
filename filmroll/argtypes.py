"""Argument types for filmroll's commands: a bad value gets argparse's usage line and message
(exit status 2), never a traceback."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

BIND = re.compile(r"^(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$")


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number from `low` to `high` (no upper bound when None)."""

    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            span = f"{low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"{value} is out of range: use {span}")
        return value

    return parse


def bind(raw: str) -> str:
    """HOST:PORT, the port 1 to 65535."""
    found = BIND.match(raw)
    if not found or not 1 <= int(found.group(2)) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not HOST:PORT (for example 127.0.0.1:8000, or 0.0.0.0:8000 for every address)"
        )
    return raw
