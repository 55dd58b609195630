"""Deleting the account in a real browser, and coming back by logging in (the fixtures of
tests/web/test_flows.py)."""

from __future__ import annotations

import re

import pytest

from filmroll.accounts.models import User
from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD, make_user
from tests.support.tasks import run_tasks
from tests.web.test_flows import size, visit  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def test_delete_from_settings_logs_out_and_logging_in_again_restores(visit):  # noqa: F811
    ana, ana_api = make_user("ana")
    assert upload(ana_api, png_bytes(), caption="still here").status_code == 201
    run_tasks()
    page = visit.tab(ana)
    visit.go(page, "/settings/")
    page.get_by_role("link", name="Delete your account").click()
    page.wait_for_url(re.compile(r"/settings/delete/$"))
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("heading", name="Your account is deleted").wait_for()
    assert not User.objects.get(id=ana.id).is_active
    # logged out: settings send to the log-in page, and the profile is gone
    visit.go(page, "/settings/")
    assert "/accounts/login/" in page.url
    assert visit.go(page, "/ana/").status == 404
    visit.go(page, "/accounts/login/?next=/ana/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/ana/$"))
    assert page.locator('img[alt="still here"]').count() == 1
    assert User.objects.get(id=ana.id).is_active


def test_with_a_second_factor_the_password_alone_does_not_bring_it_back(visit):  # noqa: F811
    from tests.accounts.test_two_factor import next_code, turn_on

    ana, ana_api = make_user("ana")
    assert upload(ana_api, png_bytes(), caption="still here").status_code == 201
    secret, codes = turn_on(ana_api)
    run_tasks()
    page = visit.tab(ana)
    visit.go(page, "/settings/delete/")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(codes[0])  # a recovery code
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("heading", name="Your account is deleted").wait_for()
    visit.go(page, "/accounts/login/?next=/ana/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/accounts/login/two-factor/$"))
    waiting = User.objects.get(id=ana.id)
    assert not waiting.is_active and waiting.delete_after is not None  # the password alone
    page.get_by_label(re.compile("Code from your authenticator app")).fill("not a code")
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("alert").inner_text() == "The code is incorrect."
    assert not User.objects.get(id=ana.id).is_active
    page.get_by_label(re.compile("Code from your authenticator app")).fill(next_code(secret))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/ana/$"))
    assert page.locator('img[alt="still here"]').count() == 1
    back = User.objects.get(id=ana.id)
    assert back.is_active and back.delete_after is None
