"""Metrics (summed over processes), the request ID in logs and tasks, and error reports to a
Sentry endpoint on loopback."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from filmroll.observe.logs import JsonFormatter
from filmroll.tasks.models import QueuedTask
from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD, make_user
from tests.support.servers import Loopback
from tests.support.tasks import run_tasks

# a URI a client sent (a token in the query); up here: a reported frame shows the lines around it
STREAMED_URI = "/p/x/media/?access_token=t0k3n-in-the-uri"


def scrape() -> dict[str, float]:
    answer = Client().get("/metrics")
    assert answer.status_code == 200
    values = {}
    for line in answer.content.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def test_business_metrics_count_what_happened():
    before = scrape()
    _, alice = make_user("alice")
    _, bob = make_user("bob")
    signed = Client().post(
        "/api/v1/accounts/signup",
        {"username": "carol", "password": "a fine passphrase", "email": "c@example.com"},
    )
    assert signed.status_code == 201
    media_id = upload(alice, png_bytes()).json()["data"]["id"]
    bob.post(f"/api/v1/media/{media_id}/likes")
    bob.post(f"/api/v1/media/{media_id}/likes")  # the same like again: not counted
    bob.post(f"/api/v1/media/{media_id}/comments", {"text": "lovely"})
    after = scrape()

    def grew(name: str) -> float:
        return after.get(name, 0) - before.get(name, 0)

    assert grew("filmroll_signups_total") == 1  # make_user does not go through sign-up
    assert grew("filmroll_photos_posted_total") == 1
    assert grew("filmroll_likes_total") == 1
    assert grew("filmroll_comments_total") == 1
    key = 'filmroll_requests_total{method="POST",status="200",view="api:likes"}'
    assert grew(key) == 2
    assert any(k.startswith("filmroll_request_seconds_bucket{") for k in after)
    assert any(k.startswith('filmroll_query_seconds_count{database="default"}') for k in after)
    assert any(k.startswith("filmroll_cache_lookups_total{") for k in after)
    assert any(k.startswith("filmroll_queue_depth{") for k in after)
    assert after['filmroll_backend_up{backend="database:global"}'] == 1


def test_a_made_up_method_is_counted_as_other_not_as_a_series_of_its_own():
    before = scrape()
    status = Client().generic("XSERIES17", "/").status_code
    after = scrape()
    assert not any("XSERIES17" in key for key in after)
    key = f'filmroll_requests_total{{method="other",status="{status}",view="home"}}'
    assert after.get(key, 0) - before.get(key, 0) == 1


def test_counts_from_other_processes_are_summed():
    before = scrape().get("filmroll_signups_total", 0)
    code = "from filmroll.observe import metrics\nfor _ in range(5): metrics.SIGNUPS.inc()"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "filmroll.settings"}
    subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"], env=env, check=True
    )
    assert scrape()["filmroll_signups_total"] == before + 5


def test_metrics_are_for_internal_networks_only():
    assert Client(REMOTE_ADDR="203.0.113.7").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200


def test_one_json_line_per_request_with_its_id(caplog):
    caplog.set_level(logging.INFO, logger="filmroll.request")
    _, alice = make_user("alice")
    answer = alice.client.get(
        "/api/v1/users/self?access_token=" + alice.token, HTTP_X_REQUEST_ID="lb-123"
    )
    assert answer["X-Request-ID"] == "lb-123"
    (record,) = [r for r in caplog.records if r.name == "filmroll.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["view"] == "api:self" and line["status"] == 200 and line["request_id"] == "lb-123"
    assert line["path"] == "/api/v1/users/self" and alice.token not in json.dumps(line)
    assert str(line["user_id"]) == answer.json()["data"]["id"]
    odd = Client().get("/healthz", HTTP_X_REQUEST_ID="no spaces allowed!")
    assert re.match(r"^[0-9a-f]{32}$", odd["X-Request-ID"])


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_tasks_carry_the_id_of_the_request_that_queued_them(caplog, restores_install, empty_index):
    caplog.set_level(logging.INFO, logger="filmroll.task")
    _, alice = make_user("alice")
    alice.client.post(
        "/api/v1/media",
        {"image": upload_file()},
        HTTP_AUTHORIZATION=f"Bearer {alice.token}",
        HTTP_X_REQUEST_ID="post-photo-1",
    )
    if not settings.FILMROLL.broker_url:
        assert set(QueuedTask.objects.values_list("request_id", flat=True)) == {"post-photo-1"}
    run_tasks()
    tasks = [r for r in caplog.records if r.name == "filmroll.task"]
    assert {"feeds.fan_out", "discovery.index_media"} <= {r.task for r in tasks}
    assert {r.request_id for r in tasks} == {"post-photo-1"}
    assert all(r.outcome == "ok" and r.ms >= 0 for r in tasks)


def upload_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.png", png_bytes(), "image/png")


class SentryServer:
    """A loopback stand-in for Sentry's ingest: keeps every envelope POSTed to it."""

    def __init__(self) -> None:
        self.envelopes: list[bytes] = []

        def handle(method, path, headers, body):
            if headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            self.envelopes.append(body)
            return 200, b"{}", {}

        self.http = Loopback(handle)
        self.dsn = f"http://publickey@127.0.0.1:{self.http.port}/42"


@pytest.fixture
def sentry():
    import sentry_sdk

    from filmroll.observe import reporting

    server = SentryServer()
    reporting.start(server.dsn)
    yield server
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)
    server.http.stop()


def test_errors_reach_sentry_without_personal_data(sentry, monkeypatch, caplog):
    import sentry_sdk

    from filmroll.api import accounts

    alice, alice_api = make_user("alice")

    def broken(raw_id):
        raise RuntimeError("the shard went away")

    monkeypatch.setattr(accounts.users, "get_user", broken)
    answer = alice_api.client.get(
        f"/api/v1/users/{alice.id}?access_token={alice_api.token}", HTTP_X_REQUEST_ID="req-err-1"
    )
    assert answer.status_code == 500 and answer.json()["meta"]["error_type"] == "APIError"
    sentry_sdk.flush(timeout=5)
    sent = b"".join(sentry.envelopes)
    assert b"the shard went away" in sent and b"RuntimeError" in sent
    assert b"req-err-1" in sent  # the request ID, to find the log lines
    assert alice_api.token.encode() not in sent
    assert b"alice@example.com" not in sent and PASSWORD.encode() not in sent
    assert b'"ip_address"' not in sent
    # nor do the log lines of the failure show the token (Django logs the request itself)
    lines = [JsonFormatter().format(r) for r in caplog.records]
    assert any("Internal Server Error" in line for line in lines)
    assert not any(alice_api.token in line for line in lines)


def broken_grid(*args):
    raise RuntimeError("the grid broke")  # a frame whose source lines hold no secrets


def sent_events(server: SentryServer) -> list[dict]:
    """The events in the envelopes sent (an envelope: a header line, then item header and item
    lines)."""
    import sentry_sdk

    sentry_sdk.flush(timeout=5)
    events = []
    for envelope in server.envelopes:
        for line in envelope.splitlines():
            item = json.loads(line)
            if "exception" in item or "logentry" in item:
                events.append(item)
    return events


def test_a_page_that_fails_is_reported_once_with_its_request(sentry, monkeypatch):
    from filmroll.web import explore

    monkeypatch.setattr(explore, "_grid", broken_grid)
    answer = Client(raise_request_exception=False).get(
        "/explore/?q=secret-query",
        HTTP_X_REQUEST_ID="req-page-1",
        HTTP_USER_AGENT="probe/1",
        HTTP_COOKIE="sessionid=s3cret",
        HTTP_AUTHORIZATION="Bearer tok3n",
        HTTP_X_REAL_IP="203.0.113.9",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert answer.status_code == 500
    # one event: Django's signal is reported; its "Internal Server Error" record is not again
    (event,) = sent_events(sentry)
    assert event["exception"]["values"][-1]["value"] == "the grid broke"
    assert event["exception"]["values"][-1]["mechanism"]["handled"] is False
    request = event["request"]
    assert request["url"] == "http://testserver/explore/" and request["method"] == "GET"
    assert request["headers"]["User-Agent"] == "probe/1"
    assert not {"Cookie", "Authorization", "X-Real-Ip", "X-Forwarded-For"} & set(request["headers"])
    assert event["transaction"] == "/explore/" and event["tags"]["request_id"] == "req-page-1"
    assert event["release"].startswith("filmroll@")
    # a trace per request (its ID made from the request ID), not one per process
    trace_id = event["contexts"]["trace"]["trace_id"]
    assert re.match(r"^[0-9a-f]{32}$", trace_id)
    Client(raise_request_exception=False).get("/explore/", HTTP_X_REQUEST_ID="req-page-2")
    assert sent_events(sentry)[-1]["contexts"]["trace"]["trace_id"] != trace_id
    sent = b"".join(sentry.envelopes)
    for secret in (b"secret-query", b"s3cret", b"tok3n", b"203.0.113.9", b"203.0.113.10"):
        assert secret not in sent


def test_a_failed_fetch_does_not_send_its_csrf_token(sentry, monkeypatch):
    """app.js sends the page's CSRF token in X-CSRFToken on every fetch: a credential like the
    cookie it is checked against, so not in a report (the SDK's own lists miss its spelling)."""
    from filmroll.web import explore

    monkeypatch.setattr(explore, "_grid", broken_grid)
    answer = Client(raise_request_exception=False).get(
        "/explore/", HTTP_X_CSRFTOKEN="csrf-s3cret", HTTP_X_REQUESTED_WITH="fetch"
    )
    assert answer.status_code == 500
    (event,) = sent_events(sentry)
    assert event["request"]["headers"]["X-Requested-With"] == "fetch"
    assert b"csrf-s3cret" not in b"".join(sentry.envelopes)


def test_an_error_record_with_a_uri_loses_its_query_string(sentry):
    """gunicorn's own record of an exception that escaped Django (a streamed response's), made
    as its workers make it: no request is kept by then, and the URI is the client's, token and
    all (the SDK's Django integration reported such an exception first, and this one was
    dropped as a duplicate)."""
    error_log = logging.getLogger("gunicorn.error")
    try:
        raise RuntimeError("the stream broke")
    except RuntimeError:
        error_log.exception("Error handling request %s %s", "GET", STREAMED_URI)
    (event,) = sent_events(sentry)
    assert event["logentry"]["formatted"] == "Error handling request GET /p/x/media/"
    assert STREAMED_URI.split("=")[1].encode() not in b"".join(sentry.envelopes)


def test_a_password_reset_token_is_not_reported(sentry):
    """A reset link's token sets the password until it is used: an error record naming the
    link keeps its path, not its token (nor a query string)."""
    token = "-".join(
        ["cz4k1j", "0123456789abcdef" * 2]
    )  # not in this file's text, which a report quotes
    try:
        raise RuntimeError("the reset page broke")
    except RuntimeError:
        logging.getLogger("gunicorn.error").exception(
            "Error handling request %s %s", "GET", f"/accounts/reset/MQ/{token}/?next=/x"
        )
    (event,) = sent_events(sentry)
    assert (
        event["logentry"]["formatted"] == "Error handling request GET /accounts/reset/MQ/[token]/"
    )
    assert token.encode() not in b"".join(sentry.envelopes)


def test_a_request_line_does_not_look_up_a_user_the_page_did_not(caplog):
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.functional import SimpleLazyObject

    from filmroll.ops.middleware import Observe

    caplog.set_level(logging.INFO, logger="filmroll.request")
    looked_up = []
    request = RequestFactory().get("/about/")
    # as Django's AuthenticationMiddleware leaves it: looked up (a session read) when first used
    request.user = SimpleLazyObject(lambda: looked_up.append("user"))
    Observe(lambda request: HttpResponse("a page that shows no user"))(request)
    (record,) = [r for r in caplog.records if r.name == "filmroll.request"]
    assert record.user_id is None and looked_up == []


def test_a_request_line_names_who_signed_in_or_out_by_it(caplog):
    """The line of the request that signs a person in names them, the one that signs them out
    does not: the user the answer was for, as the view left request.user."""
    caplog.set_level(logging.INFO, logger="filmroll.request")
    bo, _ = make_user("bo")
    browser = Client()
    signed_in = browser.post("/accounts/login/", {"username": "bo", "password": PASSWORD})
    assert signed_in.status_code == 302
    browser.get("/settings/")
    assert browser.post("/accounts/logout/").status_code == 302
    lines = [(r.method, r.path, r.user_id) for r in caplog.records if r.name == "filmroll.request"]
    assert lines == [("POST", "/accounts/login/", bo.id), ("GET", "/settings/", bo.id),
                     ("POST", "/accounts/logout/", None)]  # fmt: skip


def test_the_munin_plugin_describes_and_reports_the_business_graph():
    out = io.StringIO()
    call_command("munin", "config", stdout=out)
    described = out.getvalue().splitlines()
    assert "graph_title filmroll activity" in described
    for field in ("signups", "photos", "likes", "comments"):
        assert f"{field}.type DERIVE" in described and f"{field}.min 0" in described

    def values() -> dict[str, int]:
        out = io.StringIO()
        call_command("munin", stdout=out)
        return {line.split(".")[0]: int(line.split()[1]) for line in out.getvalue().splitlines()}

    before = values()
    _, alice = make_user("alice")
    upload(alice, png_bytes())
    upload(alice, png_bytes())
    after = values()
    assert after["photos"] == before["photos"] + 2 and after["likes"] == before["likes"]


def test_cache_lookups_of_each_viewers_flags_count_in_one_series():
    from filmroll import objcache
    from filmroll.observe import metrics

    def liked() -> float:
        return metrics.CACHE.labels("liked", "miss")._value.get()

    before = liked()
    for viewer in (101, 102):
        objcache.fetch(objcache.Batch(f"liked:{viewer}", [1, 2], lambda keys: {}))
    assert liked() == before + 4
    assert not [
        labels for labels in metrics.CACHE._metrics if labels[0].startswith("liked:")
    ]  # no series per viewer


def test_a_periodic_tasks_success_is_not_logged_at_info_its_failure_is(caplog):
    from filmroll.tasks import registry

    caplog.set_level(logging.INFO, logger="filmroll.task")
    ticks: list[int] = []
    calm = registry.Task("test.calm", "default", lambda: ticks.append(1), 1, every=5)
    once = registry.Task("test.once", "default", lambda: ticks.append(2), 1, every=0)

    def fail() -> None:
        raise RuntimeError("down")

    broken = registry.Task("test.broken", "default", fail, 1, every=5)
    registry.perform(calm, [], "", 1)
    registry.perform(once, [], "", 1)
    with pytest.raises(RuntimeError):
        registry.perform(broken, [], "", 1)
    told = [(r.task, r.outcome) for r in caplog.records if r.name == "filmroll.task"]
    assert ticks == [1, 2] and told == [("test.once", "ok"), ("test.broken", "error")]
