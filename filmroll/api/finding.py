"""Finding people: suggestions of whom to follow (and dismissing one), and matching an address
book's hashed e-mail addresses to accounts."""

from __future__ import annotations

from django.http import JsonResponse

from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest
from filmroll.discovery import contacts, suggestions


@endpoint("GET", scope=scopes.FOLLOWERS)
def suggested(request: ApiRequest) -> JsonResponse:
    """User objects, best first, each with `mutual_count` (how many you follow follow them)
    and `reason` (mutual, nearby or popular)."""
    found = suggestions.for_user(
        request.api_user.id, pagination.count(request, default=20, most=50)
    )
    shown = objects.users([s.user for s in found], request)
    return ok(
        [{**user, "mutual_count": s.mutual_count, "reason": s.reason}
         for user, s in zip(shown, found, strict=True)]
    )  # fmt: skip


@endpoint("DELETE", scope=scopes.RELATIONSHIPS)
def dismiss(request: ApiRequest, user_id: str) -> JsonResponse:
    """DELETE /users/self/suggested/{id}: never suggest this person again."""
    suggestions.dismiss(request.api_user.id, user_id)
    return ok(None)


@endpoint("POST", scope=scopes.RELATIONSHIPS)
def dismiss_by_post(request: ApiRequest, user_id: str) -> JsonResponse:
    """POST /users/self/suggested/{id}/dismiss: the same, for clients that cannot DELETE."""
    suggestions.dismiss(request.api_user.id, user_id)
    return ok(None)


@endpoint("POST", scope=scopes.FIRST_PARTY)
def match_contacts(request: ApiRequest) -> JsonResponse:
    """POST {"hashes": [SHA-256 hex of each lower-cased, trimmed address, ...]}."""
    found = contacts.match(request.api_user, field(request, "hashes"))
    return ok(objects.users(found, request))
