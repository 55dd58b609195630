import os
import subprocess
import sys

import pytest

from filmroll import config


def load(tmp_path, **env):
    return config.load({"FILMROLL_DATA_DIR": str(tmp_path), **env})


def test_nothing_set_means_the_embedded_default(tmp_path):
    loaded = load(tmp_path)
    assert loaded.embedded
    assert loaded.database_url == f"sqlite:///{tmp_path / 'global.sqlite3'}"
    assert loaded.shard_databases == {"main": f"sqlite:///{tmp_path / 'shards.sqlite3'}"}
    assert loaded.secret_key == load(tmp_path).secret_key  # made once, then kept


def test_postgres_with_named_shard_databases(tmp_path):
    loaded = load(
        tmp_path,
        FILMROLL_DATABASE_URL="postgres://u@db1:5432/g",
        FILMROLL_SHARD_DATABASES="a=postgres://u@db1:5432/a, b=postgres://u@db2:5432/b",
    )
    assert not loaded.embedded
    assert list(loaded.shard_databases) == ["a", "b"]


def test_cluster_settings_replicas_maintenance_and_sentinels(tmp_path):
    loaded = load(
        tmp_path,
        FILMROLL_DATABASE_URL="postgres://u@db1:6432/g",
        FILMROLL_SHARD_DATABASES="a=postgres://u@db1:6432/a,b=postgres://u@db2:6432/b",
        FILMROLL_SHARD_REPLICAS="b=postgres://u@db2r:5432/b",
        FILMROLL_MAINTENANCE_DATABASES="global=postgres://u@db1:5432/g,index=postgres://u@db1:5432/i",
        FILMROLL_REDIS_SENTINELS="s1:26379, s2:26379",
        FILMROLL_FEED_REDIS="sentinel://feeds0/0,sentinel://feeds1/0",
        FILMROLL_READ_YOUR_WRITES_SECONDS="3",
    )
    assert loaded.shard_replicas == {"b": "postgres://u@db2r:5432/b"}
    assert set(loaded.maintenance_databases) == {"global", "index"}
    assert loaded.redis_sentinels == ("s1:26379", "s2:26379")
    assert loaded.read_your_writes == 3 and loaded.replica_max_lag == 5


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"FILMROLL_DEBUG": "maybe"}, "FILMROLL_DEBUG"),
        ({"FILMROLL_WORKERS": "many"}, "whole number"),
        ({"FILMROLL_WORKERS": "0"}, "out of range"),
        ({"FILMROLL_LOGICAL_SHARDS": "9000"}, "out of range"),
        ({"FILMROLL_DATABASE_URL": "mysql://x/y"}, "only sqlite"),
        ({"FILMROLL_DATABASE_URL": "postgres://u@h:5432"}, "names no database"),
        ({"FILMROLL_SHARD_DATABASES": "a"}, "NAME=URL"),
        ({"FILMROLL_SHARD_DATABASES": "Bad=sqlite:///x"}, "lowercase"),
        ({"FILMROLL_SHARD_DATABASES": "a=sqlite:///x,a=sqlite:///y"}, "twice"),
        ({"FILMROLL_SHARD_DATABASES": "a=postgres://u@h/x"}, "mix"),
        ({"FILMROLL_MEDIA_URL": "cdn.example.com"}, "absolute"),
        ({"FILMROLL_BIND": "8000"}, "HOST:PORT"),
        ({"FILMROLL_SHARD_REPLICAS": "zz=postgres://u@h:5432/x"}, "belong to a physical"),
        ({"FILMROLL_MAINTENANCE_DATABASES": "nope=postgres://u@h:5432/x"}, "use global, index"),
        ({"FILMROLL_FEED_REDIS": "sentinel://feeds0/0"}, "FILMROLL_REDIS_SENTINELS"),
        ({"FILMROLL_REDIS_SENTINELS": "sentinelhost"}, "HOST:PORT"),
        ({"FILMROLL_FEED_REDIS": "memcached://x"}, "sentinel://"),
    ],
)
def test_a_bad_value_is_named_with_what_to_do(tmp_path, env, says):
    with pytest.raises(config.ConfigError, match=says):
        load(tmp_path, **env)


@pytest.mark.django_db(databases=[])
def test_the_command_stops_with_the_message_and_status_2(tmp_path):
    env = {**os.environ, "FILMROLL_DATA_DIR": str(tmp_path), "FILMROLL_WORKERS": "lots"}
    done = subprocess.run(
        [sys.executable, "-m", "filmroll.cli", "shards"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "configuration error: FILMROLL_WORKERS='lots' is not a whole number" in done.stderr


def test_processes_starting_at_once_agree_on_one_secret_key(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(4) as pool:
        keys = list(pool.map(config._secret_key, [tmp_path] * 16))
    assert len(set(keys)) == 1 and len(keys[0]) > 40
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
