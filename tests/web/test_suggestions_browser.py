"""Suggestions in a real browser: an empty home feed shows people to follow with the reason,
and dismissing one takes them off for good (at both sizes, as test_flows.py's visits do)."""

from __future__ import annotations

import pytest

from filmroll.discovery import suggestions
from filmroll.graph import relationships
from tests.support.personas import make_user
from tests.web import test_flows
from tests.web.test_flows import Visit

# test_flows's browser visits (at both sizes), as fixtures of this module too
size, visit = test_flows.size, test_flows.visit

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def test_suggestions_on_an_empty_home_feed_and_dismissing_one(visit: Visit):
    vi, _ = make_user("vi")
    friend, _ = make_user("friend")
    relationships.follow(vi, friend)
    one, two = make_user("one")[0], make_user("two")[0]
    relationships.follow(friend, one)
    relationships.follow(friend, two)
    blocked = make_user("blocked")[0]
    relationships.follow(friend, blocked)
    relationships.block(blocked, vi)
    page = visit.tab(vi)
    visit.go(page, "/")
    box = page.locator("section.suggestions")
    box.get_by_role("heading", name="People to follow").wait_for()
    shown = box.locator(".people strong").all_inner_texts()
    assert shown[:2] == ["two", "one"] and "blocked" not in shown and "vi" not in shown
    assert (
        box.locator("li", has_text="one")
        .get_by_text("Followed by 1 person you follow")
        .is_visible()
    )
    box.get_by_role("button", name="Dismiss one").click()
    page.wait_for_url(visit.base + "/")
    page.locator("section.suggestions").wait_for()
    shown = page.locator("section.suggestions .people strong").all_inner_texts()
    assert "one" not in shown and "two" in shown
    assert "one" not in [s.user.username for s in suggestions.for_user(vi.id, 20)]
    # the follow button beside a suggestion still works
    page.locator("section.suggestions li", has_text="two").get_by_role(
        "button", name="Follow two"
    ).click()
    page.wait_for_url(visit.base + "/two/")
    assert relationships.status(vi, two)["outgoing_status"] == "follows"
