"""Run in the target's settings (its FILMROLL_* environment): `python -m bench.soak.probe depth`
prints the tasks waiting (outboxes included); `... audit` prints `filmroll check --data`'s findings (orphan files of
any age) as JSON."""

import json
import sys

import django


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    django.setup()
    if sys.argv[1] == "depth":
        from filmroll.sharding import outbox
        from filmroll.tasks import queues

        # queued, held for the broker, or recorded in a shard's outbox and not yet finished
        print(sum(queues.depths().values()) + len(outbox.waiting()))
    else:
        from filmroll.ops import audit

        found = audit.check(orphan_age=0)
        partial = sum(1 for key, _ in found.orphans if key.endswith(".partial"))
        print(json.dumps({**found.counts(), "partial files": partial}))


if __name__ == "__main__":
    main()
