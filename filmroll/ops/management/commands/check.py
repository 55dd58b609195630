"""`filmroll check`: Django's system checks, then every backend as /healthz/deep sees it, for a
person; with `--data`, then every store's rows audited (ops/audit.py), repaired with `--repair`.
Exits non-zero when anything fails or any problem is left."""

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheck

from filmroll import argtypes
from filmroll.ops import audit, health

EXAMPLES = 5  # of each kind of problem, printed


class Command(DjangoCheck):
    help = (
        "Run Django's system checks, then check the install and every backend (databases, Redis,"
        " memcached, broker, storage); with --data, audit the stored data too."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--data", action="store_true",
            help="read every store and report half-made follows, likes and blocks, counts that"
            " differ from their rows, duplicate feed entries and orphan files",
        )  # fmt: skip
        parser.add_argument(
            "--repair", action="store_true",
            help="with --data: add missing halves, recount, rewrite duplicated feeds, delete"
            " orphan files older than --orphan-age; then check again",
        )  # fmt: skip
        parser.add_argument(
            "--orphan-age", type=argtypes.whole(0, 10**8), default=audit.DAY, metavar="SECONDS",
            help="orphan files younger than this may be uploads in flight: reported apart and"
            " never deleted (%(default)s)",
        )  # fmt: skip

    def handle(self, *app_labels, **options):
        data, repair = options.pop("data"), options.pop("repair")
        orphan_age = options.pop("orphan_age")
        if repair and not data:
            raise CommandError("--repair goes with --data")
        super().handle(*app_labels, **options)
        self._backends()
        if data:
            self._data(repair, orphan_age)

    def _backends(self) -> None:
        healthy, report = health.check()
        width = max(len(name) for name in report["backends"])
        for name, state in report["backends"].items():
            mark = self.style.SUCCESS("ok  ") if state["ok"] else self.style.ERROR("DOWN")
            line = f"{mark} {name:<{width}}  {state['kind']:<10} {state['where']}  {state['ms']:.1f} ms"
            if "oldest_task_wait" in state:  # the task worker: its heartbeat and the queue's wait
                age = state["heartbeat_age"]
                line += (
                    f"  (heartbeat {'none: no worker runs' if age is None else f'{age:.0f} s ago'},"
                    f" oldest due task waiting {state['oldest_task_wait']:.0f} s)"
                )
            self.stdout.write(line + ("" if state["ok"] else f"\n       {state['error']}"))
        if not healthy:
            down = [n for n, s in report["backends"].items() if not s["ok"]]
            if "install" in down:
                others = [n for n in down if n != "install"]
                raise CommandError(
                    report["backends"]["install"]["error"]
                    + (f" (also down: {', '.join(others)})" if others else "")
                )
            raise CommandError(
                f"{len(down)} backend(s) down: {', '.join(down)}. Start them (for the test servers:"
                " make services) or fix their FILMROLL_* settings (docs/configuration.md)."
            )
        self.stdout.write(f"all {len(report['backends'])} backends answer ({report['mode']} mode)")

    def _progress(self, line: str) -> None:
        self.stderr.write(line)
        self.stderr.flush()

    def _data(self, repair: bool, orphan_age: int) -> None:
        report = audit.check(self._progress, orphan_age)
        self._table(report)
        if repair and report.problems():
            repaired = audit.repair(report, self._progress)
            self.stdout.write(
                "repaired: " + ", ".join(f"{n} {name}" for name, n in repaired.items() if n)
            )
            report = audit.check(self._progress, orphan_age)
            self._table(report)
        if report.problems():
            raise CommandError(
                f"{report.problems()} data problem(s)"
                + ("" if repair else ": `filmroll check --data --repair` repairs them")
            )
        self.stdout.write("the data is consistent")

    def _table(self, report: audit.Report) -> None:
        for name, n in report.counts().items():
            mark = self.style.ERROR(f"{n:>6}") if n and name != "recent orphan files" else f"{n:>6}"
            self.stdout.write(f"{mark}  {name}")
        for kind, halves in report.half_edges.items():
            for a, b, missing in halves[:EXAMPLES]:
                self.stdout.write(f"        {kind} {a} -> {b}: no {missing} row")
        for person, media_id, _, side in report.half_tags[:EXAMPLES]:
            told = (
                "no photos_of row"
                if side == "photos_of"
                else "a photos_of row, no tag in the photo"
            )
            self.stdout.write(f"        tag of {person} in {media_id}: {told}")
        for user_id, (stored, rows) in list(report.user_counts.items())[:EXAMPLES]:
            self.stdout.write(f"        user {user_id}: counts {stored}, rows {rows}")
        for media_id, (stored_m, rows_m) in list(report.media_counts.items())[:EXAMPLES]:
            self.stdout.write(
                f"        photo {media_id}: likes, comments {stored_m}, rows {rows_m}"
            )
        for key in report.old_orphans()[:EXAMPLES]:
            self.stdout.write(f"        orphan file {key}")
