"""deploy/fabfile.py over real SSH (this machine's sshd on a loopback port), on two hosts at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from filmroll.cluster import lifecycle, supervise
from tests.cluster.conftest import ROOT, Cluster
from tests.support.servers import free_port, wait_port

FAB = [str(Path(sys.executable).parent / "fab"), "-r", str(ROOT / "deploy")]


@pytest.fixture
def sshd(tmp_path: Path):
    """An sshd on a free loopback port that lets in one key; (port, private key path)."""
    for name in ("host", "client"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / name)], check=True
        )
    (tmp_path / "authorized_keys").write_text((tmp_path / "client.pub").read_text())
    Path("/run/sshd").mkdir(exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-p", str(port), "-h", str(tmp_path / "host"),
         "-o", "ListenAddress=127.0.0.1", "-o", f"AuthorizedKeysFile={tmp_path / 'authorized_keys'}",
         "-o", "StrictModes=no", "-o", "PasswordAuthentication=no", "-o", "UsePAM=no",
         "-o", "PermitRootLogin=prohibit-password", "-o", f"PidFile={tmp_path / 'sshd.pid'}"],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_port(port)
    yield port, tmp_path / "client"
    server.terminate()
    server.wait()


def _fab(key: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*FAB, "-i", str(key), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_fabric_deploys_migrates_and_restarts_over_ssh(
    cluster: Cluster, sshd, tmp_path: Path
) -> None:
    port, key = sshd
    hosts = f"127.0.0.1:{port},localhost:{port}"
    app = tmp_path / "app"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(app)], check=True)
    subprocess.run(["git", "-C", str(app), "checkout", "--quiet", "HEAD~1"], check=True)
    (app / ".venv").symlink_to(Path(sys.executable).parent.parent)
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()

    deployed = _fab(
        key, "deploy", "--hosts", hosts, "--ref", head, "--app", str(app), "--no-install"
    )
    assert deployed.stdout.count("exit 0") == 2  # both hosts
    assert (
        subprocess.run(
            ["git", "-C", str(app), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        == head
    )

    env_file = tmp_path / "env"
    env_file.write_text(cluster.filmroll("cluster", "env").stdout)
    migrated = _fab(
        key, "migrate", "--hosts", hosts, "--app", str(app), "--env-file", str(env_file)
    )
    assert migrated.stdout.count("exit 0") == 1  # once, on the first host

    before = {name: supervise.pid(cluster.where, name) for name in ("app_1", "app_2")}
    ctl = f"{Path(sys.executable).parent / 'supervisorctl'} -c {cluster.where.root / 'etc' / 'supervisord.conf'}"
    _fab(key, "restart", "--hosts", f"127.0.0.1:{port}", "--command", f"{ctl} restart app_1 app_2")
    after = {name: supervise.pid(cluster.where, name) for name in ("app_1", "app_2")}
    assert all(before[name] != after[name] for name in before)
    lifecycle.wait_healthy(cluster.where)


def test_a_dry_run_prints_each_hosts_commands_and_runs_none() -> None:
    done = subprocess.run(
        [*FAB, "--dry", "release", "--hosts", "web1,web2", "--ref", "v2"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split("]")[0] for line in lines] == [
        "[web1:22",
        "[web2:22",
        "[web1:22",
        "[web1:22",
        "[web2:22",
    ]
    assert "git checkout --quiet --force v2" in lines[0] and "filmroll init" in lines[2]
    assert "systemctl" in lines[3]
