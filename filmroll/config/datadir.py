"""The data directory and the settings file it may hold.

`filmroll cluster up` writes the cluster's settings there, so every command run with that data
directory talks to the cluster; the environment still wins over the file. The file is lines of
FILMROLL_NAME=VALUE, quoted as a shell would (`set -a; . settings.env` reads it too).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from filmroll.config.values import ConfigError

PREFIX = "FILMROLL_"
SETTINGS_FILE = "settings.env"


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The data directory: always from the environment, since the settings file lives in it."""
    return Path(env.get("FILMROLL_DATA_DIR") or "var").expanduser().resolve()


def read_settings(directory: Path) -> dict[str, str]:
    """The settings kept in `directory`'s settings file; none when it has none."""
    path = directory / SETTINGS_FILE
    try:
        text = path.read_text()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        try:
            words = shlex.split(line, comments=True)
        except ValueError as error:  # an unclosed quote
            raise ConfigError(f"{path} line {number}: {error}") from None
        for word in words[1:] if words[:1] == ["export"] else words:
            name, sep, value = word.partition("=")
            if not sep or not name.startswith(PREFIX):
                raise ConfigError(f"{path} line {number}: {word!r} is not FILMROLL_NAME=VALUE")
            found[name] = value
    found.pop("FILMROLL_DATA_DIR", None)  # the file is found through the data directory
    return found


def write_settings(directory: Path, settings: Mapping[str, str], by: str) -> Path:
    """Keep `settings` in `directory`'s settings file, replacing the file whole (`by` names
    what wrote it, for the reader)."""
    path = directory / SETTINGS_FILE
    lines = [
        f"# Written by {by}. Every filmroll command run with this data directory uses these",
        "# settings; the environment wins over them. docs/configuration.md says what each means.",
        *(
            f"{name}={shlex.quote(value)}"
            for name, value in settings.items()
            if name != "FILMROLL_DATA_DIR"
        ),
    ]
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{SETTINGS_FILE}.{os.getpid()}")
    # only its owner reads it: settings may hold passwords
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write("\n".join(lines) + "\n")
    partial.replace(path)  # readers see the old file or the new one, never half of one
    return path


def given(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The FILMROLL_* values in effect: the data directory's settings file under `env`."""
    ours = {name: value for name, value in env.items() if name.startswith(PREFIX)}
    return {**read_settings(data_dir(env)), **ours}
