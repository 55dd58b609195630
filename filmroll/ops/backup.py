"""`filmroll backup` and `filmroll restore` for installs on PostgreSQL.

A backup is a folder:
- one pg_dump (custom format) per database: the global one, the geo index, each physical shard
  database. They are consistent with each other: write transactions on every logical shard pause
  (the move fence of each, see sharding.db.atomic) while each server exports a snapshot, the global
  database's last, so every shard row's user is in it; the dumps then read those snapshots while
  writes go on. Lone statements take no fence: one may land between two servers' snapshots, as it
  could between any two of its own transactions.
- an RDB file of each Redis instance, read from one of its replicas (`redis-cli --rdb`), so the
  primaries are spared; feeds rebuild from PostgreSQL anyway, the file keeps sessions.
- photos.txt, every stored photo's key (the photos themselves stay in their bucket, which has
  its own versioning and replication).
- manifest.json: what is in it and the row counts at backup time.

`restore` loads the dumps into empty databases named by this install's settings.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import redis
from django.conf import settings
from django.db import connections

from filmroll import redisconn
from filmroll.cluster.topology import pg_bin
from filmroll.sharding import db, shardmap
from filmroll.sharding.schema import schema_name

Progress = Callable[[str], None]


class BackupError(Exception):
    """The backup or restore cannot be made; the message says why and what to do."""


def _databases() -> dict[str, str]:
    """file stem -> Django alias, for every database of the install."""
    found = {"global": "default", "index": "index"}
    found.update({f"shard-{name}": name for name in settings.FILMROLL.shard_databases})
    return found


def _direct(stem: str, alias: str) -> dict:
    """Connection parameters for pg_dump and pg_restore: FILMROLL_MAINTENANCE_DATABASES' URL
    for this database (past pgbouncer), else the app's."""
    name = {"global": "global", "index": "index"}.get(stem, alias)
    url = settings.FILMROLL.maintenance_databases.get(name)
    params = dj_database_url.parse(url) if url else settings.DATABASES[alias]
    return {
        "host": params.get("HOST") or "127.0.0.1",
        "port": int(params.get("PORT") or 5432),
        "user": params.get("USER") or "postgres",
        "password": params.get("PASSWORD") or None,
        "dbname": params["NAME"],
    }


def _libpq(stem: str, alias: str) -> list[str]:
    params = _direct(stem, alias)
    return [f"--host={params['host']}", f"--port={params['port']}",
            f"--username={params['user']}", f"--dbname={params['dbname']}"]  # fmt: skip


def _run(args: list[str], what: str, env: dict | None = None) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode:
        raise BackupError(f"{what} failed: {(done.stderr or done.stdout).strip()[:2000]}")


def _snapshot(stem: str, alias: str, stack: contextlib.ExitStack) -> str:
    """A snapshot of the database exported by a transaction of its own on the server pg_dump
    will read, kept open by `stack` until the dumps have started from it."""
    conn = stack.enter_context(psycopg.connect(**_direct(stem, alias)))
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    return _value(conn, "SELECT pg_export_snapshot()")


def _value(conn: psycopg.Connection, sql: str) -> Any:
    """The one value of a query that always answers one row."""
    row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _counts() -> dict[str, int]:
    from filmroll.accounts.models import User
    from filmroll.sharding.migrate import row_counts

    totals: dict[str, int] = {"users": User.objects.count()}
    for physical in shardmap.physicals():
        for table, count in row_counts(physical).items():
            totals[table] = totals.get(table, 0) + count
    return totals


def _redis_rdbs(folder: Path, progress: Progress) -> list[str]:
    """An RDB of each Redis instance, from a replica where it has one."""
    urls = [
        *settings.FILMROLL.feed_redis,
        *([settings.FILMROLL.session_redis] if settings.FILMROLL.session_redis else []),
    ]
    saved = []
    for n, url in enumerate(urls):
        primary = host, port = redisconn.address(url)
        info = redis.Redis(host=host, port=port, socket_timeout=5).info("replication")
        replica = info.get("slave0")
        if isinstance(replica, dict) and replica.get("state") == "online":
            host, port = replica["ip"], replica["port"]
        name = f"redis-{n}-{host}-{port}.rdb"
        progress(f"Redis {primary[0]}:{primary[1]}: RDB from {host}:{port}")
        _run(
            ["redis-cli", "-h", str(host), "-p", str(port), "--rdb", str(folder / name)],
            "redis-cli --rdb",
        )
        saved.append(name)
    return saved


def _photo_keys(folder: Path) -> int:
    from filmroll.files import storage

    backend = storage.backend()
    count = 0
    with (folder / "photos.txt").open("w") as out:
        if isinstance(backend, storage.S3):
            pages = backend.client.get_paginator("list_objects_v2").paginate(Bucket=backend.bucket)
            keys: Iterator[str] = (
                item["Key"] for page in pages for item in page.get("Contents", [])
            )
        else:
            root = Path(settings.MEDIA_ROOT)
            keys = (
                (str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
                if root.exists()
                else iter(())
            )
        for key in keys:
            out.write(key + "\n")
            count += 1
    return count


def backup(folder: Path, progress: Progress = print) -> dict:
    if folder.exists():
        raise BackupError(f"{folder} exists already: name a new folder for the backup")
    if settings.FILMROLL.embedded:
        raise BackupError(
            "this install is the embedded default: copy its data directory"
            f" ({settings.FILMROLL.data_dir}) while `filmroll serve` is stopped"
        )
    folder.mkdir(parents=True)
    databases = _databases()
    with contextlib.ExitStack() as stack:
        progress("pausing writes to every logical shard while each server exports a snapshot")
        paused = time.perf_counter()
        fences = contextlib.ExitStack()
        stack.enter_context(fences)
        for shard in range(shardmap.logical_count()):
            fences.enter_context(db.atomic(shard))
            db.fetchone(shard, f"SELECT moved FROM {schema_name(shard)}.guard FOR UPDATE")
        snapshots = {
            stem: _snapshot(stem, alias, stack)
            for stem, alias in databases.items()
            if stem != "global"
        }
        snapshots["global"] = _snapshot("global", "default", stack)
        counts = _counts()
        fences.close()  # writes go on; the dumps read the exported snapshots
        paused_ms = (time.perf_counter() - paused) * 1000
        for stem, alias in databases.items():
            progress(f"pg_dump: {stem}")
            _run(
                [str(pg_bin() / "pg_dump"), *_libpq(stem, alias), "--format=custom", f"--snapshot={snapshots[stem]}",
                 f"--file={folder / (stem + '.dump')}"],
                f"pg_dump of {stem}",
            )  # fmt: skip
    rdbs = _redis_rdbs(folder, progress)
    photos = _photo_keys(folder)
    manifest = {
        "made": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "databases": sorted(databases),
        "redis": rdbs,
        "photos": photos,
        "counts": counts,
        "writes_paused_ms": round(paused_ms, 1),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def _create_empty(stem: str, alias: str) -> None:
    """The database, made if missing; refused unless empty. Straight to its server: through
    pgbouncer, the first try at a missing database would hold its pool back for a while."""
    params = _direct(stem, alias)
    try:
        conn = psycopg.connect(**params, autocommit=True)
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as server:
            server.execute(f'CREATE DATABASE "{params["dbname"]}"')
        return
    with conn:
        schemas = _value(
            conn,
            "SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('public', 'information_schema')"
            " AND nspname NOT LIKE 'pg\\_%'",
        )
        tables = _value(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    if schemas or tables:
        raise BackupError(f"{params['dbname']} is not empty: restore into empty databases")


def restore(folder: Path, progress: Progress = print) -> dict:
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise BackupError(
            f"{folder} holds no backup (no manifest.json): give the folder `filmroll backup` made"
        )
    manifest = json.loads(manifest_path.read_text())
    databases = _databases()
    missing = sorted(set(manifest["databases"]) - set(databases))
    if missing:
        raise BackupError(
            f"the backup has {', '.join(missing)}, which this install's settings do not name:"
            " set FILMROLL_SHARD_DATABASES with the same physical names"
        )
    for stem in manifest["databases"]:
        _create_empty(stem, databases[stem])
    for stem in manifest["databases"]:
        progress(f"pg_restore: {stem}")
        _run(
            [str(pg_bin() / "pg_restore"), *_libpq(stem, databases[stem]), "--no-owner", "--exit-on-error",
             str(folder / f"{stem}.dump")],
            f"pg_restore of {stem}",
        )  # fmt: skip
    for alias in databases.values():
        connections[alias].close()
    shardmap.reload()
    counts = _counts()
    if counts != manifest["counts"]:
        raise BackupError(
            f"restored rows differ from the backup's: {counts} != {manifest['counts']}"
        )
    return {"counts": counts, "redis": manifest["redis"], "photos": manifest["photos"]}
