"""The feed and media reads: the rows a read needs come in one batch (the block set is asked for
once), and what each viewer is shown of a photo is exactly what the rows say for that viewer,
however much of it was kept (api/fragments.py)."""

from contextlib import ExitStack

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def queries_during(read) -> list[str]:
    """The SQL every database ran while `read()` ran."""
    with ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(c)) for c in connections.all()]
        read()
    return [q["sql"] for context in captured for q in context.captured_queries]


def test_a_feed_read_asks_for_the_block_set_once(alice, bob):
    alice_user, alice_api = alice
    _, bob_api = bob
    bob_api.post(f"/api/v1/users/{alice_user.id}/relationship", {"action": "follow"})
    media_id = upload(alice_api, jpeg_bytes()).json()["data"]["id"]
    _, erin_api = make_user("erin")
    erin_api.post(f"/api/v1/media/{media_id}/likes")  # someone listed in the photo's likers
    run_tasks()

    def read():
        shown = bob_api.get("/api/v1/users/self/feed").json()["data"]
        assert [m["id"] for m in shown] == [media_id]
        assert [u["username"] for u in shown[0]["likes"]["data"]] == ["erin"]

    read()  # warm
    asked = [sql for sql in queries_during(read) if "blocked_by" in sql]
    assert len(asked) <= 1, asked  # none where memcached keeps the set


def test_each_viewer_sees_their_own_parts_of_a_kept_photo(alice, bob, dan):
    _, alice_api = alice
    _, bob_api = bob
    _, dan_api = dan  # alice blocked dan
    _, erin_api = make_user("erin")
    media_id = upload(erin_api, jpeg_bytes(), caption="one\u2028two").json()["data"]["id"]
    for api in (bob_api, dan_api):
        api.post(f"/api/v1/media/{media_id}/likes")
        api.post(f"/api/v1/media/{media_id}/comments", {"text": "nice"})
    path = f"/api/v1/media/{media_id}"

    def seen(api) -> tuple:
        shown = api.get(path).json()["data"]
        return (
            shown["likes"]["count"],
            [u["username"] for u in shown["likes"]["data"]],
            shown["comments"]["count"],
            [c["from"]["username"] for c in shown["comments"]["data"]],
            shown["user_has_liked"],
        )

    for _ in range(2):  # the second time from what the first kept, where anything is kept
        assert seen(alice_api) == (2, ["bob"], 2, ["bob"], False)
        assert seen(bob_api) == (2, ["dan", "bob"], 2, ["bob", "dan"], True)
        assert seen(dan_api) == (2, ["dan", "bob"], 2, ["bob", "dan"], True)
    alice_api.post(f"/api/v1/media/{media_id}/likes")
    assert seen(alice_api) == (3, ["alice", "bob"], 2, ["bob"], True)
    assert seen(bob_api) == (3, ["alice", "dan", "bob"], 2, ["bob", "dan"], True)
    bob_api.post(f"/api/v1/media/{media_id}/likes", {"_method": "DELETE"})
    assert seen(bob_api) == (2, ["alice", "dan"], 2, ["bob", "dan"], False)
    assert seen(alice_api) == (2, ["alice"], 2, ["bob"], True)


def test_jsonp_escapes_the_line_separators_json_allows(alice):
    _, alice_api = alice
    media_id = upload(alice_api, jpeg_bytes(), caption="one\u2028two\u2029three").json()["data"][
        "id"
    ]
    body = alice_api.get(f"/api/v1/media/{media_id}", callback="show").content
    assert body.startswith(b"/**/show(") and b"one\\u2028two\\u2029three" in body
    assert "\u2028".encode() not in body and "\u2029".encode() not in body


def test_wrong_types_and_counts_are_told_what_is_wanted(alice):
    _, api = alice
    photo = upload(api, jpeg_bytes()).json()["data"]["id"]
    for text in (123, ["a"], {"a": 1}):
        answer = api.post_json(f"/api/v1/media/{photo}/comments", {"text": text})
        assert answer.json()["meta"]["error_message"] == "text must be text", text
    for text in (None, "", "  "):
        answer = api.post_json(f"/api/v1/media/{photo}/comments", {"text": text})
        assert answer.json()["meta"]["error_message"] == "text is required", text
    told = {
        api.get("/api/v1/users/self/feed", count=n).json()["meta"]["error_message"]
        for n in ("-1", "0", "x", "1.5")
    }
    assert told == {"count must be a whole number from 1"}
