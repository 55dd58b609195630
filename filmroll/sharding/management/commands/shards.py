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
        header = f"{'physical':<12} {'logical':<14}" + "".join(f"{t:>12}" for t in TABLES)
        self.stdout.write(header)
        counts = {alias: row_counts(alias) for alias in shardmap.physicals()}
        for physical, first, last in ranges:
            span = f"{first}-{last}" if first != last else str(first)
            row = counts[physical]
            self.stdout.write(
                f"{physical:<12} {span:<14}" + "".join(f"{row[t]:>12}" for t in TABLES)
            )
