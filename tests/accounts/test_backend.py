"""The signed-in person of a web request (Throttled.get_user, read by plain SQL): the same row
as the ORM's, datetimes and all, and the same refusals: unknown, malformed, inactive."""

from __future__ import annotations

import datetime

from django.test import Client

from filmroll.accounts.backends import Throttled
from filmroll.accounts.models import User
from tests.support.personas import PASSWORD, make_user


def test_the_row_is_the_orms():
    user, _ = make_user("backendana")
    User.objects.filter(pk=user.pk).update(
        last_login=datetime.datetime(2013, 4, 1, 12, 30, tzinfo=datetime.UTC), bio="héllo ✨"
    )
    read = Throttled().get_user(str(user.pk))
    expected = User.objects.get(pk=user.pk)
    assert read is not None and read._state.db == expected._state.db and not read._state.adding
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert isinstance(read.date_joined, datetime.datetime) and read.last_login.year == 2013


def test_unknown_malformed_and_inactive_are_refused():
    user, _ = make_user("backendbo")
    backend = Throttled()
    assert backend.get_user(user.pk + 1) is None
    assert backend.get_user("not a number") is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None


def test_a_deactivated_person_is_signed_out_of_the_web_app():
    user, _ = make_user("backendcy")
    web = Client()
    assert web.login(username="backendcy", password=PASSWORD)
    assert web.get("/settings/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert web.get("/settings/").status_code == 302
