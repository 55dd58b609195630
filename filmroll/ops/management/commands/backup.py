from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from filmroll.ops import backup


class Command(BaseCommand):
    help = (
        "Back up every database consistently (pg_dump), each Redis instance (an RDB from a"
        " replica) and the list of stored photos, into a new folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="where the backup goes (must not exist)")

    def handle(self, *args, folder: Path, **options):
        try:
            made = backup.backup(folder, self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        rows = ", ".join(f"{k}={v}" for k, v in made["counts"].items() if v)
        self.stdout.write(
            self.style.SUCCESS(
                f"backed up to {folder}: {rows}; {made['photos']} photo files listed;"
                f" writes paused {made['writes_paused_ms']:.0f} ms"
            )
        )
