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
# Gunicorn would take X-Forwarded-Proto from loopback as the request's scheme: the app decides
# instead, believing only FILMROLL_TRUSTED_PROXIES (filmroll/web/transport.py).
secure_scheme_headers: dict[str, str] = {}


def child_exit(server, worker):
    # Metrics are files per process (Prometheus multiprocess mode): a dead worker's gauges go.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
