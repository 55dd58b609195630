from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Queue periodic tasks on schedule (Celery beat): run exactly one, beside the workers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule", help="where beat keeps the last run of each task (a file)"
        )

    def handle(self, *args, schedule: str | None, **options):
        if not settings.FILMROLL.broker_url:
            raise CommandError(
                "beat needs FILMROLL_BROKER_URL (RabbitMQ); the embedded queue runs periodic tasks"
                " in `filmroll worker` and `filmroll serve` already"
            )
        from filmroll.tasks.celery_app import app

        path = schedule or str(settings.FILMROLL.data_dir / "celerybeat-schedule")
        app.start(["beat", "-s", path, "-l", "INFO"])
