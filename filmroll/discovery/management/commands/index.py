from django.core.management.base import BaseCommand

from filmroll.discovery import rebuild, tables


class Command(BaseCommand):
    help = "The discovery index (tags, places, geo search): `index rebuild` refills it from every shard."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="empty the index and fill it again from the shards")

    def handle(self, *args, action: str, **options):
        tables.migrate()
        held = rebuild.rebuild(self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"the index holds {held} public photos"))
