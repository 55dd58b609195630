"""Whether this data dir (or global database) holds a filmroll install: a shard map made by
`filmroll init`. Every command that works on an install asks first, and so does /healthz/deep."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections

from filmroll.sharding import shardmap

# PostgreSQL: the database is not there; the shard map's table is not there
_NOT_MADE = {"3D000", "42P01"}


def where() -> str:
    """The data dir in the embedded default, else the global database's name and server."""
    db = settings.DATABASES["default"]
    if connections["default"].vendor == "sqlite":
        return str(settings.FILMROLL.data_dir)
    return f"the database {db['NAME']} on {db['HOST']}:{db['PORT']}"


def missing() -> str:
    return f"no filmroll install in {where()}: run `filmroll init`"


def problem() -> str | None:
    """None when the install is there; else one line saying what is wrong and what to do.
    Never creates anything: an SQLite file that is not there is not opened (that would make it)."""
    default = connections["default"]
    if default.vendor == "sqlite" and not Path(default.settings_dict["NAME"]).exists():
        return missing()
    try:
        return None if shardmap.exists() else missing()
    except DatabaseError as error:
        # a connection that failed has no SQLSTATE: its message says it (PostgreSQL, pgbouncer)
        name = default.settings_dict["NAME"]
        said = (f'database "{name}" does not exist', "no such database", "no such table")
        if getattr(error.__cause__, "sqlstate", None) in _NOT_MADE or any(
            text in str(error) for text in said
        ):
            return missing()
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"cannot reach the global database ({where()}): {first}"


class Missing(Exception):
    """There is no install here (or its database cannot be reached); the message says which."""


def check() -> None:
    """For /healthz/deep: raises Missing when there is no install."""
    found = problem()
    if found:
        raise Missing(found)
