from django.core.management.base import BaseCommand

from filmroll.ops import munin


class Command(BaseCommand):
    help = (
        "A Munin plugin: `filmroll munin config` describes the graph, `filmroll munin` prints the"
        " totals (link it into /etc/munin/plugins with env.FILMROLL_DATA_DIR set)."
    )

    def add_arguments(self, parser):
        parser.add_argument("mode", nargs="?", choices=["config", "autoconf"], help="Munin's verbs")

    def handle(self, *args, mode: str | None = None, **options):
        if mode == "autoconf":
            self.stdout.write("yes")
            return
        for line in munin.config() if mode == "config" else munin.values():
            self.stdout.write(line)
