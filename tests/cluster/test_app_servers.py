"""nginx in front of two app servers: one dies under load and no request fails."""

from __future__ import annotations

import time

import httpx

from tests.cluster.conftest import Cluster, Load
from tests.support.personas import PASSWORD


def test_an_app_server_killed_under_load_fails_no_request(cluster: Cluster) -> None:
    reader = cluster.sign_up("steady")
    headers = {"Authorization": f"Bearer {reader['token']}"}

    def read_feed(http: httpx.Client, n: int) -> httpx.Response:
        return http.get(cluster.url("/api/v1/users/self/feed"), headers=headers)

    with Load(read_feed) as load:
        time.sleep(2)
        cluster.kill("app_1")
        time.sleep(4)
    assert len(load.results) > 40
    assert load.failures() == []
    # supervisord brings the server back, and nginx sends it requests again after fail_timeout
    cluster.start("app_1")


def test_https_is_terminated_at_nginx(cluster: Cluster) -> None:
    with cluster.client() as https:
        reply = https.get("/healthz/deep")
        # the tests are not in the cluster's operator networks: up or down, no backends named
        assert reply.status_code == 200 and reply.json() == {"status": "ok"}
        # the app knows the request came over HTTPS (X-Forwarded-Proto from a trusted proxy)
        user = https.post("/api/v1/accounts/signup", data={
            "username": "secure", "password": PASSWORD, "email": "s@example.com"})  # fmt: skip
        assert user.status_code == 201
        assert user.json()["data"]["user"]["profile_picture"].startswith(cluster.url(""))
        page = https.get("/accounts/login/")
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        cookies = page.headers.get_list("Set-Cookie")
        assert cookies and all("; Secure" in c for c in cookies), cookies


def test_plain_http_redirects_to_https_but_health_checks(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.plain_url(""), timeout=30) as plain:
        for path in ("/", "/accounts/login/", "/api/v1/media/popular?count=1"):
            reply = plain.get(path)
            assert reply.status_code == 301, path
            assert reply.headers["Location"] == cluster.url(path)
        assert plain.get("/healthz").json() == {"status": "ok"}
        assert plain.get("/healthz/deep").json() == {"status": "ok"}


def test_operator_endpoints_are_denied_in_nginx(cluster: Cluster) -> None:
    with cluster.client() as https:
        for path in ("/metrics", "/status"):
            reply = https.get(path)
            assert reply.status_code == 403, path
            # nginx's own page: the request never reached the app (which refuses it as well:
            # tests/security/test_operator.py)
            assert "<center>nginx</center>" in reply.text
