"""The people of the tests, each with a role, and the API client they use.

- alice posts photos (a public account);
- bob is a public account the tests make follow, like and comment;
- carol is a private account;
- dan is someone alice has blocked.

`make_user` makes anyone else. Every persona signs in to the API with a token of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from filmroll.accounts import tokens
from filmroll.accounts.models import User
from filmroll.graph import relationships

PASSWORD = "a long test passphrase"


@dataclass
class Api:
    """A client of the v1 API, signed in as one user (or anonymous)."""

    client: Client
    token: str | None = None

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(path, params, **self._headers())

    def post(self, path: str, data: dict | None = None, **kwargs: Any):
        return self.client.post(path, data or {}, **self._headers(), **kwargs)

    def post_json(self, path: str, data: Any):
        body = data if isinstance(data, (str, bytes)) else json.dumps(data)
        return self.client.post(path, body, content_type="application/json", **self._headers())


def make_user(username: str, private: bool = False) -> tuple[User, Api]:
    user = User.objects.create_user(
        username,
        f"{username}@example.com",
        PASSWORD,
        full_name=username.title(),
        is_private=private,
    )
    return user, Api(Client(), tokens.issue(user))


@pytest.fixture
def anon() -> Api:
    return Api(Client())


@pytest.fixture
def alice() -> tuple[User, Api]:
    return make_user("alice")


@pytest.fixture
def bob() -> tuple[User, Api]:
    return make_user("bob")


@pytest.fixture
def carol() -> tuple[User, Api]:
    return make_user("carol", private=True)


@pytest.fixture
def dan(alice: tuple[User, Api]) -> tuple[User, Api]:
    user, api = make_user("dan")
    relationships.block(alice[0], user)
    return user, api
