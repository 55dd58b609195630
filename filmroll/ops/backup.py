"""`filmroll backup` and `filmroll restore` for installs on PostgreSQL.

A backup is a folder:
- one pg_dump (custom format) per database: the global one, the geo index, each physical shard
  database. They are consistent with each other: write transactions on every logical shard pause
  (the move fence of each, see sharding.db.atomic) while each server exports a snapshot, the global
  database's last, so every shard row's user is in it; the dumps then read those snapshots while
  writes go on. Lone statements take no fence: one may land between two servers' snapshots, as it
  could between any two of its own transactions.
- an RDB file of each Redis instance, read from one of its replicas (`redis-cli --rdb`), so the
  primaries are spared; feeds rebuild from PostgreSQL anyway, the sessions' file keeps sessions.
- photos/: a copy of every stored file the dumped rows name (each size of every photo, every
  profile picture), read from the photo store (local disk or S3) after the dumps; photos.txt
  lists their keys. The names come from the same snapshots as the dumps, so a restore has the
  file of every row it restores.
- manifest.json: what is in it and the row counts at backup time.

`restore` loads the dumps into empty databases named by this install's settings, puts the
photos back into this install's photo store (those it lacks), and says "checked" only when the
row counts match and every photo the backup names answers from the store.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
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


def _snapshot(stem: str, alias: str, stack: contextlib.ExitStack) -> tuple[str, psycopg.Connection]:
    """A snapshot of the database exported by a transaction of its own on the server pg_dump
    will read, kept open by `stack` until the dumps have started from it; that transaction,
    which reads what the dump does."""
    conn = stack.enter_context(psycopg.connect(**_direct(stem, alias)))
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    return _value(conn, "SELECT pg_export_snapshot()"), conn


def _named_keys(snapshots: dict[str, tuple[str, psycopg.Connection]]) -> list[str]:
    """Every storage key the dumped rows name, read in the dumps' own snapshots."""
    from filmroll.accounts.models import User
    from filmroll.media.rows import file_keys

    named: set[str] = set()
    for shard in range(shardmap.logical_count()):
        _, conn = snapshots[f"shard-{shardmap.physical_of(shard)}"]
        for images, carousel in conn.execute(
            f"SELECT images, carousel FROM {schema_name(shard)}.media"
        ):
            named.update(file_keys(images, carousel))  # every photo of an album too
    _, conn = snapshots["global"]
    table = User._meta.db_table
    named.update(
        k for (k,) in conn.execute(f"SELECT avatar_key FROM {table} WHERE avatar_key <> ''")
    )
    return sorted(named)


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


def _redis_rdbs(folder: Path, progress: Progress) -> dict[str, str]:
    """An RDB of each Redis instance, from a replica where it has one: file name -> role
    ("feeds0", "feeds1", ... or "sessions")."""
    roles = [(f"feeds{n}", url) for n, url in enumerate(settings.FILMROLL.feed_redis)]
    if settings.FILMROLL.session_redis:
        roles.append(("sessions", settings.FILMROLL.session_redis))
    saved = {}
    for role, url in roles:
        primary = host, port = redisconn.address(url)
        info = redis.Redis(host=host, port=port, socket_timeout=5).info("replication")
        replica = info.get("slave0")
        if isinstance(replica, dict) and replica.get("state") == "online":
            host, port = replica["ip"], replica["port"]
        name = f"redis-{role}-{host}-{port}.rdb"
        progress(f"Redis {role} ({primary[0]}:{primary[1]}): RDB from {host}:{port}")
        _run(
            ["redis-cli", "-h", str(host), "-p", str(port), "--rdb", str(folder / name)],
            "redis-cli --rdb",
        )
        saved[name] = role
    return saved


def _copy_photos(folder: Path, keys: list[str], progress: Progress) -> list[str]:
    """Copy each named file from the photo store into folder/photos; the keys it lacked (a
    photo deleted since the snapshot)."""
    from filmroll.files import storage

    progress(f"photos: copying {len(keys)} files from the photo store")
    missing = []
    for key in keys:
        try:
            data = storage.read(key)
        except Exception:  # gone from the store: a local file, or an S3 object, not found
            if storage.exists(key):
                raise
            missing.append(key)
            continue
        target = folder / "photos" / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    copied = sorted(set(keys) - set(missing))
    (folder / "photos.txt").write_text("".join(key + "\n" for key in copied))
    return missing


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
                [str(pg_bin() / "pg_dump"), *_libpq(stem, alias), "--format=custom", f"--snapshot={snapshots[stem][0]}",
                 f"--file={folder / (stem + '.dump')}"],
                f"pg_dump of {stem}",
            )  # fmt: skip
        keys = _named_keys(snapshots)
    rdbs = _redis_rdbs(folder, progress)
    missing = _copy_photos(folder, keys, progress)
    if missing:
        progress(f"photos: {len(missing)} named in the dumps were deleted meanwhile: {missing[:5]}")
    manifest = {
        "made": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "databases": sorted(databases),
        "redis": sorted(rdbs),
        "sessions_rdb": next((name for name, role in rdbs.items() if role == "sessions"), None),
        "photos": len(keys) - len(missing),
        "photos_missing": missing,
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
    photos = _restore_photos(folder, progress)
    rdb = manifest.get("sessions_rdb")
    sessions = None
    if rdb and settings.FILMROLL.session_redis and shutil.which("redis-server"):
        sessions = _load_sessions(folder / rdb, progress)
    return {"counts": counts, "sessions_rdb": rdb, "sessions": sessions, "photos": photos}


def _load_sessions(rdb: Path, progress: Progress) -> int:
    """The keys of the sessions Redis's RDB file put into this install's sessions Redis: a
    throwaway redis-server reads the file, each key goes over with DUMP and RESTORE, its time
    to live with it (keys the Redis has already are kept). How many went over."""
    target = redisconn.client(settings.FILMROLL.session_redis)
    db = target.connection_pool.connection_kwargs.get("db", 0)
    progress(f"sessions: loading {rdb.name} into the sessions Redis")
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copy(rdb, Path(scratch) / "dump.rdb")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", scratch,
             "--dbfilename", "dump.rdb", "--appendonly", "no", "--save", ""],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            source = redis.Redis(port=port, db=db, socket_timeout=30)
            for _ in range(300):
                with contextlib.suppress(redis.ConnectionError, redis.BusyLoadingError):
                    if not source.info("persistence")["loading"]:
                        break
                time.sleep(0.1)
            loaded = 0
            for key in source.scan_iter(count=1000):
                ttl = source.pttl(key)
                value = source.dump(key)
                if ttl == -2 or value is None:  # expired meanwhile
                    continue
                try:
                    target.restore(key, max(ttl, 0), value)
                    loaded += 1
                except redis.ResponseError as error:
                    if "BUSYKEY" not in str(error):
                        raise
        finally:
            server.terminate()
            server.wait(timeout=30)
    return loaded


def _restore_photos(folder: Path, progress: Progress) -> int:
    """Put the backup's photos into this install's store (those it lacks), then check that
    every photo the backup names, and every one a restored row names, answers from the store;
    how many."""
    from filmroll.files import storage
    from filmroll.media import orphans

    listed = folder / "photos.txt"
    copied = listed.read_text().split() if listed.exists() else []
    progress(f"photos: putting {len(copied)} files back into the photo store")
    for key in copied:
        copy = folder / "photos" / key
        if copy.is_file() and not storage.exists(key):
            storage.put(key, copy.read_bytes())
    keys = sorted({*copied, *orphans.named()})
    absent = [key for key in keys if not storage.exists(key)]
    if absent:
        raise BackupError(
            f"{len(absent)} of the {len(keys)} photos the backup names do not answer from the"
            f" photo store, e.g. {', '.join(absent[:5])}: the databases are restored, those"
            " photos are not; put them back (from the bucket's versions, or another copy)"
        )
    return len(keys)
