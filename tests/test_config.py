import dataclasses
import os
import re
import shlex
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from filmroll import config
from filmroll.cluster import topology
from filmroll.config import datadir, docs

ROOT = Path(__file__).resolve().parents[1]
FILMROLL = str(Path(sys.executable).parent / "filmroll")


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


def test_an_empty_variable_is_the_default_and_a_scaled_one_is_given_in_its_unit(tmp_path):
    loaded = load(tmp_path, FILMROLL_METRICS="", FILMROLL_WORKERS=" ", FILMROLL_MAX_UPLOAD_MB="3")
    assert loaded.metrics is True and loaded.workers == 2
    assert loaded.max_upload_bytes == 3 * 1024 * 1024 and loaded.max_pixels == 50_000_000


def test_each_setting_is_declared_whole():
    names = [config.env_name(f) for f in dataclasses.fields(config.Config)]
    assert len(names) == len(set(names)) and all(n.startswith("FILMROLL_") for n in names)
    kinds = typing.get_type_hints(config.Config)
    for f in dataclasses.fields(config.Config):
        meta = f.metadata
        assert meta["doc"] and "\n" not in meta["doc"] and "|" not in meta["doc"], f.name
        if kinds[f.name] is int:
            assert meta["low"] <= meta["default"] <= meta["high"], f.name


def test_the_configuration_page_is_made_from_the_declaration():
    assert docs.PATH.read_text() == docs.markdown(), "docs/configuration.md is stale: run make docs"


def test_no_code_but_the_config_reads_a_filmroll_variable():
    reads = re.compile(
        r"""(environ\.get|getenv)\(\s*["']FILMROLL_|environ\[\s*["']FILMROLL_\w*["']\s*\](?!\s*=[^=])"""
    )
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("filmroll", "deploy", "bench", "tests")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if ROOT / "filmroll" / "config" not in path.parents
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if reads.search(line)
    ]
    assert found == []


# The data directory's settings file, as `filmroll cluster up` leaves it (Topology.save is what
# `up` calls); no cluster runs: commands name the cluster's addresses without reaching them.


def cluster_dir(tmp_path: Path) -> topology.Topology:
    where = topology.Topology(tmp_path, 31000, 8, (("FILMROLL_FANOUT_BATCH", "77"),))
    where.save()
    return where


def test_cluster_up_leaves_the_clusters_settings_for_every_load(tmp_path):
    where = cluster_dir(tmp_path)
    loaded = load(tmp_path)
    assert loaded == config.load(where.app_env())
    assert loaded.database_url == where.pg_url("global", "filmroll_global")
    assert list(loaded.shard_databases) == ["a", "b"] and not loaded.embedded
    assert loaded.fanout_batch == 77 and loaded.logical_shards == 8


def test_the_environment_wins_over_the_settings_file(tmp_path):
    cluster_dir(tmp_path)
    loaded = load(tmp_path, FILMROLL_FANOUT_BATCH="5", FILMROLL_BROKER_URL="")
    assert loaded.fanout_batch == 5 and loaded.broker_url == ""  # empty: back to the default
    assert loaded.feed_redis == ("sentinel://feeds0/0", "sentinel://feeds1/0")  # from the file


def _without_filmroll_settings(**env: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("FILMROLL_")}, **env}


@pytest.mark.django_db(databases=[])
def test_a_command_run_with_the_data_dir_talks_to_the_cluster(tmp_path):
    where = cluster_dir(tmp_path)
    # Redis and the broker emptied in the environment: it wins, and `check` does not wait on them
    env = _without_filmroll_settings(
        FILMROLL_DATA_DIR=str(tmp_path),
        FILMROLL_FEED_REDIS="",
        FILMROLL_SESSION_REDIS="",
        FILMROLL_BROKER_URL="",
    )
    done = subprocess.run([FILMROLL, "check"], env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr
    global_db = f"127.0.0.1:{where.port('pgbouncer_global')}"
    assert re.search(rf"database:global +postgresql +{global_db} ", done.stdout), done.stdout
    assert f"memcached:127.0.0.1:{where.port('memcached_0')}" in done.stdout
    assert "redis:" not in done.stdout and "broker" not in done.stdout
    assert "cluster mode" not in done.stdout and "embedded" not in done.stdout


@pytest.mark.django_db(databases=[])
def test_cluster_env_prints_what_the_settings_file_holds(tmp_path):
    cluster_dir(tmp_path)
    env = _without_filmroll_settings(FILMROLL_DATA_DIR=str(tmp_path))
    done = subprocess.run([FILMROLL, "cluster", "env"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    exported = dict(
        word.partition("=")[::2] for word in shlex.split(done.stdout) if word != "export"
    )
    assert exported == {**datadir.read_settings(tmp_path), "FILMROLL_DATA_DIR": str(tmp_path)}


def test_the_settings_file_is_shell_lines_and_a_bad_one_is_named(tmp_path):
    written = {"FILMROLL_MAIL_FROM": "filmroll <it's@example.com>", "FILMROLL_DATA_DIR": "/else"}
    path = datadir.write_settings(tmp_path, written, by="a test")
    assert path.stat().st_mode & 0o777 == 0o600  # settings may hold passwords
    assert datadir.read_settings(tmp_path) == {"FILMROLL_MAIL_FROM": written["FILMROLL_MAIL_FROM"]}
    path.write_text(
        "# a comment\nexport FILMROLL_WORKERS=3  # three\n\nFILMROLL_BIND='0.0.0.0:80'\n"
    )
    assert load(tmp_path).workers == 3 and load(tmp_path).bind == "0.0.0.0:80"
    path.write_text("FILMROLL_WORKERS=3\nWORKERS=4\n")
    with pytest.raises(
        config.ConfigError, match=r"settings.env line 2: 'WORKERS=4' is not FILMROLL_"
    ):
        load(tmp_path)
