"""docs/configuration.md, made from the settings' declaration (the fields of config.Config).
`make docs` (python -m filmroll.config.docs) writes it; a test fails when it is out of date."""

from __future__ import annotations

import typing
from dataclasses import Field, fields
from pathlib import Path

from filmroll.config import Config, env_name, values
from filmroll.config.datadir import SETTINGS_FILE

PATH = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
# What a checked value is, in the type column
CHECKED = {
    values.database_url: "database URL",
    values.http_url: "http(s) URL",
    values.redis_url: "Redis URL",
    values.broker_url: "broker URL",
    values.sentry_dsn: "DSN",
    values.smtp_url: "SMTP URL",
    values.host_port: "HOST:PORT",
    values.network: "network",
    values.readable_file: "file",
}

INTRO = f"""\
# Configuration

<!-- Made by `make docs` from the declaration in filmroll/config/__init__.py: edit it there. -->

filmroll reads these environment variables at start, and nothing else but the data directory's
settings file below (`filmroll/config` parses and checks them; a bad value stops the start with
a message saying what to change).
With none set, filmroll runs on the embedded default: SQLite and photos under `./var`.
An empty variable is the same as an unset one. Booleans are `1`/`0`, `true`/`false`, `yes`/`no`
or `on`/`off`; lists are comma-separated.

## The data directory's settings file

A data directory may hold a file `{SETTINGS_FILE}` of lines `FILMROLL_NAME=VALUE` (quoted as in a
shell; `#` starts a comment). Every `filmroll` command run with that `FILMROLL_DATA_DIR` uses
those settings, and a variable set in the environment wins over the file, an empty one too
(`FILMROLL_BROKER_URL=` goes back to the default). `FILMROLL_DATA_DIR` itself comes from the
environment only.

`filmroll cluster up` writes the file with the cluster's settings (and `filmroll shards promote`
rewrites it when a shard server's replica takes over), so `filmroll shards`, `filmroll check`
and the rest talk to the cluster with no further setup; `filmroll cluster env` prints the same
settings as `export` lines for a shell. `filmroll cluster down` leaves the file in place: the
data directory still holds the cluster's data, so commands run with it keep addressing the
stopped cluster (and fail to reach it) rather than quietly using an empty embedded install
beside it. The next `cluster up` rewrites the file, keeping the settings it held unless the
environment gives others. Delete the file to use the directory for something else.

## Variables

| variable | type | default | meaning |
|---|---|---|---|
"""


def _kind(f: Field, kind: object) -> str:
    meta = f.metadata
    if kind is int:
        return f"whole number, {meta['low']:,}–{meta['high']:,}"
    if kind is bool:
        return "boolean"
    if kind is Path:
        return "path"
    if meta["choices"]:
        return " or ".join(f"`{choice}`" for choice in meta["choices"])
    what = CHECKED.get(meta["check"])
    if kind == dict[str, str]:
        return f"`NAME=URL` list of {what}s"
    if kind in (tuple[str, ...], list[str]):
        return f"list of {what}s" if what else "list"
    return what or "text"


def _default(f: Field) -> str:
    meta = f.metadata
    default = meta["default"]
    if meta["shown"]:
        return meta["shown"]
    if isinstance(default, bool):
        return f"`{int(default)}`"
    if isinstance(default, tuple | list):
        default = ",".join(default)
    return f"`{default}`" if default != "" else "empty"


def markdown() -> str:
    kinds = typing.get_type_hints(Config)
    rows = [
        f"| `{env_name(f)}` | {_kind(f, kinds[f.name])} | {_default(f)} | {f.metadata['doc']} |\n"
        for f in fields(Config)
    ]
    return INTRO + "".join(rows)


if __name__ == "__main__":
    PATH.write_text(markdown())
    print(f"wrote {PATH}")
