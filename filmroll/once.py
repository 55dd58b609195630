"""`once`: a per-process singleton for a function without arguments, made under a lock.

functools.cache may run the function twice when two threads (Gunicorn's gthread workers) ask
at once, and drops one result; a dropped Redis client closes its connections when collected,
under the thread still using them. Here the second thread waits for the first one's result."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class once(Generic[T]):  # noqa: N801  (used as a decorator, like functools.cache)
    def __init__(self, make: Callable[[], T]) -> None:
        functools.update_wrapper(self, make)
        self._make = make
        self._lock = threading.Lock()
        self._made: list[T] = []

    def __call__(self) -> T:
        if not self._made:
            with self._lock:
                if not self._made:
                    self._made.append(self._make())
        return self._made[0]

    def cache_clear(self) -> None:
        with self._lock:
            self._made.clear()
