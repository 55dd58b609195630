from django.core.management.base import CommandError
from django.core.management.commands import migrate

from filmroll.discovery import tables
from filmroll.sharding import shardmap
from filmroll.sharding.migrate import migrate_shards


class Command(migrate.Command):
    help = "Bring the global database and every logical shard to the current schema."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--skip-shards", action="store_true", help="only the global database (Django's migrate)"
        )

    def handle(self, *args, **options):
        super().handle(*args, **options)
        # Django's test runner calls migrate for every database alias; shards follow the global one.
        if options["skip_shards"] or options["database"] != "default":
            return
        if not shardmap.exists():
            if options["verbosity"]:
                raise CommandError("this install has no shard map yet: run `filmroll init` first")
            return
        shardmap.reload()
        applied = migrate_shards(self.stdout.write if options["verbosity"] else lambda line: None)
        tables.migrate()
        if options["verbosity"]:
            self.stdout.write(f"shard steps applied: {applied}; discovery index up to date")
