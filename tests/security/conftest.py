"""The red-team suite: each test is an attack that once worked, tried the way an attacker
tries it (through the API, the web pages, the admin and the OAuth endpoints), and what must
hold instead."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client
from oauth2_provider.models import Application

from tests.security.serving import served  # noqa: F401 (a real `filmroll serve`, started once)


@pytest.fixture
def limits(settings):
    """Set some FILMROLL_* limits for one test."""

    def set_limits(**values):
        settings.FILMROLL = dataclasses.replace(settings.FILMROLL, **values)

    return set_limits


def register_password_app(browser: Client, name: str = "Guesser") -> str:
    """What anyone with an account could do: register a public app that asks for the resource
    owner password grant, through the registration form; its client ID."""
    form = browser.get("/oauth/applications/register/")
    client_id = form.context["form"]["client_id"].value()
    answer = browser.post(
        "/oauth/applications/register/",
        {
            "name": name,
            "client_id": client_id,
            "client_secret": form.context["form"]["client_secret"].value(),
            "client_type": Application.CLIENT_PUBLIC,
            "authorization_grant_type": Application.GRANT_PASSWORD,
            "redirect_uris": "",
            "post_logout_redirect_uris": "",
            "allowed_origins": "",
            "algorithm": "",
        },
    )
    assert answer.status_code == 302, answer.context["form"].errors if answer.context else answer
    return client_id


def password_grant(client_id: str, username: str, password: str, path: str = "/oauth/token/",
                   **client: str):  # fmt: skip
    return Client(**client).post(
        path,
        {"grant_type": "password", "client_id": client_id, "username": username,
         "password": password},
    )  # fmt: skip
