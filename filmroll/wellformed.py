"""Is input something filmroll can store and parse: text without a lone surrogate (JSON's
"\\ud800", or its bytes) or NUL, which the database drivers refuse; JSON nested no deeper than
any request needs (Python's parser recurses until it fails); a value that is a whole URL
(`http://[::1` is not) that parses. Code that takes URLs still checks them as URLs. Each check raises errors.Invalid saying what is wrong.

The middleware api/inputs applies them to every request before any view runs; code that parses
JSON held in a text field (a Web Push subscription) uses load_json too."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from filmroll.errors import Invalid

# No request body nests deeper than a few levels (a Web Push subscription is 3).
MAX_JSON_DEPTH = 32
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# a value that is nothing but a URL (SCHEME://..., no spaces): it must parse
WHOLE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")


def check_text(name: str, value: str) -> None:
    found = UNSTORABLE.search(value)
    if found:
        what = "NUL characters" if found.group() == "\x00" else "a lone surrogate (not UTF-8)"
        raise Invalid(f"{_shown(name)} must not contain {what}")
    stripped = value.strip()
    if WHOLE_URL.fullmatch(stripped):
        try:
            urlsplit(stripped)
        except ValueError:
            raise Invalid(f"{_shown(name)} is not a URL that can be parsed") from None


def _shown(name: str) -> str:
    # a name that was itself refused is not echoed back
    return name if not UNSTORABLE.search(name) and len(name) <= 64 else "a field name"


def check_pairs(pairs: Iterable[tuple[str, str]]) -> None:
    for key, value in pairs:
        check_text("a field name", key)
        check_text(key, value)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def load_json(raw: bytes | str, what: str = "the body") -> Any:
    """Parsed JSON whose every key and string passed check_text, however deep it was."""
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise Invalid(f"{what} is JSON nested too deep") from None
    except (ValueError, UnicodeDecodeError):
        raise Invalid(f"{what} is not valid JSON") from None
    stack: list[tuple[Any, str, int]] = [(data, what, 1)]
    while stack:  # not recursive: depth is what is being checked
        value, name, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise Invalid(f"{what} is JSON nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(value, dict):
            for key, item in value.items():
                check_text("a field name", key)
                stack.append((item, key if depth == 1 else name, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, name, depth + 1) for item in value)
        elif isinstance(value, str):
            check_text(name, value)
    return data
