"""The shipped alerting files are the ones that work: promtool checks the rules and runs their
unit tests, amtool checks Alertmanager's configuration, and a real Alertmanager pages a loopback
stand-in for PagerDuty's Events API v2 with it."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.servers import Loopback, free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_alert_rules_are_valid_and_fire_as_their_unit_tests_say():
    assert "SUCCESS: 7 rules found" in run(
        "promtool", "check", "rules", str(DEPLOY / "prometheus/alerts.yml")
    )
    assert "SUCCESS" in run("promtool", "test", "rules", str(DEPLOY / "prometheus/alerts_test.yml"))
    run("promtool", "check", "config", str(DEPLOY / "prometheus/prometheus.yml"))
    run("amtool", "check-config", str(DEPLOY / "alertmanager/alertmanager.yml"))


class PagerDuty:
    """PagerDuty's Events API v2, as far as Alertmanager uses it."""

    def __init__(self) -> None:
        self.events: list[dict] = []

        def handle(method, path, headers, body):
            self.events.append(json.loads(body))
            return 202, b'{"status":"success","message":"Event processed"}', {}

        self.http = Loopback(handle)
        self.url = f"{self.http.url}/v2/enqueue"


@pytest.fixture
def alertmanager(tmp_path):
    pagerduty = PagerDuty()
    config = (DEPLOY / "alertmanager/alertmanager.yml").read_text()
    config = config.replace("https://events.pagerduty.com/v2/enqueue", pagerduty.url)
    config = config.replace("group_wait: 30s", "group_wait: 0s")  # page at once in the test
    (tmp_path / "am.yml").write_text(config)
    port = free_port()
    process = subprocess.Popen(
        ["prometheus-alertmanager", f"--config.file={tmp_path / 'am.yml'}",
         f"--storage.path={tmp_path}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/-/ready", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base, pagerduty
    process.terminate()
    process.wait()
    pagerduty.http.stop()


def test_a_paging_alert_reaches_pagerduty_events_v2(alertmanager):
    base, pagerduty = alertmanager
    alerts = [
        {"labels": {"alertname": "FilmrollBackendDown", "severity": "page",
                    "backend": "redis:feeds:0"},
         "annotations": {"summary": "backend redis:feeds:0 does not answer",
                         "description": "`filmroll check` on an app server shows the error."}},
        {"labels": {"alertname": "FilmrollFanoutLag", "severity": "ticket"},
         "annotations": {"summary": "posts reach feeds late"}},
    ]  # fmt: skip
    request = urllib.request.Request(
        f"{base}/api/v2/alerts", json.dumps(alerts).encode(), {"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=5)
    deadline = time.monotonic() + 20
    while not pagerduty.events and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # a ticket alert would have arrived by now too
    (event,) = pagerduty.events
    assert event["routing_key"] == "REPLACE_WITH_THE_PAGERDUTY_INTEGRATION_KEY"
    assert event["event_action"] == "trigger" and event["dedup_key"]
    assert event["payload"]["summary"] == "backend redis:feeds:0 does not answer"
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["custom_details"]["firing"] == "1"
