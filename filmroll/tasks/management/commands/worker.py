from django.core.management.base import BaseCommand

from filmroll.tasks import worker


class Command(BaseCommand):
    help = "Run background tasks from the queue until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--queues", help="comma-separated queues to work on (default: all)")

    def handle(self, *args, queues: str | None, **options):
        names = [q.strip() for q in queues.split(",") if q.strip()] if queues else None
        self.stdout.write(f"worker running on {', '.join(names) if names else 'every queue'}")
        worker.run_forever(names)
