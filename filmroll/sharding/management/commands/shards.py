from django.core.management.base import BaseCommand, CommandError

from filmroll.sharding import shardmap
from filmroll.sharding.migrate import row_counts
from filmroll.sharding.schema import TABLES


class Command(BaseCommand):
    help = "Print the shard map: logical shard ranges per physical database, with row counts."

    def handle(self, *args, **options):
        try:
            ranges = shardmap.ranges()
        except shardmap.NotInitialised as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{shardmap.logical_count()} logical shards")
        counts = {alias: row_counts(alias) for alias in shardmap.physicals()}
        for physical, first, last in ranges:
            span = f"{first}-{last}" if first != last else str(first)
            self.stdout.write(f"{physical}: logical shards {span}")
        for physical, rows in counts.items():
            self.stdout.write(f"{physical} rows: " + "  ".join(f"{t}={rows[t]}" for t in TABLES))
