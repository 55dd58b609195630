"""The fault schedule: the chosen faults spread over the middle of the run, each lasting fault
healed after `hold` seconds; a log of what was done and when."""

from __future__ import annotations

import threading
import time
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
        stop: threading.Event, log: list[str]) -> None:  # fmt: skip
    for at, name in schedule:
        if stop.wait(max(0.0, start + at - time.monotonic())):
            return
        inject, heal = target.FAULTS[name]
        t = time.monotonic() - start
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
