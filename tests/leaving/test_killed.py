"""A purge killed with SIGKILL between two of its batches finishes when run again, and corrects
every count once: a real process (python -m filmroll's code in a child) is killed mid-purge."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from filmroll.accounts.models import User
from filmroll.leaving import purge
from tests.leaving import world
from tests.leaving.test_delete import assert_nothing_left, delete
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]

CHILD = """
import django, sys
django.setup()
from filmroll.leaving import purge
purge.purge(int(sys.argv[1]))
"""


def _database_url(alias: str) -> str:
    params = connections[alias].settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{params['NAME']}"
    return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def test_a_purge_killed_between_batches_finishes_when_run_again(tmp_path):
    w = world.build()
    counted = world.counts_of(w.bo, w.cy)
    assert delete(w.ana_api).status_code == 200
    run_tasks()
    world.expire_grace(w.ana)
    paused = tmp_path / "paused"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "filmroll.settings",
        "FILMROLL_DATABASE_URL": _database_url("default"),
        "FILMROLL_SHARD_DATABASES": ",".join(
            f"{a}={_database_url(a)}" for a in settings.FILMROLL.shard_databases
        ),
        "FILMROLL_INDEX_DATABASE": _database_url("index"),
        "FILMROLL_TEST_PAUSE": f"purge:{paused}",
        # its photo files where this test keeps them (the _media_root fixture: tmp_path/media)
        "FILMROLL_DATA_DIR": str(tmp_path),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(w.ana.id)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(600):
            if paused.exists() and paused.read_text():
                break
            assert child.poll() is None, "the purge ended before its first batch was done"
            time.sleep(0.1)
        else:
            raise AssertionError("the purge never reached its pause")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    # killed after a committed batch: part done, the account still there
    assert User.objects.filter(id=w.ana.id).exists()
    assert world.counts_of(w.bo, w.cy) != counted
    cache.delete(f"leaving:purge:{w.ana.id}")  # its claim lapses in CLAIM_SECONDS; here at once
    assert purge.purge(w.ana.id)
    assert_nothing_left(w, counted)
