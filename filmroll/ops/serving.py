"""`filmroll serve`: Gunicorn, and beside it the embedded queue's task worker, restarted
when it dies.

It says where it serves only once the port is bound, fails at once when the port is taken, and
stops every process it started on Ctrl-C or SIGTERM, saying so in one line.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from gunicorn.app.base import BaseApplication

Say = Callable[[str], None]


class ServeError(Exception):
    """filmroll cannot serve; the message says why and what to do."""


def split_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    return host.strip("[]"), int(port)


def check_port(bind: str) -> None:
    """Bind the address for a moment, as Gunicorn will, to fail at once with a clear line
    (Gunicorn itself retries for five seconds, then logs its own error)."""
    host, port = split_bind(bind)
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise ServeError(
            f"cannot serve on {bind}: {host} is not an address here ({error.strerror})"
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"port {port} on {host} is taken: stop what listens there, or serve on"
                    " another port with --bind HOST:PORT"
                ) from None
            raise ServeError(f"cannot serve on {bind}: {error.strerror}") from None


def take_terminal() -> Callable[[], None]:
    """Make this process group the terminal's foreground, so Ctrl-C reaches the server alone,
    not the `make` that started it (which would then report an interruption); a function that
    gives the terminal back. Does nothing without a terminal."""
    try:
        fd = sys.stdin.fileno()
        if not os.isatty(fd) or os.getpgrp() == os.getpid():
            return lambda: None
        before = os.tcgetpgrp(fd)
        if before != os.getpgrp():  # not in the foreground: leave the terminal alone
            return lambda: None
        os.setpgid(0, 0)
    except (OSError, ValueError):
        return lambda: None

    def foreground(group: int) -> None:
        # a background group changing the foreground gets SIGTTOU unless it ignores it
        old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            os.tcsetpgrp(fd, group)
        except OSError:
            pass
        finally:
            signal.signal(signal.SIGTTOU, old)

    foreground(os.getpgrp())
    return lambda: foreground(before)


class TaskWorker:
    """`filmroll worker` in a process of its own, started and stopped with the server, and
    started again when it dies (killed, crashed, out of memory), after a pause that doubles
    with each quick death up to BACKOFF_MAX seconds; a worker that ran for a while starts
    again at once."""

    BACKOFF_MAX = 30.0
    STEADY = 60.0  # seconds of running after which a death is not "quick"

    def __init__(self, say: Say = lambda line: None) -> None:
        self.process: subprocess.Popen | None = None
        self.say = say
        self.stopping = threading.Event()
        self.restarts = 0
        self.watcher: threading.Thread | None = None

    def spawn(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "filmroll.cli", "worker", "--verbosity", "0"],
            stdin=subprocess.DEVNULL,
            # Ctrl-C reaches the server's group, not this: the server stops it when it stops,
            # so it is never interrupted while it is still starting
            process_group=0,
        )

    def start(self) -> None:
        self.process = self.spawn()
        self.watcher = threading.Thread(target=self.watch, name="task-worker-watch", daemon=True)
        self.watcher.start()

    def watch(self) -> None:
        pause = 0.0
        while not self.stopping.is_set():
            process, began = self.process, time.monotonic()
            assert process is not None
            code = process.wait()  # Gunicorn's arbiter may reap it first: then this says 0
            if self.stopping.is_set():
                return
            ran = time.monotonic() - began
            pause = 1.0 if ran >= self.STEADY else min(self.BACKOFF_MAX, max(1.0, pause * 2))
            how = f" (signal {-code})" if code < 0 else f" (exit code {code})" if code else ""
            self.say(f"the task worker stopped{how}; starting it again in {pause:.0f} s")
            if self.stopping.wait(pause):
                return
            self.process = self.spawn()
            self.restarts += 1

    def stop(self) -> None:
        self.stopping.set()
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # it finishes the tasks in hand, then exits
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Gunicorn(BaseApplication):
    def __init__(self, application, options: dict) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if (
            "control_socket_disable" in self.cfg.settings
        ):  # Gunicorn 25.1+: one server, no gunicornc
            self.cfg.set("control_socket_disable", True)

    def load(self):
        return self.application


def _mark_dead(server, worker) -> None:
    # Metrics are files per process (Prometheus multiprocess mode): a dead worker's gauges go.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve(
    application,
    bind: str,
    workers: int,
    tasks: bool,
    ready: list[str],
    say: Say,
    terminal: bool,
    tls: dict[str, str] | None = None,
) -> None:
    """Serve until stopped. `ready`: the lines printed once the port is bound; `tls`: the
    certfile and keyfile of HTTPS."""
    check_port(bind)
    give_back = take_terminal() if terminal else (lambda: None)
    worker = TaskWorker(say)

    def when_ready(server) -> None:
        if tasks:
            worker.start()
        for line in ready:
            say(line)

    def on_exit(server) -> None:
        worker.stop()
        say("filmroll stopped")
        give_back()

    Gunicorn(
        application,
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 60,
            "graceful_timeout": 30,  # a loaded machine can take over 10 s to end a worker
            # the app decides whom to believe about HTTPS (FILMROLL_TRUSTED_PROXIES), not
            # Gunicorn, which would take X-Forwarded-Proto from any loopback peer
            "secure_scheme_headers": {},
            **(tls or {}),
            # Gunicorn's own start and stop lines would bury the address; warnings still show
            "loglevel": "warning",
            "when_ready": when_ready,
            "on_exit": on_exit,
            "child_exit": _mark_dead,
        },
    ).run()
