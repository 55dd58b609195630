import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from filmroll import argtypes
from filmroll.ops import cachewarm


class Command(BaseCommand):
    help = (
        "Page-cache warming for a fail-over to a cold replica: `filmroll cachewarm from-vmtouch"
        " FILE` reads `vmtouch -v` output taken on the primary (FILE, or - for standard input)"
        " and prints the vmtouch commands that load the same pages on the replica."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["from-vmtouch"])
        parser.add_argument("file", help="vmtouch -v output, or - for standard input")
        parser.add_argument(
            "--page-size", type=argtypes.whole(1), default=4096, help="bytes (%(default)s)"
        )
        parser.add_argument(
            "--replace",
            metavar="OLD=NEW",
            help="rewrite path prefixes (the data directory differs)",
        )
        parser.add_argument(
            "--resident-only",
            action="store_true",
            help="warm only chart cells that were wholly resident ('O'), not partly ('o')",
        )

    def handle(
        self, *args, file: str, page_size: int, replace: str | None, resident_only: bool, **options
    ):
        try:
            text = (
                sys.stdin.read()
                if file == "-"
                else Path(file).read_text(encoding="utf-8", errors="replace")
            )
        except OSError as error:
            raise CommandError(
                f"cannot read {file}: {error.strerror}; take it with `vmtouch -v PATH > FILE`"
            ) from None
        swap = None
        if replace:
            old, sep, new = replace.partition("=")
            if not sep or not old:
                raise CommandError(
                    "--replace takes OLD=NEW, for example /var/lib/postgresql/15/main=/srv/pg"
                )
            swap = (old, new)
        try:
            files = cachewarm.parse(text)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not files:
            raise CommandError(
                f"{file} holds no vmtouch -v charts: run `vmtouch -v PATH` and save all it prints"
            )
        lines = cachewarm.commands(files, page_size, swap, partial=not resident_only)
        for line in lines:
            self.stdout.write(line)
        pages = sum(f.resident for f in files)
        self.stderr.write(
            f"{len(files)} files, {pages} resident pages, {len(lines)} ranges to warm"
        )
