"""Paging as v1 clients do it: follow next_url until it is absent and see every item once, even
while new items arrive; min_id / min_tag_id for only what is new."""

from __future__ import annotations

import pytest

from filmroll.media import photos
from filmroll.places import places
from tests.discovery.test_geo import RENDERED
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def walk(api, url: str, cursor: str, between=lambda: None) -> list[str]:
    seen, pages = [], 0
    while url:
        answer = api.client.get(url, **api._headers())
        assert answer.status_code == 200, answer.content
        body = answer.json()
        seen += [m["id"] for m in body["data"]]
        url = body["pagination"].get("next_url")
        if url:
            assert url.startswith("http://testserver/api/v1/")
            assert body["pagination"][f"next_{cursor}"] == seen[-1]
        between()
        pages += 1
        assert pages < 20
    return seen


@pytest.mark.parametrize("kind", ["user", "tag", "place"])
def test_every_item_once_while_new_ones_arrive(kind):
    alice, _ = make_user("alice")
    _, bob_api = make_user("bob")
    place = places.create(alice.id, places.check("Park", 10.0, 20.0))

    def post(caption: str) -> str:
        where = (place, 10.0, 20.0) if kind == "place" else (None, 10.0, 20.0)
        return str(photos.publish(alice.id, RENDERED, "normal", caption, where))

    old = [post(f"#walk number {n}") for n in range(7)]
    run_tasks()
    url, cursor = {
        "user": (f"/api/v1/users/{alice.id}/media/recent?count=3", "max_id"),
        "tag": ("/api/v1/tags/walk/media/recent?count=3", "max_tag_id"),
        "place": (f"/api/v1/locations/{place}/media/recent?count=3", "max_id"),
    }[kind]
    arrived = []

    def a_new_post():
        arrived.append(post("#walk again"))
        run_tasks()

    seen = walk(bob_api, url, cursor, a_new_post)
    assert seen == sorted(old, key=int, reverse=True)  # each once, newest first, none new
    # Asking for what is newer than the newest seen finds exactly what arrived meanwhile.
    fresh = walk(bob_api, f"{url}&{cursor.replace('max', 'min')}={seen[0]}", cursor)
    assert len(arrived) == 3 and fresh == sorted(arrived, key=int, reverse=True)
