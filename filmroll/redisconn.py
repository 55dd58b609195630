"""Redis clients for filmroll's Redis settings, which name an instance either directly,
`redis://HOST:PORT/DB`, or through Redis Sentinel, `sentinel://SERVICE/DB` with the Sentinels in
FILMROLL_REDIS_SENTINELS. A Sentinel client asks for the service's primary when it connects and
again after an error, so when Sentinel promotes a replica the app follows it without a restart.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.sentinel import Sentinel

from filmroll.once import once


@once
def _sentinel() -> Sentinel:
    nodes = [
        (host, int(port))
        for host, port in (item.rsplit(":", 1) for item in settings.FILMROLL.redis_sentinels)
    ]
    return Sentinel(nodes, socket_timeout=1, socket_connect_timeout=1)


def client(url: str, **options: Any) -> redis.Redis:
    parts = urlsplit(url)
    if parts.scheme == "sentinel":
        db = int(parts.path.strip("/") or 0)
        return _sentinel().master_for(parts.netloc, db=db, **options)
    return redis.Redis.from_url(url, **options)


def address(url: str) -> tuple[str, int]:
    """Where the instance behind `url` is now (its primary, for a Sentinel service)."""
    parts = urlsplit(url)
    if parts.scheme == "sentinel":
        return _sentinel().discover_master(parts.netloc)
    return parts.hostname or "127.0.0.1", parts.port or 6379


class _Client(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        # one client for the process, made under once's lock: see filmroll.once
        self._one = once(lambda: client(servers[0], socket_timeout=2, socket_connect_timeout=2))

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        return self._one()


class FollowingRedisCache(RedisCache):
    """Django's Redis cache (web sessions), through `client`: it follows a Sentinel fail-over."""

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = _Client
