"""Code run in child processes by the concurrency tests. It imports Django only once the child
has set it up, so it can be loaded by a freshly spawned interpreter."""

from __future__ import annotations

import os


def setup_django(test_names: dict[str, str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    import django
    from django.conf import settings

    django.setup()
    for alias, name in test_names.items():
        settings.DATABASES[alias]["NAME"] = name  # the parent's test databases


def insert_rows(test_names: dict[str, str], shard: int, worker: int, rows: int) -> list[int]:
    setup_django(test_names)
    from filmroll.sharding import db

    return [
        db.insert(
            shard, "locations", {"name": f"w{worker} r{n}", "latitude": 0.0, "longitude": 0.0}
        )
        for n in range(rows)
    ]
