"""Where every benchmark leaves its figures: one JSON file per benchmark under bench/results/
(what was measured, each ratio beside its goal, on what machine, when), read back by
bench/chart.py for the summary chart."""

from __future__ import annotations

import datetime
import json
import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Ratio:
    """One figure of ours divided by its baseline, measured in the same run."""

    name: str  # what the chart calls it
    value: float
    goal: float
    higher_is_better: bool = True

    @property
    def met(self) -> bool:
        return self.value >= self.goal if self.higher_is_better else self.value <= self.goal


def machine() -> dict[str, Any]:
    """What the figures were measured on (the README says it beside the chart)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = pages * size
    except (ValueError, OSError):
        pass
    return {
        "cpu": model or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def write(name: str, figures: dict[str, Any], ratios: list[Ratio]) -> Path:
    """bench/results/{name}.json: the figures, the ratios against their goals, the machine."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {
        "benchmark": name,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "figures": figures,
        "ratios": [{**asdict(r), "met": r.met} for r in ratios],
    }
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path


def read_all(where: Path = RESULTS) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(where.glob("*.json"))]


def wrk_figures(rate_p50_p99: list[float] | tuple[float, ...]) -> dict[str, float]:
    """wrk's medians (bench.served.figures) as named figures."""
    rate, p50, p99 = rate_p50_p99
    return {"requests_per_second": round(rate, 1), "p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}
