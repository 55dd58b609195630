"""Operator endpoints (/metrics, /status, the details of /healthz/deep) only for
FILMROLL_OPERATOR_NETWORKS, judged on the client's address behind trusted proxies: through a
proxy on an internal address, the public is not internal. Public health answers say up or down."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client

from filmroll import config
from tests.security.serving import Served

PROXY = "127.0.0.1"  # nginx on the app server, as in `filmroll cluster up`
PUBLIC = "203.0.113.9"
OPERATORS = ["/metrics", "/status"]


@pytest.fixture
def behind_proxy(settings):
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, trusted_proxies=(f"{PROXY}/32",))


def _via_proxy(path: str, client_chain: str):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_chain).get(path)


def test_the_public_behind_an_internal_proxy_is_not_an_operator(behind_proxy):
    for path in OPERATORS:
        assert _via_proxy(path, PUBLIC).status_code == 403, path
        # an internal address the client wrote itself, left of what the proxy saw: not believed
        assert _via_proxy(path, f"10.0.0.5, {PUBLIC}").status_code == 403, path
    deep = _via_proxy("/healthz/deep", PUBLIC)
    assert deep.status_code == 200 and deep.json() == {"status": "ok"}


def test_operators_behind_the_proxy_see_everything(behind_proxy):
    assert _via_proxy("/metrics", "10.1.2.3").status_code == 200
    status = _via_proxy("/status", "10.1.2.3")
    assert status.status_code == 200 and b"logical shards" in status.content
    deep = _via_proxy("/healthz/deep", "10.1.2.3").json()
    assert deep["status"] == "ok" and "database:global" in deep["backends"]


def test_configured_operator_networks_replace_the_internal_ones(settings):
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, operator_networks=("198.51.100.0/24",)
    )
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="198.51.100.20").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.3").get("/healthz/deep").json() == {"status": "ok"}


def test_public_health_says_down_without_naming_what(settings):
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, feed_redis=("redis://127.0.0.1:1/0",)
    )
    answer = Client(REMOTE_ADDR=PUBLIC).get("/healthz/deep")
    assert answer.status_code == 503 and answer.json() == {"status": "failing"}
    assert Client(REMOTE_ADDR=PUBLIC).get("/healthz").json() == {"status": "ok"}


def test_the_real_server_judges_the_client_behind_its_proxy(served: Served):
    public = {"X-Forwarded-For": PUBLIC}
    for path in OPERATORS:
        assert served.request("GET", path, public).status == 403, path
    deep = served.request("GET", "/healthz/deep", public)
    assert deep.status == 200 and deep.json() == {"status": "ok"}
    assert b"sqlite3" not in deep.body and b"data" not in deep.body
    inside = {"X-Forwarded-For": "192.168.1.20"}
    assert served.request("GET", "/metrics", inside).status == 200
    assert served.request("GET", "/status", inside).status == 200
    assert "backends" in served.request("GET", "/healthz/deep", inside).json()


def test_operator_networks_are_read_under_their_older_name_too(tmp_path):
    def load(**env: str) -> tuple[str, ...]:
        return config.load({"FILMROLL_DATA_DIR": str(tmp_path), **env}).operator_networks

    assert load() == config.INTERNAL_NETWORKS
    assert load(FILMROLL_METRICS_ALLOW_NETWORKS="10.9.0.0/16") == ("10.9.0.0/16",)
    assert load(FILMROLL_OPERATOR_NETWORKS="192.0.2.0/24, ::1/128") == ("192.0.2.0/24", "::1/128")
    with pytest.raises(config.ConfigError, match="FILMROLL_OPERATOR_NETWORKS"):
        load(FILMROLL_OPERATOR_NETWORKS="internal")
