"""Gunicorn for one filmroll app server: `gunicorn -c deploy/gunicorn.conf.py filmroll.wsgi`.

Ports and sizes are filmroll settings (FILMROLL_BIND, FILMROLL_WORKERS;
docs/configuration.md), read as the app reads them;
`filmroll cluster up` and the systemd unit run this file as it is.
"""

# (Not `config`: Gunicorn would take a name of this module's for its own setting of that name.)
from filmroll.config import load

settings = load()
bind = settings.bind
workers = settings.workers
worker_class = "gthread"
threads = 4
timeout = 60
graceful_timeout = 10
# Longer than nginx's upstream keepalive_timeout (60 s), so nginx always closes an idle
# connection first: else it may send a request on one Gunicorn is closing, and count the error
# against a healthy server.
keepalive = 75
# Gunicorn would take X-Forwarded-Proto from loopback as the request's scheme: the app decides
# instead, believing only FILMROLL_TRUSTED_PROXIES (filmroll/web/transport.py).
secure_scheme_headers: dict[str, str] = {}


def post_fork(server, worker):
    # A worker dies with its master. Without this, a master killed with SIGKILL leaves its
    # workers holding the listening socket (they close it only after their graceful timeout), and
    # the restarted master cannot bind it ("Connection in use"). SIGKILL, not SIGTERM: a worker
    # stopping gracefully keeps the socket open. nginx resends the idempotent requests they had
    # to the other app server.
    import ctypes
    import os
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker.ppid:  # the master died before the line above took effect
        os._exit(1)


def child_exit(server, worker):
    # Metrics are files per process (Prometheus multiprocess mode): a dead worker's gauges go.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
