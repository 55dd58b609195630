"""The `filmroll` command: filmroll's own commands, grouped, then Django's management commands.

Before a command runs, the data dir must be usable and, for commands that work on an install,
the install must be there: otherwise one line says what to do, never a traceback.
"""

from __future__ import annotations

import os
import sys
import textwrap

# filmroll's commands as `filmroll --help` lists them: (group, [(name, one line, needs an install)])
COMMANDS: list[tuple[str, list[tuple[str, str, bool]]]] = [
    ("set up", [
        ("init", "create the install: databases, the shard map, every schema (safe to rerun)", False),
        ("migrate", "bring the global database and every logical shard to the current schema", True),
        ("demo", "fill an empty install with demo people, photos, likes and comments", True),
    ]),
    ("serve", [
        ("serve", "serve the web app and the API (Gunicorn), with a task worker beside it", True),
        ("worker", "run background tasks (Celery with a broker, else the embedded queue)", True),
        ("beat", "queue periodic tasks on schedule (Celery beat): run exactly one", True),
    ]),
    ("operate", [
        ("cluster", "the whole stack on this machine: up, down, status, env", False),
        ("shards", "the shard map; move a logical shard; promote a replica", True),
        ("backup", "every database, Redis and the photo list, consistently, into a folder", True),
        ("restore", "restore a backup folder into empty databases, checked row for row", False),
        ("feeds", "rebuild home feeds from the graph and the photos", True),
        ("index", "rebuild the discovery index (tags, places, geo search)", True),
        ("cachewarm", "vmtouch commands that warm a cold replica's page cache", False),
    ]),
    ("inspect", [
        ("check", "system checks, then the install and every backend with timings", False),
        ("ids", "decode IDs, shortcodes and photo URLs: time, logical shard, sequence", False),
        ("munin", "a Munin plugin for the business graph", True),
    ]),
]  # fmt: skip
# Django's commands that read or write this install's data
DJANGO_NEEDING_INSTALL = {
    "changepassword", "cleartokens", "clearsessions", "createsuperuser", "dumpdata", "flush",
    "loaddata", "remove_stale_contenttypes",
}  # fmt: skip
OURS = {name for _, commands in COMMANDS for name, _, _ in commands}
NEEDS_INSTALL = DJANGO_NEEDING_INSTALL | {
    name for _, commands in COMMANDS for name, _, needs in commands if needs
}


def usage() -> str:
    """filmroll's commands by group, each with one line; then Django's, under one heading."""
    from django.core.management import get_commands

    lines = ["usage: filmroll COMMAND [options]   (filmroll help COMMAND: its options)", ""]
    width = max(len(name) for name in OURS)
    for group, commands in COMMANDS:
        lines.append(f"{group}:")
        lines += [f"  {name:<{width}}  {line}" for name, line, _ in commands]
        lines.append("")
    django = sorted(name for name, app in get_commands().items() if name not in OURS)
    lines.append("Django's commands:")
    lines += textwrap.wrap(", ".join(django), 96, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines)


def _fail(line: str, status: int = 2) -> None:
    sys.stderr.write(f"{line}\n")
    sys.exit(status)


def _setup() -> None:
    """Settings and Django, with one line for a configuration or data dir that cannot be used."""
    from filmroll import config

    try:
        config.load()
        import django

        django.setup()
    except config.ConfigError as error:
        _fail(f"filmroll: configuration error: {error}")
    except OSError as error:
        # the data dir (FILMROLL_DATA_DIR) or a folder in it cannot be made or written
        place = error.filename or config.data_dir()
        _fail(f"filmroll: cannot use the data dir: {place}: {error.strerror or error}")


def _check_install(args: list[str]) -> None:
    """After the arguments (bad ones get argparse's message first), the install."""
    from django.core.management import ManagementUtility
    from django.db import connections

    from filmroll.sharding import install

    command = ManagementUtility(["filmroll", *args]).fetch_command(args[0])
    vars(command)["_called_from_command_line"] = (
        True  # argparse's message and status 2, as Django's
    )
    command.create_parser("filmroll", args[0]).parse_args(args[1:])
    problem = install.problem()
    connections.close_all()  # `serve` forks: no connection may cross into its workers
    if problem:
        _fail(problem)


def _run(args: list[str]) -> None:
    _setup()
    if not args or args[0] in {"help", "-h", "--help"} and len(args) == 1:
        try:
            print(usage())
        except BrokenPipeError:  # `filmroll --help | head`
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (Python flushes it at exit)
        return
    if args[0] in NEEDS_INSTALL:
        _check_install(args)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["filmroll", *args])


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    try:
        _run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:  # Ctrl-C before a command handles it itself
        _fail("filmroll: interrupted", 130)


if __name__ == "__main__":
    main()
