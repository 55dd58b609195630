"""Reading one FILMROLL_* value: the parsers of each kind and the checks a setting may name."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

PHYSICAL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
HOST_PORT = re.compile(r"^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$")

# A check takes how a message names the value (FILMROLL_X='v', or FILMROLL_X item 'v') and the
# value; it returns the value to keep or raises ConfigError.
Check = Callable[[str, str], str]


class ConfigError(Exception):
    """A FILMROLL_* variable has a value filmroll cannot use; the message says how to fix it."""


def as_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def as_int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is out of range: use {low} to {high}")
    return value


def as_pairs(name: str, raw: str, reserved: tuple[str, ...], check: Check) -> dict[str, str]:
    """`name=url,name=url` as an ordered mapping."""
    result: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key, sep, url = item.partition("=")
        key, url = key.strip(), url.strip()
        if not sep or not url:
            raise ConfigError(
                f"{name} item {item!r} is not NAME=URL "
                "(for example a=postgres://postgres@127.0.0.1:5432/filmroll_a)"
            )
        if not PHYSICAL_NAME.match(key) or key in reserved:
            raise ConfigError(
                f"{name} name {key!r}: use a lowercase letter then letters, digits"
                f" or _ (at most 31), and not {' or '.join(map(repr, reserved))}"
            )
        if key in result:
            raise ConfigError(f"{name} names {key!r} twice")
        result[key] = check(f"{name}={url!r}", url)
    return result


def _scheme(schemes: set[str], says: str, *, trim: bool = False) -> Check:
    def check(label: str, value: str) -> str:
        if urlsplit(value).scheme not in schemes:
            raise ConfigError(f"{label}{says}")
        return value.rstrip("/") if trim else value

    return check


http_url = _scheme({"http", "https"}, " must be an absolute http(s) URL", trim=True)
redis_url = _scheme(
    {"redis", "rediss", "sentinel"}, " is not a redis:// (or sentinel://SERVICE/DB) URL"
)
broker_url = _scheme(
    {"amqp", "pyamqp", "redis"}, ": use amqp://USER:PASSWORD@HOST:PORT// (RabbitMQ) or redis://"
)
sentry_dsn = _scheme({"http", "https"}, " is not a DSN: use https://KEY@HOST/PROJECT_ID")


def tile_url(label: str, url: str) -> str:
    """A map tile URL template; `none` or `off` (no tiles) as empty."""
    if url.lower() in {"none", "off"}:
        return ""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("{s}.")
    if parts.scheme not in {"http", "https"} or not host or any(c in url for c in " ;,'\"\\"):
        raise ConfigError(f"{label} must be an absolute http(s) URL, or none for no tiles")
    if "{" in host or "}" in host or any(f"{{{k}}}" not in url for k in "zxy"):
        raise ConfigError(
            f"{label} must hold {{z}}, {{x}} and {{y}} (and may start its host with {{s}}.),"
            " as https://tile.openstreetmap.org/{z}/{x}/{y}.png does"
        )
    return url


def database_url(label: str, url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ConfigError(
            f"{label}: only sqlite:///PATH and postgres://USER@HOST:PORT/NAME URLs are supported"
        )
    if scheme != "sqlite" and not urlsplit(url).path.strip("/"):
        raise ConfigError(f"{label} names no database: end the URL with /DATABASE_NAME")
    return url


def smtp_url(label: str, url: str) -> str:
    if urlsplit(url).scheme not in {"smtp", "smtp+tls"} or not urlsplit(url).hostname:
        raise ConfigError(
            f"{label}: use smtp+tls://USER:PASSWORD@HOST:587 (or smtp:// without TLS)"
        )
    return url


HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def host_name(label: str, value: str) -> str:
    if not HOST_NAME.match(value.lower()):
        raise ConfigError(f"{label} must be a host name, e.g. api.example.com")
    return value.lower()


def host_port(label: str, value: str) -> str:
    if not HOST_PORT.match(value):
        raise ConfigError(f"{label} is not HOST:PORT")
    return value


def network(label: str, value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ConfigError(
            f"{label} is not a network (for example 127.0.0.0/8 or ::1/128)"
        ) from None
    return value


def host_address(label: str, value: str) -> str:
    host, _, address = (part.strip() for part in value.partition("="))
    try:
        if not host:
            raise ValueError(value)
        ipaddress.ip_address(address)
    except ValueError:
        raise ConfigError(
            f"{label} is not NAME=ADDRESS (for example push.example=192.0.2.7)"
        ) from None
    return f"{host.lower()}={address}"


def readable_file(label: str, value: str) -> str:
    if not Path(value).is_file():
        raise ConfigError(f"{label} is not a readable file")
    return value
