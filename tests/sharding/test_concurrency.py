"""Many processes inserting into one logical shard at once never make the same ID."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
from django.conf import settings
from django.db import connections

from filmroll.sharding import db, ids
from tests.sharding import workers

PROCESSES = 6
ROWS_EACH = 300
SHARD = 3
pytestmark = pytest.mark.usefixtures("restores_install")


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_processes_inserting_into_one_shard_never_collide():
    names = {alias: connections[alias].settings_dict["NAME"] for alias in settings.DATABASES}
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(PROCESSES, mp_context=spawn) as pool:
        futures = [
            pool.submit(workers.insert_rows, names, SHARD, w, ROWS_EACH) for w in range(PROCESSES)
        ]
        batches = [future.result(timeout=240) for future in futures]
    made = [object_id for batch in batches for object_id in batch]
    # a repeated ID would have failed its insert on the primary key; check the set as well
    assert len(made) == len(set(made)) == PROCESSES * ROWS_EACH
    assert {ids.shard_of(object_id) for object_id in made} == {SHARD}
    (count,) = db.fetchone(SHARD, "SELECT count(*) FROM {locations}")
    assert count == PROCESSES * ROWS_EACH
    for batch in batches:  # each process saw its IDs' times rise (the sequence wraps at 1024)
        times = [ids.millis_of(object_id) for object_id in batch]
        assert times == sorted(times)
