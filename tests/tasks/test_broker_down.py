"""RabbitMQ down: a write that committed answers 2xx, never 500, and its tasks are held, not lost;
once the broker answers again the relay delivers them and the feeds are complete. The server here
is a real `filmroll serve` whose broker is a loopback port where nothing listens; the broker
that comes back is this test run's own (RabbitMQ in the cluster run, the queue table embedded)."""

from __future__ import annotations

import ssl

import httpx
import pytest

from filmroll.activity import events
from filmroll.graph import relationships
from filmroll.sharding import outbox
from filmroll.tasks.models import QueuedTask
from tests.support.images import jpeg_bytes
from tests.support.personas import make_user
from tests.support.servers import free_port, live_filmroll
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "installed_for_servers"),
]


def test_writes_answer_while_the_broker_is_down_and_their_tasks_arrive_when_it_is_back(
    tmp_path, alice, bob
):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    carol_user, carol_api = make_user("cora")
    relationships.follow(carol_user, alice_user)
    run_tasks()
    assert carol_api.get("/api/v1/users/self/feed").json()["data"] == []  # her feed, built
    nowhere = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    with live_filmroll(tmp_path, FILMROLL_BROKER_URL=nowhere) as (base, cert):
        client = httpx.Client(
            base_url=base, verify=ssl.create_default_context(cafile=str(cert)), timeout=60
        )
        as_alice = {"Authorization": f"Bearer {alice_api.token}"}
        as_bob = {"Authorization": f"Bearer {bob_api.token}"}
        followed = client.post(
            f"/api/v1/users/{alice_user.id}/relationship", data={"action": "follow"}, headers=as_bob
        )
        assert followed.status_code == 200, followed.text
        posted = client.post(
            "/api/v1/media",
            files={"image": ("photo.jpg", jpeg_bytes(), "image/jpeg")},
            data={"caption": "#harbour"},
            headers=as_alice,
        )
        assert posted.status_code == 201, posted.text
        photo = posted.json()["data"]["id"]
        liked = client.post(f"/api/v1/media/{photo}/likes", headers=as_bob)
        assert liked.status_code == 200, liked.text
        commented = client.post(
            f"/api/v1/media/{photo}/comments", data={"text": "lovely"}, headers=as_bob
        )
        assert commented.status_code in (200, 201), commented.text
    held = set(QueuedTask.objects.values_list("name", flat=True))
    assert {"feeds.fan_out", "feeds.backfill", "push.deliver"} <= held  # waiting, not lost
    assert carol_api.get("/api/v1/users/self/feed").json()["data"] == []  # not delivered yet

    outbox.relay(grace_seconds=0)  # the broker is back
    run_tasks()
    for api in (bob_api, carol_api):  # cora's feed was built before: the fan-out delivered it
        assert [m["id"] for m in api.get("/api/v1/users/self/feed").json()["data"]] == [photo]
    kinds = sorted(e.kind for e in events.page(alice_user.id, None, 50))
    assert kinds == ["comment", "follow", "follow", "like"]
    assert not QueuedTask.objects.filter(failed=False).exists()  # every held task went
    assert outbox.waiting() == []
