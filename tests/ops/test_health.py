import pytest
from django.db import connections
from django.test import Client


def test_healthz_reports_every_backend():
    response = Client().get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["backends"]["database:global"]["ok"] is True
    shard_backends = [name for name in report["backends"] if name.startswith("database:shard:")]
    assert len(shard_backends) == len(connections.settings) - 1


@pytest.fixture
def a_database_that_is_down():
    broken = dict(connections["default"].settings_dict)
    if broken["ENGINE"].endswith("sqlite3"):
        broken["NAME"] = "/nonexistent/dir/down.sqlite3"
    else:
        broken["PORT"] = "1"  # nothing listens there
    connections.settings["down"] = broken
    yield
    connections["down"].close()
    del connections["down"]
    del connections.settings["down"]


def test_healthz_answers_503_when_a_database_is_down(a_database_that_is_down):
    response = Client().get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "failing"
    assert report["backends"]["database:shard:down"]["ok"] is False
    assert report["backends"]["database:global"]["ok"] is True


def test_the_home_page_says_what_is_running():
    response = Client().get("/")
    assert response.status_code == 200
    assert b"logical shards" in response.content
