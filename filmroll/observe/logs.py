"""Structured logs: one JSON object per line, with the request ID, for log shippers."""

from __future__ import annotations

import json
import logging
import time

import orjson
from django.http import HttpRequest

from filmroll.observe.context import request_id

# attributes every LogRecord has; anything else was passed in `extra` and is logged as a field
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _time(record.created) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id.get():
            line["request_id"] = request_id.get()
        for key, value in vars(record).items():
            if key not in _STANDARD:
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        try:
            # orjson: a third of the time of json for a request's line (one per request)
            return orjson.dumps(line, default=_safe).decode()
        except orjson.JSONEncodeError:  # what it cannot take (an int key, a huge int): json
            return json.dumps(line, default=_safe, ensure_ascii=False)


def _time(created: float) -> str:
    """The record's second in ISO 8601, UTC; made once a second, not for each line."""
    global _second
    whole, known = int(created), _second  # one read: another thread may replace it
    if known[0] != whole:
        known = _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return known[1]


_second = (-1, "")


def _safe(value: object) -> str:
    """Django's loggers pass the request itself; its repr shows the query string, which may hold
    a token: log the method and path only. Anything else JSON has no type for: as text."""
    if isinstance(value, HttpRequest):
        return f"{value.method} {value.path}"
    return str(value)


class HumanFormatter(logging.Formatter):
    """Short lines for a person at a terminal: `12:03:07 GET /explore/ 200 23 ms` per request;
    other records as `12:03:07 message`, with the level and logger when it is a warning or
    worse."""

    def format(self, record: logging.LogRecord) -> str:
        clock = time.strftime("%H:%M:%S", time.localtime(record.created))
        fields = vars(record)  # a request's line carries these in `extra`
        if record.name == "filmroll.request" and "ms" in fields:
            line = f"{clock} {fields['method']} {fields['path']} {fields['status']} {fields['ms']:.0f} ms"
        elif record.levelno >= logging.WARNING:
            line = f"{clock} {record.levelname} {record.name}: {record.getMessage()}"
        else:
            line = f"{clock} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class ForPeople(logging.Filter):
    """Text logs: each task's own line only when it failed, the worker's summaries say the rest;
    Django's warning for a 4xx answer is left out too (the request's line shows its status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "filmroll.task":
            return record.levelno >= logging.WARNING
        return record.name != "django.request" or record.levelno >= logging.ERROR


class ForMachines(logging.Filter):
    """JSON logs: a line per task already; no summaries."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != "filmroll.tasks.summary"
