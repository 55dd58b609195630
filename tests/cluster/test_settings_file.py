"""`filmroll cluster up` leaves the cluster's settings in its data directory: a command given
that data directory alone talks to the cluster (docs/configuration.md)."""

from __future__ import annotations

import os
import subprocess

from tests.cluster.conftest import FILMROLL, SETTINGS, Cluster


def test_a_command_given_only_the_data_dir_uses_the_cluster(cluster: Cluster) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMROLL_")}
    env["FILMROLL_DATA_DIR"] = str(cluster.where.data_dir)
    shards = subprocess.run([FILMROLL, "shards"], env=env, capture_output=True, text=True)
    assert shards.returncode == 0, shards.stdout + shards.stderr
    assert shards.stdout.startswith("8 logical shards")
    assert "a: logical shards" in shards.stdout and "b: logical shards" in shards.stdout
    # the settings given to `up` are kept beside the cluster's own
    code = "from django.conf import settings; print(settings.FILMROLL.fanout_batch)"
    shell = subprocess.run(
        [FILMROLL, "shell", "--no-imports", "-c", code], env=env, capture_output=True, text=True
    )
    assert shell.stdout.strip() == SETTINGS["FILMROLL_FANOUT_BATCH"], shell.stderr
