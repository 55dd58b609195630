"""The operator's cluster commands refuse what they cannot do, saying why, and change nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from filmroll.sharding import shardmap


def test_a_move_of_a_shard_that_is_not_there_is_refused():
    with pytest.raises(CommandError, match="there is no logical shard 9999"):
        call_command("shards", "move", "9999", "--to", shardmap.physicals()[0])


def test_a_move_to_an_unknown_server_is_refused():
    with pytest.raises(CommandError, match="'nowhere' is not a physical database here"):
        call_command("shards", "move", "0", "--to", "nowhere")


def test_a_move_to_where_the_shard_is_already_changes_nothing():
    where = shardmap.physical_of(0)
    with pytest.raises(CommandError, match=f"logical shard 0 is on {where} already"):
        call_command("shards", "move", "0", "--to", where)
    shardmap.reload()
    assert shardmap.physical_of(0) == where


def test_promoting_a_server_without_a_replica_is_refused():
    with pytest.raises(CommandError, match="has no replica in FILMROLL_SHARD_REPLICAS"):
        call_command("shards", "promote", shardmap.physicals()[0])


def test_a_backup_into_an_existing_folder_is_refused(tmp_path):
    (tmp_path / "kept.txt").write_text("mine")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_restoring_a_folder_that_holds_no_backup_is_refused(tmp_path):
    with pytest.raises(CommandError, match="holds no backup"):
        call_command("restore", str(tmp_path))


def test_cluster_commands_without_a_cluster_say_how_to_start_one():
    with pytest.raises(CommandError, match="filmroll cluster up"):
        call_command("cluster", "status")
