"""The request ID: made (or taken from X-Request-ID) when a request starts, carried into the
tasks it queues, and written into every log line and error report on the way."""

from __future__ import annotations

import contextvars
import re
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
SANE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def new_request_id(offered: str | None = None) -> str:
    """The caller's ID when it is sane (a load balancer's), else a new one."""
    return offered if offered and SANE.match(offered) else uuid.uuid4().hex


# the request being answered, for an error report made on the way (filmroll.observe.reporting)
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "current_request", default=None
)
