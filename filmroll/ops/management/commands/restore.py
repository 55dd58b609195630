from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from filmroll.ops import backup


class Command(BaseCommand):
    help = "Restore a `filmroll backup` folder into this install's empty databases, and check it."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            done = backup.restore(folder, self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        rows = ", ".join(f"{k}={v}" for k, v in done["counts"].items() if v)
        self.stdout.write(self.style.SUCCESS(f"restored and checked: {rows}"))
        if done["redis"]:
            self.stdout.write(
                "Redis: feeds rebuild from PostgreSQL as they are read. To bring sessions back,"
                f" copy {', '.join(done['redis'])} from {folder} to the sessions Redis's dump.rdb"
                " while it is stopped, then start it."
            )
