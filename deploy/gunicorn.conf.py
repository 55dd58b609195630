"""Gunicorn for one filmroll app server: `gunicorn -c deploy/gunicorn.conf.py filmroll.wsgi`.

Ports and sizes come from the environment (FILMROLL_BIND, FILMROLL_WORKERS), as filmroll's other
settings do; `filmroll cluster up` and the systemd unit run this file as it is.
"""

import os

bind = os.environ.get("FILMROLL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FILMROLL_WORKERS", "2"))
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
