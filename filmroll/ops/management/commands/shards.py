from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from filmroll import argtypes
from filmroll.sharding import failover, moves, shardmap
from filmroll.sharding.migrate import row_counts


def _repoint(physical: str) -> bool:
    """Point the pgbouncer of a cluster made by `filmroll cluster up` at the promoted replica."""
    from filmroll.cluster import supervise, topology

    try:
        where = topology.load(settings.FILMROLL.data_dir)
    except FileNotFoundError:
        return False
    supervise.repoint_pgbouncer(where, physical)
    return True


class Command(BaseCommand):
    help = (
        "Print the shard map (logical shard ranges per physical database, with row counts);"
        " `move LOGICAL --to PHYSICAL` moves a logical shard while the service runs;"
        " `promote PHYSICAL` makes a dead primary's replica the primary."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action")
        move = actions.add_parser("move", help="move a logical shard to another physical database")
        move.add_argument("logical", type=argtypes.whole(0))
        move.add_argument("--to", required=True, dest="target", help="a physical database name")
        promote = actions.add_parser("promote", help="promote the replica of a physical database")
        promote.add_argument("physical")

    def handle(self, *args, action: str | None = None, **options):
        try:
            if action == "move":
                self._move(options["logical"], options["target"])
            elif action == "promote":
                self._promote(options["physical"])
            else:
                self._show()
        except (shardmap.NotInitialised, moves.MoveError, failover.FailoverError) as error:
            raise CommandError(str(error)) from None

    def _move(self, logical: int, target: str) -> None:
        done = moves.move(logical, target, self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"moved logical shard {done.shard} from {done.source} to {done.target}:"
                f" {done.rows} rows; writes to it paused {done.paused_ms:.0f} ms"
            )
        )

    def _promote(self, physical: str) -> None:
        done = failover.promote(physical, _repoint, self.stdout.write)
        age = (
            "no transaction replayed yet"
            if done.last_commit_age_s is None
            else f"its newest replayed commit was {done.last_commit_age_s:.1f} s old"
        )
        self.stdout.write(
            f"the replica had received WAL to {done.received_lsn} and replayed to"
            f" {done.replayed_lsn}; {age}. Commits the old primary made after what it sent"
            " are not on the new primary (replication is asynchronous)."
        )
        if done.repointed:
            self.stdout.write(
                self.style.SUCCESS(f"{physical}'s pgbouncer now points at the new primary")
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"point {physical}'s pgbouncer (or FILMROLL_SHARD_DATABASES) at the promoted"
                    " server: until then writes to its shards fail"
                )
            )

    def _show(self) -> None:
        ranges = shardmap.ranges()
        self.stdout.write(f"{shardmap.logical_count()} logical shards")
        counts = {alias: row_counts(alias) for alias in shardmap.physicals()}
        for physical, first, last in ranges:
            span = f"{first}-{last}" if first != last else str(first)
            self.stdout.write(f"{physical}: logical shards {span}")
        for physical, rows in counts.items():
            self.stdout.write(f"{physical} rows: " + "  ".join(f"{t}={n}" for t, n in rows.items()))
