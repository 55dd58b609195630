"""A lock held across processes: for what test runs on this machine share (a Redis database the
tests name, a folder installed once), when two runs go at once (`make test` runs the embedded and
the cluster-backend runs side by side; pytest-xdist's workers run files side by side)."""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def machine_lock(name: str) -> Iterator[None]:
    """Hold the lock called `name` (a file under the system's temporary folder) until the `with`
    ends; another process asking for it waits."""
    path = Path(tempfile.gettempdir()) / f"filmroll-tests-{name}.lock"
    with path.open("a") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
