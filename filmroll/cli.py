"""The `filmroll` command: Django's management commands, with filmroll's own among them."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    from filmroll import config

    try:
        config.load()
    except config.ConfigError as error:
        sys.stderr.write(f"filmroll: configuration error: {error}\n")
        sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["filmroll", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
