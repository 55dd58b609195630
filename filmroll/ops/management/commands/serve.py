from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from filmroll import argtypes
from filmroll.observe import metrics
from filmroll.ops import demo, serving


class Command(BaseCommand):
    help = (
        "Serve filmroll with Gunicorn and, in the embedded default, a worker for background tasks"
        " beside it. Ctrl-C or SIGTERM stops them all."
    )

    def add_arguments(self, parser):
        config = settings.FILMROLL
        parser.add_argument(
            "--bind", type=argtypes.bind, default=config.bind, help="HOST:PORT (%(default)s)"
        )
        parser.add_argument(
            "--workers", type=argtypes.whole(1, 256), default=config.workers,
            help="web processes (%(default)s)",
        )  # fmt: skip
        parser.add_argument("--no-tasks", action="store_true", help="run no background-task worker")
        parser.add_argument(
            "--take-terminal", action="store_true",
            help="become the terminal's foreground, so Ctrl-C stops the server alone (`make demo`)",
        )  # fmt: skip
        parser.add_argument("--certfile", help="serve HTTPS with this PEM certificate (chain)")
        parser.add_argument("--keyfile", help="the certificate's PEM private key")

    def handle(
        self, *args, bind: str, workers: int, no_tasks: bool, take_terminal: bool,
        certfile: str | None, keyfile: str | None, **options,
    ):  # fmt: skip
        from filmroll.wsgi import application

        if bool(certfile) != bool(keyfile):
            raise CommandError("give both --certfile and --keyfile, or neither")
        metrics.sweep_dead()
        scheme = "https" if certfile else "http"
        ready = [f"filmroll is serving on {scheme}://{bind}/"]
        login = demo.login_line()
        if login:
            ready.append(login)
        connections.close_all()  # Gunicorn forks its workers: no connection may cross over

        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            serving.serve(
                application, bind, workers,
                tasks=not no_tasks and not settings.FILMROLL.broker_url,
                ready=ready, say=say, terminal=take_terminal,
                tls={"certfile": certfile, "keyfile": keyfile} if certfile and keyfile else {},
            )  # fmt: skip
        except serving.ServeError as error:
            raise CommandError(str(error), returncode=2) from None
