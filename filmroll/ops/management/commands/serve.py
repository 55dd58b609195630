import multiprocessing
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication

from filmroll.observe import metrics
from filmroll.wsgi import application


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return application


def _run_tasks() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    import django

    django.setup()
    from filmroll.tasks import worker

    worker.run_forever()


class Command(BaseCommand):
    help = "Serve filmroll with Gunicorn and, beside it, a worker for background tasks."

    def add_arguments(self, parser):
        config = settings.FILMROLL
        parser.add_argument("--bind", default=config.bind, help="HOST:PORT (%(default)s)")
        parser.add_argument(
            "--workers", type=int, default=config.workers, help="web processes (%(default)s)"
        )
        parser.add_argument("--no-tasks", action="store_true", help="run no background-task worker")
        parser.add_argument("--certfile", help="serve HTTPS with this PEM certificate (chain)")
        parser.add_argument("--keyfile", help="the certificate's PEM private key")

    def handle(self, *args, bind: str, workers: int, no_tasks: bool, certfile: str | None,
               keyfile: str | None, **options):  # fmt: skip
        if bool(certfile) != bool(keyfile):
            raise CommandError("give both --certfile and --keyfile, or neither")
        scheme = "https" if certfile else "http"
        self.stdout.write(f"filmroll serving on {scheme}://{bind} with {workers} worker(s)")
        metrics.sweep_dead()
        if not no_tasks and not settings.FILMROLL.broker_url:
            # The embedded queue's worker, in a process of its own (with a broker, `filmroll worker`).
            multiprocessing.get_context("spawn").Process(target=_run_tasks, daemon=True).start()
        _Gunicorn(
            {
                "bind": bind,
                "workers": workers,
                "worker_class": "gthread",
                "threads": 4,
                "timeout": 60,
                "graceful_timeout": 10,
                # the app decides whom to believe about HTTPS (FILMROLL_TRUSTED_PROXIES), not
                # Gunicorn, which would take X-Forwarded-Proto from any loopback peer
                "secure_scheme_headers": {},
                **({"certfile": certfile, "keyfile": keyfile} if certfile else {}),
            }
        ).run()
