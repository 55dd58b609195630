from django.core.management.base import BaseCommand, CommandError

from filmroll.sharding.ids import decode


class Command(BaseCommand):
    help = "Work with filmroll IDs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        decode = sub.add_parser(
            "decode", help="print each ID's time (UTC), logical shard and sequence"
        )
        decode.add_argument("ids", nargs="+", metavar="ID")

    def handle(self, *args, action: str, ids: list[str], **options):
        bad = []
        for raw in ids:
            try:
                decoded = decode(raw)
            except ValueError as error:
                bad.append(str(error))
                continue
            self.stdout.write(
                f"{decoded.id}  time={decoded.time.isoformat(timespec='milliseconds').replace('+00:00', 'Z')}"
                f"  shard={decoded.shard}  sequence={decoded.sequence}"
            )
        if bad:
            raise CommandError("; ".join(bad), returncode=2)
