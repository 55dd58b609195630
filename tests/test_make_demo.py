"""A new user's first minutes: `make demo` in a fresh clone, in a terminal. It installs what
running needs, makes the install and the demo data, serves, and its last lines are the address
and the log-in; Ctrl-C stops every process it started, with one line."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import termios
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
REQUEST = re.compile(r"^\d\d:\d\d:\d\d GET / 200 \d+ ms$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clone(to: Path) -> None:
    """A clone, with the working tree's files as they are now (the clone has the committed
    ones), and nothing that is not in git: no venv, no data."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(to)], check=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, to / name)


class Terminal:
    """A command in a terminal of its own (a pseudo-terminal, its controlling tty), as when a
    person types it; `screen` is all it printed, without colours and cursor moves."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )  # fmt: skip
        os.close(slave)
        self.raw = b""

    @property
    def screen(self) -> str:
        return ANSI.sub(b"", self.raw).decode(errors="replace").replace("\r", "")

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if select.select([self.master], [], [], min(left, 0.2))[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # every process holding the terminal is gone
                    return
                if not chunk:
                    return
                self.raw += chunk

    def wait_for(self, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.screen:
            assert self.process.poll() is None, f"ended early:\n{self.screen[-3000:]}"
            assert time.monotonic() < deadline, f"no {text!r} after {seconds} s:\n{self.screen}"
            self.read(0.5)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


def _ours(clone: Path) -> list[str]:
    """Processes running from the clone (its venv's Python)."""
    listed = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return [line for line in listed.splitlines() if str(clone) in line and "ps -eo" not in line]


def test_make_demo_from_a_fresh_clone_ends_with_the_address_and_the_log_in(tmp_path):
    clone, data, port = tmp_path / "filmroll", tmp_path / "data", _free_port()
    _clone(clone)
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("FILMROLL_", "MAKE", "MFLAGS", "VIRTUAL_ENV", "PROMETHEUS_"))
    }  # fmt: skip
    terminal = Terminal(
        ["make", "demo", f"DEMO_PORT={port}", f"DEMO_DATA_DIR={data}", "DEMO_PHOTOS=4"],
        clone, {**env, "TERM": "xterm"},
    )  # fmt: skip
    try:
        serving = f"filmroll is serving on http://127.0.0.1:{port}/"
        terminal.wait_for(f"{serving}\nlog in as", 900)  # pip may need a while on a cold cache
        assert "Successfully installed" in terminal.screen or "already satisfied" in terminal.screen
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as home:
            assert home.status == 200 and b"filmroll" in home.read()
        terminal.read(2)
        lines = [line for line in terminal.screen.splitlines() if line.strip()]
        assert lines[-3:-1] == [serving, "log in as ana, password filmroll-demo"], lines[-10:]
        assert REQUEST.match(lines[-1]), lines[-1]  # the home page just asked for, and nothing else
        venv = clone / ".venv" / "lib"
        assert not list(venv.glob("python*/site-packages/pytest")), "test tools were installed"
        assert list(venv.glob("python*/site-packages/mvtbdata")), "no demo photographs"

        before = len(terminal.screen)
        os.write(terminal.master, b"\x03")  # Ctrl-C
        terminal.process.wait(timeout=60)
        terminal.read(1)
        said = terminal.screen[before:]
        assert said.replace("^C", "").strip() == "filmroll stopped", said
        assert terminal.process.returncode == 0  # make saw its server end well: no "Interrupt"
        deadline = time.monotonic() + 30
        while _ours(clone) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _ours(clone) == []
    finally:
        terminal.close()
