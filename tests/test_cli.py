"""The `filmroll` command as a person meets it: its help, and every command run where there is no
install yet, or with bad arguments: one line saying what to do, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

from filmroll import cli

NO_INSTALL = "no filmroll install in {where}: run `filmroll init`"
# every command of filmroll's (and Django's that touch data) with arguments a person might give
NEEDS_INSTALL = [
    ["migrate"], ["demo", "--photos", "3"], ["serve", "--bind", "127.0.0.1:1"], ["worker"],
    ["beat"], ["shards"], ["shards", "move", "0", "--to", "main"], ["shards", "promote", "main"],
    ["backup", "{tmp}/backup"], ["feeds", "rebuild"], ["index", "rebuild"], ["munin"],
    ["createsuperuser", "--noinput"],
]  # fmt: skip
# commands that need no install, each with what it says instead
OTHERS = [
    (["cluster", "status"], 1, "filmroll cluster up"),
    (["restore", "{tmp}"], 1, "holds no backup"),
    (["cachewarm", "from-vmtouch", "{tmp}/none.txt"], 1, "cannot read"),
    (["ids", "decode", "2"], 0, ""),
]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMROLL_")}
    return {**env, **extra}


def _no_install(tmp: Path) -> tuple[dict[str, str], str]:
    """Settings naming a place with no install, on this run's backend; and how it is named."""
    if settings.FILMROLL.embedded:
        return _env(FILMROLL_DATA_DIR=str(tmp / "data")), str(tmp / "data")
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/filmroll_no_install_here"
    where = f"the database filmroll_no_install_here on {db['HOST']}:{db['PORT']}"
    return _env(FILMROLL_DATA_DIR=str(tmp / "data"), FILMROLL_DATABASE_URL=url), where


def _run(args: list[str], env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "filmroll.cli", *[a.format(tmp=tmp) for a in args]],
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> dict:
    """Every command above, run at once against a data dir with no install."""
    tmp = tmp_path_factory.mktemp("no-install")
    env, where = _no_install(tmp)
    runs = {
        tuple(args): subprocess.Popen(
            [sys.executable, "-m", "filmroll.cli", *[a.format(tmp=tmp) for a in args]],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        for args in [*NEEDS_INSTALL, *(o[0] for o in OTHERS), ["check"]]
    }
    done = {args: (p.wait(timeout=300), *p.communicate()) for args, p in runs.items()}
    return {"done": done, "where": where, "tmp": tmp}


@pytest.mark.parametrize("args", NEEDS_INSTALL, ids=" ".join)
def test_a_command_where_there_is_no_install_says_to_run_init(ran, args):
    status, out, err = ran["done"][tuple(args)]
    assert (status, out, err) == (2, "", NO_INSTALL.format(where=ran["where"]) + "\n")


@pytest.mark.parametrize(("args", "status", "says"), OTHERS, ids=[" ".join(o[0]) for o in OTHERS])
def test_commands_that_need_no_install_run_or_say_why_not_in_one_line(ran, args, status, says):
    done, out, err = ran["done"][tuple(args)]
    assert done == status and "Traceback" not in err
    if says:
        assert len(err.strip().splitlines()) == 1 and says in err


def test_check_reports_the_missing_install_as_down(ran):
    status, out, err = ran["done"][("check",)]
    assert status == 1
    assert out.splitlines()[1].startswith("DOWN install")
    assert NO_INSTALL.format(where=ran["where"]) in out
    assert err.startswith("CommandError: " + NO_INSTALL.format(where=ran["where"]))
    assert len(err.strip().splitlines()) == 1


def test_nothing_is_made_where_there_is_no_install(ran):
    made = sorted(p.name for p in (ran["tmp"] / "data").iterdir())
    assert not [name for name in made if name.endswith(".sqlite3")]  # no empty database files


def test_bad_arguments_get_argparse_s_message_before_the_install_is_looked_at(tmp_path):
    env, _ = _no_install(tmp_path)
    for args, message in [
        (["demo", "--photos", "-3"], "argument --photos: -3 is out of range: use 0 to 10000"),
        (["serve", "--bind", "nowhere"], "argument --bind: 'nowhere' is not HOST:PORT"),
        (["serve", "--workers", "0"], "argument --workers: 0 is out of range: use 1 to 256"),
        (["shards", "move", "one", "--to", "a"], "argument logical: 'one' is not a whole number"),
        (["init", "--logical-shards", "0"], "argument --logical-shards: 0 is out of range"),
    ]:
        done = _run(args, env, tmp_path)
        assert done.returncode == 2, args
        assert done.stderr.startswith(f"usage: filmroll {args[0]}"), done.stderr
        assert f"error: {message}" in done.stderr and "Traceback" not in done.stderr


def test_a_data_dir_that_cannot_be_made_gets_one_line_naming_it(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    data = tmp_path / "a-file" / "data"
    done = _run(["init"], _env(FILMROLL_DATA_DIR=str(data)), tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"filmroll: cannot use the data dir: {data}: Not a directory\n"


def test_help_lists_filmroll_s_commands_first_grouped_then_django_s(tmp_path):
    done = _run(["--help"], _env(FILMROLL_DATA_DIR=str(tmp_path)), tmp_path)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("usage: filmroll COMMAND")
    assert lines[2:6] == [
        "set up:",
        "  init       create the install: databases, the shard map, every schema (safe to rerun)",
        "  migrate    bring the global database and every logical shard to the current schema",
        "  demo       fill an empty install with demo people, photos, likes and comments",
    ]
    groups = [line for line in lines if line and not line.startswith(" ")][1:]
    assert groups == ["set up:", "serve:", "operate:", "inspect:", "Django's commands:"]
    django = " ".join(lines[lines.index("Django's commands:") + 1 :]).replace(",", "").split()
    assert "startproject" in django and "flush" in django and "runserver" in django
    assert not cli.OURS & set(django)  # ours are listed once, above
    assert done.stdout.count("\n  check ") == 1  # ours, not Django's as well


def test_help_lists_every_command_filmroll_has():
    ours = {name for name, app in get_commands().items() if app.startswith("filmroll")}
    assert ours == cli.OURS
