"""The red-team suite: each test is an attack that once worked, tried the way an attacker
tries it (through the API, the web pages, the admin and the OAuth endpoints), and what must
hold instead."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client
from oauth2_provider.models import Application

from filmroll.accounts.models import User
from tests.security.serving import served  # noqa: F401 (a real `filmroll serve`, started once)


@pytest.fixture
def limits(settings):
    """Set some FILMROLL_* limits for one test."""

    def set_limits(**values):
        settings.FILMROLL = dataclasses.replace(settings.FILMROLL, **values)

    return set_limits


def register_password_app(browser: Client, name: str = "Guesser") -> str:
    """A public app that asks for the resource owner password grant: the registration form no
    longer offers it, but the stock one did, so such apps exist. Its client ID."""
    form = browser.get("/oauth/applications/register/")
    assert Application.GRANT_PASSWORD not in dict(
        form.context["form"].fields["authorization_grant_type"].choices
    )
    app = Application.objects.create(
        name=name, user=User.objects.get(pk=browser.session["_auth_user_id"]), client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_PASSWORD,
    )  # fmt: skip
    return app.client_id


def password_grant(client_id: str, username: str, password: str, path: str = "/oauth/token/",
                   **client: str):  # fmt: skip
    return Client(**client).post(
        path,
        {"grant_type": "password", "client_id": client_id, "username": username,
         "password": password},
    )  # fmt: skip
