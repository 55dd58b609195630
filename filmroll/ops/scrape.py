"""What /metrics answers: every process's counters summed, and what is read at scrape time
(queue depths, backend states), which needs the whole stack and so lives up here."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily


class ScrapeTime:
    """Read when scraped: the depth of each task queue and the state of each backend."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from filmroll.ops import health
        from filmroll.tasks import queues

        depth = GaugeMetricFamily(
            "filmroll_queue_depth", "Tasks waiting, per queue", labels=["queue"]
        )
        try:
            for queue, waiting in queues.depths().items():
                depth.add_metric([queue], waiting)
        except Exception:  # the broker is down: filmroll_backend_up says so below
            pass
        yield depth
        _, report = health.check()
        up = GaugeMetricFamily(
            "filmroll_backend_up", "1 if the backend answers", labels=["backend"]
        )
        took = GaugeMetricFamily(
            "filmroll_backend_check_seconds",
            "How long the backend took to answer",
            labels=["backend"],
        )
        for name, state in report["backends"].items():
            up.add_metric([name], 1 if state["ok"] else 0)
            took.add_metric([name], state["ms"] / 1000)
        yield up
        yield took


def render() -> tuple[bytes, str]:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(ScrapeTime())
    return generate_latest(registry), CONTENT_TYPE_LATEST
