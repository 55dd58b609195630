from django.core.management.base import BaseCommand, CommandError

from filmroll.media import shortcodes
from filmroll.sharding.ids import DecodedId, decode


def _decode(raw: str) -> tuple[DecodedId, str]:
    """An ID, a photo's shortcode or the address of its page: the decoded ID, and the shortcode
    it was given as (else "")."""
    if raw.strip().lstrip("+-").isdigit():  # a number: an ID or nothing (-1 is no shortcode)
        return decode(raw), ""
    try:
        media_id = shortcodes.from_text(raw)
        return decode(media_id), shortcodes.encode(media_id)
    except ValueError:
        raise ValueError(
            f"{raw!r} is not an ID, nor a photo's shortcode or page address (…/p/CODE/)"
        ) from None


class Command(BaseCommand):
    help = "Work with filmroll IDs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        decode = sub.add_parser(
            "decode",
            help="print each ID's time (UTC), logical shard and sequence; IDs, photos' shortcodes"
            " and addresses of photo pages (…/p/CODE/) alike",
        )
        decode.add_argument("ids", nargs="+", metavar="ID")

    def handle(self, *args, action: str, ids: list[str], **options):
        bad = []
        for raw in ids:
            try:
                decoded, code = _decode(raw)
            except ValueError as error:
                bad.append(str(error))
                continue
            self.stdout.write(
                f"{decoded.id}{f'  shortcode={code}' if code else ''}"
                f"  time={decoded.time.isoformat(timespec='milliseconds').replace('+00:00', 'Z')}"
                f"  shard={decoded.shard}  sequence={decoded.sequence}"
            )
        if bad:
            raise CommandError("; ".join(bad), returncode=2)
