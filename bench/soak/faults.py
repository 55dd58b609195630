"""The fault schedule: the chosen faults spread over the middle of the run, each lasting fault
healed after `hold` seconds; a log of what was done and when."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any


def plan(names: list[str], duration: float) -> list[tuple[float, str]]:
    """(seconds from the start, fault): evenly from 15% to 85% of the run."""
    if not names:
        return []
    if len(names) == 1:
        return [(duration * 0.4, names[0])]
    step = duration * 0.7 / (len(names) - 1)
    return [(duration * 0.15 + i * step, name) for i, name in enumerate(names)]


def run(target: Any, schedule: list[tuple[float, str]], hold: float, start: float,
        stop: threading.Event, log: list[str], marks: list[tuple[float, str]]) -> None:  # fmt: skip
    """`marks`: (monotonic time, fault) as each is injected, to tell whose errors are whose."""
    for at, name in schedule:
        if stop.wait(max(0.0, start + at - time.monotonic())):
            return
        inject, heal = target.FAULTS[name]
        t = time.monotonic() - start
        marks.append((time.monotonic(), name))
        try:
            note = getattr(target, inject)()
        except Exception as error:  # record the fault that could not be made, and go on
            log.append(f"t={t:5.1f}s {name}: could not inject: {error}")
            continue
        log.append(f"t={t:5.1f}s {name}: {note}")
        if heal:
            stop.wait(hold)
            getattr(target, heal)()
            log.append(f"t={time.monotonic() - start:5.1f}s {name}: healed")


def failures_by_fault(
    failures: list[tuple[float, str]], marks: list[tuple[float, str]]
) -> dict[str, Counter[str]]:
    """5xx answers and unanswered requests, each put under the last fault injected before it."""
    found: dict[str, Counter[str]] = {}
    for when, status in failures:
        before = [name for at, name in marks if at <= when]
        found.setdefault(before[-1] if before else "before any fault", Counter())[status] += 1
    return found
