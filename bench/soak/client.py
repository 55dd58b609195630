"""An HTTP client of the v1 API that tallies every answer by status."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from typing import Any

import requests

TIMEOUT = 40  # seconds: longer than SQLite's 30 s busy wait, so a locked write shows as its 500


class Tally:
    """Requests and their answers by status (`conn` for no answer), over every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.failures: list[
            tuple[float, str]
        ] = []  # (monotonic time, status) of each 5xx or no answer

    def add(self, status: str, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if status == "conn" or status.startswith("5"):
                self.failures.append((time.monotonic(), status))

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def errors(self) -> dict[str, int]:
        return {s: n for s, n in sorted(self.statuses.items()) if not s.startswith("2")}


class Api:
    """One persona's (or an anonymous) session with the server at `base`."""

    def __init__(self, base: str, tally: Tally | None, token: str | None = None) -> None:
        self.base, self.tally, self.token = base.rstrip("/"), tally, token
        self.session = requests.Session()

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """(status, the envelope's JSON or None); status 0 when no answer came."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        url = path if path.startswith("http") else f"{self.base}/api/v1/{path.lstrip('/')}"
        start = time.monotonic()
        try:
            # verify=False: a cluster's own self-signed certificate, on loopback; given with each
            # request, since a session's own is overridden by REQUESTS_CA_BUNDLE
            answer = self.session.request(
                method, url, headers=headers, timeout=TIMEOUT, verify=False, **kwargs
            )
        except requests.RequestException:
            if self.tally:
                self.tally.add("conn", time.monotonic() - start)
            return 0, None
        if self.tally:
            self.tally.add(str(answer.status_code), time.monotonic() - start)
        try:
            body = answer.json()
        except ValueError:
            body = None
        return answer.status_code, body

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        return self.call("GET", path, params=params)

    def post(self, path: str, data: dict | None = None, **kwargs: Any) -> tuple[int, Any]:
        return self.call("POST", path, data=data or {}, **kwargs)

    def pages(self, path: str, **params: Any) -> list[Any] | None:
        """Every item of a paginated list, following `next_url`; None if a page failed."""
        items: list[Any] = []
        status, body = self.get(path, **params)
        while True:
            if status != 200 or body is None:
                print(f"soak: a read failed: GET {path} answered {status}", file=sys.stderr)
                return None
            items.extend(body.get("data") or [])
            nxt = (body.get("pagination") or {}).get("next_url")
            if not nxt:
                return items
            status, body = self.call("GET", nxt)
