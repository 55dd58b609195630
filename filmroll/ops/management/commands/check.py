"""`filmroll check`: Django's system checks, then every backend as /healthz/deep sees it, for a
person; exits non-zero when anything fails."""

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheck

from filmroll.ops import health


class Command(DjangoCheck):
    help = "Run Django's system checks, then check the install and every backend (databases, Redis, memcached, broker, storage)."

    def handle(self, *app_labels, **options):
        super().handle(*app_labels, **options)
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
