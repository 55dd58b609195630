"""Talking to subscribers' callback URLs through the outgoing client (filmroll/outgoing.py):
public addresses only, checked where the connection is made, no redirects, answers capped."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from filmroll import outgoing

MAX_ANSWER = 64 * 1024


class Unreachable(Exception):
    """The callback could not be reached or did not answer 2xx."""


def check(url: object) -> str:
    """The callback URL, stripped; Invalid saying why when it may not be called."""
    return outgoing.check(url, "callback_url")


def call(
    url: str,
    method: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
) -> tuple[int, bytes]:
    """One request; its status and its answer (at most 64 KB)."""
    try:
        with outgoing.client(
            max_bytes=MAX_ANSWER, headers={"User-Agent": "filmroll-realtime/1"}
        ) as client:
            answer = client.request(method, url, content=body, headers=headers, params=params)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise Unreachable(f"{urlsplit(url).hostname}: {error}") from None
    return answer.status_code, answer.content
