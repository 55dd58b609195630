"""Logs for a person at a terminal: a short line per request, the tasks summarised; JSON lines
(one per task) for machines."""

from __future__ import annotations

import dataclasses
import json
import logging
import re

import pytest
from django.test import Client

from filmroll.observe.logs import ForMachines, ForPeople, HumanFormatter, JsonFormatter
from filmroll.tasks import dispatch, registry, worker


@registry.task("test.summarised", queue="test-logs")
def summarised(*args):
    pass


@registry.task("test.summarised_fails", queue="test-logs", max_attempts=3)
def summarised_fails(*args):
    raise RuntimeError("no")


@pytest.fixture(autouse=True)
def _embedded_queue(settings):
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, broker_url="")


def test_a_request_is_one_short_line_with_method_path_status_and_time(caplog):
    with caplog.at_level(logging.INFO, logger="filmroll.request"):
        Client().get("/explore/?access_token=not-for-logs")
        Client().get("/no/such/page/")
    lines = [HumanFormatter().format(r) for r in caplog.records if r.name == "filmroll.request"]
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET /explore/ 200 \d+ ms", lines[0]), lines
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET /no/such/page/ 404 \d+ ms", lines[1]), lines


def test_django_s_warning_for_a_4xx_answer_is_left_to_the_request_s_line():
    def record(level: int) -> logging.LogRecord:
        return logging.LogRecord("django.request", level, "", 0, "Not Found: /x", (), None)

    assert not ForPeople().filter(record(logging.WARNING))
    assert ForPeople().filter(record(logging.ERROR))  # a 500, with its traceback
    assert ForMachines().filter(record(logging.WARNING))


def test_warnings_name_their_level_and_logger():
    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Not Found: %s", ("/x",), None
    )
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d WARNING django\.request: Not Found: /x", HumanFormatter().format(record)
    )


def test_people_see_failed_tasks_and_summaries_machines_see_each_task(caplog):
    dispatch.queue_locally("test-logs", "test.summarised", [])
    dispatch.queue_locally("test-logs", "test.summarised", [])
    dispatch.queue_locally("test-logs", "test.summarised_fails", [])
    tally = worker.Tally(every=5)
    with caplog.at_level(logging.INFO):
        while done := worker.run_one(["test-logs"]):
            tally.add(*done)
        line = tally.flush(now=1000.0)
        assert tally.flush(now=1001.0) is None  # nothing new, and not yet time
    assert line == (
        "tasks: 2 done (test.summarised 2); 1 failed (test.summarised_fails 1; retried with backoff)"
    )
    task_lines = [r for r in caplog.records if r.name == "filmroll.task"]
    summaries = [r for r in caplog.records if r.name == "filmroll.tasks.summary"]
    assert len(task_lines) == 3 and len(summaries) == 1
    for_people, for_machines = ForPeople(), ForMachines()
    assert [r for r in task_lines if for_people.filter(r)] == []  # logged at INFO, outcome error
    assert for_people.filter(summaries[0]) and not for_machines.filter(summaries[0])
    assert all(for_machines.filter(r) for r in task_lines)
    assert json.loads(JsonFormatter().format(task_lines[2]))["outcome"] == "error"


def test_periodic_tasks_are_left_out_of_summaries_unless_they_fail():
    tally = worker.Tally(every=0)
    tally.add("discovery.popular", True)
    assert tally.flush(now=1.0) is None
    tally.add("discovery.popular", False)
    assert (
        tally.flush(now=2.0)
        == "tasks: 0 done; 1 failed (discovery.popular 1; retried with backoff)"
    )


def test_json_lines_carry_each_records_second_and_what_json_has_no_type_for():
    from django.test import RequestFactory

    formatter = JsonFormatter()

    def line(created: float, **extra) -> dict:
        record = logging.LogRecord("filmroll.test", logging.INFO, "", 0, "hi", None, None)
        record.created, record.msecs = created, (created % 1) * 1000
        record.__dict__.update(extra)
        return json.loads(formatter.format(record))

    assert line(1_800_000_000.25)["time"] == "2027-01-15T08:00:00.250Z"
    assert line(1_800_000_001.5)["time"] == "2027-01-15T08:00:01.500Z"  # the next second's own
    request = RequestFactory().get("/p?access_token=secret")
    odd = line(1_800_000_001.5, request=request, counts={1: 2}, big=2**70, at=dataclasses)
    assert odd["request"] == "GET /p" and odd["counts"] == {"1": 2} and odd["big"] == 2**70
    assert odd["at"].startswith("<module 'dataclasses'")
