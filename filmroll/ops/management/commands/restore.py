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
        self.stdout.write(
            self.style.SUCCESS(f"restored and checked: {rows}; {done['photos']} photos answer")
        )
        rdb = done["sessions_rdb"]
        if done["sessions"] is not None:
            self.stdout.write(f"sessions: {done['sessions']} keys loaded from {rdb}")
        elif rdb:
            self.stdout.write(
                f"sessions: load {folder / rdb} into the sessions Redis to bring them back"
                " (docs/operating.md, Restoring)"
            )
        self.stdout.write("feeds rebuild from PostgreSQL as they are read")
