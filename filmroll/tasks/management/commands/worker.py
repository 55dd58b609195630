import os
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from filmroll import argtypes
from filmroll.tasks import worker

QUEUES = "fanout,feeds,deletes,index,default"


class Command(BaseCommand):
    help = (
        "Run background tasks until stopped: a Celery worker when FILMROLL_BROKER_URL is set,"
        " else the embedded queue's (Ctrl-C or SIGTERM: it finishes the task in hand, then exits)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues", help=f"comma-separated queues to work on (default: {QUEUES})"
        )
        parser.add_argument(
            "--concurrency", type=argtypes.whole(1, 256), default=None,
            help="tasks run at once: Celery worker processes (2), or the embedded queue's"
            " threads (FILMROLL_TASK_WORKERS: one per core)",
        )  # fmt: skip
        parser.add_argument(
            "--beat",
            action="store_true",
            help="also queue periodic tasks (Celery beat): run exactly one worker with it",
        )

    def handle(self, *args, queues: str | None, concurrency: int | None, beat: bool, **options):
        if settings.FILMROLL.broker_url:
            from filmroll.tasks.celery_app import app

            argv = [
                "worker",
                "-Q",
                queues or QUEUES,
                "--concurrency",
                str(concurrency or 2),
                "-l",
                "INFO",
                # a node name of its own: workers sharing one with RabbitMQ fight over its queue
                "-n",
                f"{(queues or 'all').replace(',', '-')}-{os.getpid()}@%h",
            ]
            app.worker_main(argv + (["--beat"] if beat else []))
            return
        names = [q.strip() for q in queues.split(",") if q.strip()] if queues else None
        if options["verbosity"]:
            self.stdout.write(f"worker running on {', '.join(names) if names else 'every queue'}")
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        worker.run_forever(names, stop=stop, workers=concurrency or 0)
