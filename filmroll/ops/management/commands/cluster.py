from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from filmroll import argtypes, config
from filmroll.cluster import lifecycle, topology
from filmroll.sharding import ids


class Command(BaseCommand):
    help = (
        "Run a whole filmroll cluster on this machine (nginx, Gunicorn, PostgreSQL with replicas"
        " and pgbouncer, Redis, memcached, RabbitMQ, Celery): up, down, status, env."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["up", "down", "status", "env"])
        parser.add_argument(
            "--port-offset", type=argtypes.whole(0, 50_000), default=0,
            help="added to every port, for a second cluster beside the first (up only)",
        )  # fmt: skip
        parser.add_argument(
            "--logical-shards", type=argtypes.whole(1, ids.MAX_SHARDS),
            default=settings.FILMROLL.logical_shards,
            help="logical shards of a new cluster (%(default)s)",
        )  # fmt: skip

    def handle(self, *args, action: str, port_offset: int, logical_shards: int, **options):
        data_dir = Path(settings.FILMROLL.data_dir)
        try:
            if action == "up":
                where = topology.Topology(
                    data_dir, port_offset, logical_shards, topology.passed_on(config.given())
                )
                lifecycle.up(where, self.stdout.write)
                return
            where = topology.load(data_dir)
            if action == "down":
                lifecycle.down(where)
                self.stdout.write(
                    f"cluster stopped; its data stays under {where.root}, and commands run with"
                    " this data directory still use its settings (cluster up starts it again)"
                )
            elif action == "env":
                self.stdout.write(topology.shell_exports(where), ending="")
            else:
                for name, state, port, health in lifecycle.status(where):
                    self.stdout.write(f"{name:24} {state:9} {port:12} {health}")
        except (lifecycle.ClusterError, FileNotFoundError) as error:
            raise CommandError(str(error)) from None
