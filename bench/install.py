"""A fresh PostgreSQL install for a benchmark: its databases dropped, `filmroll init` run into
them, Django set up in this process."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit


def fresh(env: dict[str, str], logical_shards: int = 16) -> None:
    import psycopg

    shards = [item.split("=", 1)[1] for item in env["FILMROLL_SHARD_DATABASES"].split(",")]
    index = [env["FILMROLL_INDEX_DATABASE"]] if "FILMROLL_INDEX_DATABASE" in env else []
    for url in [env["FILMROLL_DATABASE_URL"], *shards, *index]:
        parts = urlsplit(url)
        with psycopg.connect(
            f"host={parts.hostname} port={parts.port} user={parts.username} dbname=postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {parts.path.strip('/')} WITH (FORCE)")
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "-m", "filmroll.cli", "init", "--logical-shards", str(logical_shards)],
        check=True,
        capture_output=True,
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    import django

    django.setup()
