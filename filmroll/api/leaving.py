"""Views for leaving: deleting the account (DELETE /users/self, through accounts.me) and the data
archive (/users/self/export). Thin: the logic is in accounts/leaving.py and leaving/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from filmroll.accounts import leaving
from filmroll.api import scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest
from filmroll.api.throttle import client_ip
from filmroll.leaving import export


def _seconds(value: Any) -> str | None:
    return None if value is None else str(int(value.timestamp()))


def delete_account(request: ApiRequest) -> JsonResponse:
    """DELETE /users/self: `password` (and `code`, the second factor when it is on) in the body."""
    user = leaving.request_deletion(
        request.api_user, field(request, "password"), field(request, "code"), client_ip(request)
    )
    return ok({"delete_after": _seconds(user.delete_after)})


def download_link(request: HttpRequest, export_id: int) -> str:
    return request.build_absolute_uri(f"/settings/data/{export_id}/download")


def _status(request: HttpRequest, found: export.Export | None) -> dict[str, Any]:
    status = export.status(found)
    shown: dict[str, Any] = {"state": status["state"]}
    if found is not None:
        shown.update(
            requested=_seconds(status["requested"]),
            expires=_seconds(status["expires"]),
            next_allowed=_seconds(status["next_allowed"]),
            size=status["size"],
            url=download_link(request, found.id) if status["state"] == "ready" else None,
        )
    return shown


@endpoint("GET", "POST", scope=scopes.FIRST_PARTY)
def data_export(request: ApiRequest) -> JsonResponse:
    """POST asks for an archive (one a day: 429 beyond); GET says how the latest one stands and,
    once built, where its owner downloads it (with this token or a session)."""
    user = request.api_user
    if request.method == "POST":
        export.request(user, lambda export_id: download_link(request, export_id))
        return ok(_status(request, export.latest(user.id)), status=201)
    return ok(_status(request, export.latest(user.id)))
