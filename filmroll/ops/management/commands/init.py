from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from filmroll import argtypes
from filmroll.discovery import tables
from filmroll.sharding import ids, shardmap
from filmroll.sharding.migrate import ensure_postgres_database, migrate_shards


class Command(BaseCommand):
    help = "Create this install (databases, the shard map, every schema); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--logical-shards",
            type=argtypes.whole(1, ids.MAX_SHARDS),
            help="how many logical shards, 1 to 8192, fixed once the install exists "
            f"(default: FILMROLL_LOGICAL_SHARDS, now {settings.FILMROLL.logical_shards})",
        )

    def handle(self, *args, logical_shards: int | None, **options):
        config = settings.FILMROLL
        config.data_dir.mkdir(parents=True, exist_ok=True)
        for alias in ["default", *config.shard_databases, "index"]:
            if ensure_postgres_database(alias):
                self.stdout.write(f"created database {settings.DATABASES[alias]['NAME']}")
        call_command("migrate", verbosity=0, interactive=False, skip_shards=True)
        if shardmap.exists():
            count = shardmap.logical_count()
            if logical_shards is not None and logical_shards != count:
                raise CommandError(
                    f"this install already has {count} logical shards, and that never changes:"
                    " leave out --logical-shards, or start a new install (another"
                    " FILMROLL_DATA_DIR or database)"
                )
            self.stdout.write(f"install exists: {count} logical shards")
        else:
            count = logical_shards or config.logical_shards
            try:
                shardmap.create(count, list(config.shard_databases))
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"created the shard map: {count} logical shards on "
                f"{len(config.shard_databases)} physical database(s)"
            )
        migrate_shards(self.stdout.write)
        tables.migrate()
        self.stdout.write("discovery index up to date")
        self.stdout.write(self.style.SUCCESS("ready"))
