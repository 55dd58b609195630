"""nginx in front of two app servers: one dies under load and no request fails."""

from __future__ import annotations

import ssl
import time

import httpx

from tests.cluster.conftest import Cluster, Load


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
    cert = cluster.where.root / "tls" / "cert.pem"
    https = f"https://127.0.0.1:{cluster.where.port('nginx_https')}"
    reply = httpx.get(f"{https}/healthz/deep", verify=ssl.create_default_context(cafile=str(cert)))
    assert reply.status_code == 200
    assert reply.json()["mode"] == "cluster"
    # the app knows the request came over HTTPS (X-Forwarded-Proto from a trusted proxy)
    user = httpx.post(
        f"{https}/api/v1/accounts/signup",
        data={"username": "secure", "password": "a long test passphrase", "email": "s@example.com"},
        verify=ssl.create_default_context(cafile=str(cert)),
    )
    assert user.status_code == 201
    assert user.json()["data"]["user"]["profile_picture"].startswith(https)
