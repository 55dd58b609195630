from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from filmroll.accounts.models import User
from filmroll.sharding import db, ids, shardmap
from filmroll.sharding.migrate import migrate_shards
from filmroll.sharding.models import LogicalShard
from tests.support.install import TEST_LOGICAL_SHARDS


def test_it_spreads_logical_shards_evenly_in_contiguous_ranges():
    physicals = list(settings.FILMROLL.shard_databases)
    per = Counter(shardmap.physical_of(n) for n in range(shardmap.logical_count()))
    assert set(per) == set(physicals)
    assert max(per.values()) - min(per.values()) <= 1
    ranges = shardmap.ranges()
    assert [r[0] for r in ranges] == physicals
    assert ranges[0][1] == 0 and ranges[-1][2] == TEST_LOGICAL_SHARDS - 1


def test_it_spreads_an_uneven_count(django_db_blocker):
    LogicalShard.objects.all().delete()
    try:
        shardmap.create(5, ["x", "y"])
        assert [s.physical for s in LogicalShard.objects.order_by("number")] == [
            "x",
            "x",
            "x",
            "y",
            "y",
        ]
    finally:
        shardmap.reload()


@pytest.mark.parametrize("count", [0, 8193])
def test_it_refuses_a_shard_count_out_of_range(count):
    with pytest.raises(ValueError):
        shardmap.create(count, ["x"])


def test_it_names_a_physical_database_missing_from_the_configuration():
    LogicalShard.objects.filter(number=0).update(physical="gone")
    shardmap.reload()
    try:
        with pytest.raises(shardmap.NotInitialised, match="gone"):
            shardmap.physical_of(0)
    finally:
        LogicalShard.objects.filter(number=0).update(
            physical=list(settings.FILMROLL.shard_databases)[0]
        )
        shardmap.reload()


def test_sign_ups_take_logical_shards_in_turn():
    users = [User.objects.create_user(f"user{n}", "", "pw") for n in range(TEST_LOGICAL_SHARDS * 2)]
    per_shard = Counter(ids.shard_of(u.id) for u in users)
    assert sorted(per_shard) == list(range(TEST_LOGICAL_SHARDS))
    assert set(per_shard.values()) == {2}
    for user in users:
        assert user.shard == ids.shard_of(user.id)


def test_reads_across_shards_take_one_query_per_physical_database():
    rows = {}
    for shard in range(TEST_LOGICAL_SHARDS):
        for n in range(3):
            location_id = db.insert(
                shard,
                "locations",
                {"name": f"place {shard}.{n}", "latitude": 1.0, "longitude": 2.0},
            )
            rows[location_id] = f"place {shard}.{n}"
    aliases = shardmap.physicals()
    contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in aliases}
    for context in contexts.values():
        context.__enter__()
    try:
        found = db.fetch_by_keys(
            "locations", list(rows) + [ids.make_id(ids.EPOCH_MS, 1, 1)], "name"
        )
    finally:
        for context in contexts.values():
            context.__exit__(None, None, None)
    assert {key: row[0] for key, row in found.items()} == rows
    for alias in aliases:
        assert len(contexts[alias].captured_queries) == 1, alias


def test_every_row_lands_on_the_physical_database_of_its_shard():
    for shard in range(TEST_LOGICAL_SHARDS):
        location_id = db.insert(
            shard, "locations", {"name": "here", "latitude": 0.0, "longitude": 0.0}
        )
        assert ids.shard_of(location_id) == shard
        with connections[shardmap.physical_of(shard)].cursor() as cursor:
            cursor.execute(
                f"SELECT name FROM {db.table(shard, 'locations')} WHERE id = %s", [location_id]
            )
            assert cursor.fetchone() == ("here",)
        for other in set(shardmap.physicals()) - {shardmap.physical_of(shard)}:
            with connections[other].cursor() as cursor:
                if db.is_postgres(other):
                    # the schema of this shard does not even exist elsewhere
                    cursor.execute(
                        "SELECT count(*) FROM pg_namespace WHERE nspname = %s",
                        [f"shard_{shard:04d}"],
                    )
                    assert cursor.fetchone() == (0,)
                else:
                    cursor.execute("SELECT count(*) FROM locations WHERE id = %s", [location_id])
                    assert cursor.fetchone() == (0,)


def test_migrate_is_idempotent():
    assert migrate_shards() == 0


def test_shards_command_prints_ranges_and_row_counts(capsys):
    db.insert(0, "locations", {"name": "a", "latitude": 0.0, "longitude": 0.0})
    call_command("shards")
    out = capsys.readouterr().out
    assert f"{TEST_LOGICAL_SHARDS} logical shards" in out
    first = shardmap.ranges()[0]
    assert f"{first[0]}: logical shards {first[1]}-{first[2]}" in out
    assert f"{shardmap.physical_of(0)} rows: " in out
    assert "locations=1" in out


def test_an_id_naming_a_shard_this_install_lacks_finds_nothing():
    stray = ids.make_id(ids.EPOCH_MS + 1000, TEST_LOGICAL_SHARDS + 5, 1)
    assert db.fetch_by_keys("locations", [stray], "name") == {}
    with pytest.raises(shardmap.NoSuchShard):
        shardmap.physical_of(TEST_LOGICAL_SHARDS)
