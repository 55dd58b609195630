"""#tags in captions and comments: unicode letters, digits and underscore, case-folded."""

from __future__ import annotations

import re

TAG = re.compile(r"(?<![\w&])#(\w{1,100})")


def parse(text: str) -> list[str]:
    """Distinct tags in order of first use."""
    return list(dict.fromkeys(match.casefold() for match in TAG.findall(text or "")))
