"""schemathesis against /api/v1/openapi.json: generated requests, valid and invalid, to every
operation through Django's WSGI app. No answer may be a 5xx, every answer must match the
document, invalid input must be refused, and requests without a token must not succeed."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from filmroll.accounts import tokens
from filmroll.accounts.models import User
from filmroll.api import openapi
from tests.support.personas import make_user

schema = schemathesis.openapi.from_dict(openapi.document(""))
schema.app = get_wsgi_application()


@pytest.fixture
def fuzz() -> User:
    return make_user("fuzz")[0]


@pytest.fixture(autouse=True)
def _keep_connections():
    """Django's WSGI handler closes database connections when a request ends (its test client
    stops that); here they hold the test's transaction, so they stay open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_document_is_served_and_valid():
    answer = Client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.json()["openapi"].startswith("3.")
    assert "/media/{media_id}" in answer.json()["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200 and b"GET /users/self/feed" in docs.content


# Where schema-valid input can still be refused for reasons JSON Schema cannot state: a password
# too common, an e-mail address that does not exist, a photo too small to decode, credentials
# that are wrong, a reserved username, following oneself, lat given without lng, a website
# address Django's URL validator refuses, a tag with a character that is no letter (tags are
# letters of any script, which JSON Schema's regular expressions cannot say), a Web Push
# subscription that is not the browser's JSON, a token another network refuses, an oEmbed url
# that is no photo's link, a map's bbox with a number out of range or its south above its north,
# a second-factor challenge or code that is wrong (or an app not set up), a second data archive
# the same day.
SEMANTIC = {"POST /accounts/signup", "POST /accounts/login", "POST /accounts/password",
            "POST /media", "POST /locations", "GET /subscriptions", "POST /subscriptions",
            "DELETE /subscriptions", "POST /users/{user_id}/relationship",
            "GET /locations/search", "POST /users/self", "GET /tags/{name}",
            "GET /tags/{name}/media/recent", "POST /users/self/devices",
            "POST /users/self/connections", "GET /oembed",
            "GET /users/{user_id}/media/map", "POST /accounts/login/two_factor",
            "POST /users/self/two_factor/totp/confirm", "POST /users/self/two_factor/disable",
            "POST /users/self/two_factor/recovery_codes",
            # the password is wrong; one data archive a day (429 after the first)
            "DELETE /users/self", "POST /users/self/export"}  # fmt: skip
probed: set[str] = set()


# What valid data may name that does not exist (or may not be seen): v1 answered it with 400.
MISSING = ("APINotFoundError", "APINotAllowedError")
# What the document cannot say of every string (a field's name included) and input decoding
# refuses before any view: NUL, lone surrogates (filmroll/wellformed.py).
UNSTORABLE = re.compile(r"must not contain (NUL characters|a lone surrogate)")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_document(case, fuzz):
    token = tokens.issue(fuzz)  # a new one each time: an example may log out
    # ignored_auth wants 401, and positive_data_acceptance 404 for what is missing: the v1 API
    # answers 400 for both, as Instagram's did; valid data is checked below instead
    answer = case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[ignored_auth, positive_data_acceptance],
    )
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and case.operation.label not in SEMANTIC and answer.status_code >= 400:
        meta = answer.json().get("meta", {})
        refused = meta.get("error_type")
        unstorable = refused == "APIInvalidParametersError" and UNSTORABLE.search(
            meta.get("error_message", "")
        )
        assert answer.status_code in (403, 404) or refused in MISSING or unstorable, (
            case.operation.label,
            answer.text,
        )
    if (
        case.operation.definition.raw.get("security") == []
        or case.operation.label in probed
        or not 200 <= answer.status_code < 300
    ):
        return
    # Auth is not ignored: without a token, or with a wrong one, what succeeded is refused.
    probed.add(case.operation.label)
    case.query = {k: v for k, v in (case.query or {}).items() if k != "access_token"}
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answer = case.call(headers=headers)
        assert answer.status_code == 400, (case.operation.label, answer.text)
        assert answer.json()["meta"]["error_type"] in (
            "OAuthParameterException",
            "OAuthAccessTokenException",
        )
