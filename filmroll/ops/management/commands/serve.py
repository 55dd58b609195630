from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

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


class Command(BaseCommand):
    help = "Serve filmroll with Gunicorn (and, in the embedded default, its background work)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=settings.FILMROLL.bind, help="HOST:PORT (%(default)s)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.FILMROLL.workers,
            help="worker processes (%(default)s)",
        )

    def handle(self, *args, bind: str, workers: int, **options):
        self.stdout.write(f"filmroll serving on http://{bind} with {workers} worker(s)")
        _Gunicorn(
            {
                "bind": bind,
                "workers": workers,
                "worker_class": "gthread",
                "threads": 4,
                "accesslog": "-",
                "timeout": 60,
                "graceful_timeout": 10,
            }
        ).run()
