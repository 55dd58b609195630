"""Structured logs: one JSON object per line, with the request ID, for log shippers."""

from __future__ import annotations

import json
import logging
import time

from django.http import HttpRequest

from filmroll.observe.context import request_id

# attributes every LogRecord has; anything else was passed in `extra` and is logged as a field
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id.get():
            line["request_id"] = request_id.get()
        for key, value in vars(record).items():
            if key not in _STANDARD:
                line[key] = _safe(value)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def _safe(value):
    """Django's loggers pass the request itself; its repr shows the query string, which may hold
    a token: log the method and path only."""
    if isinstance(value, HttpRequest):
        return f"{value.method} {value.path}"
    return value
