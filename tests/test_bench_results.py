"""What the benchmarks leave for the summary chart: bench/cluster.py (too heavy to run here)
writes its figures and ratios through bench/results.py, and bench/chart.py turns each ratio into
a share of its goal, lower-is-better ones turned over, far-off ones clipped."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import chart, cluster, results


def test_cluster_writes_both_ratios_against_their_goals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "RESULTS", tmp_path)
    monkeypatch.setenv("BENCH_ROUNDS", "1")
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    where = SimpleNamespace(port=lambda name: 1, data_dir=tmp_path)
    monkeypatch.setattr(cluster, "cluster_up", lambda: where)
    monkeypatch.setattr(cluster, "embedded_up",
                        lambda: SimpleNamespace(terminate=lambda: None, wait=lambda: 0))  # fmt: skip
    monkeypatch.setattr(cluster.supervise, "start", lambda where, names: None)
    monkeypatch.setattr(cluster.supervise, "stop", lambda where, name: None)
    # one round: two app servers, then one, then the embedded default
    figures = iter([(300.0, 40.0, 90.0), (200.0, 60.0, 120.0), (400.0, 30.0, 70.0)])
    monkeypatch.setattr(cluster, "wrk", lambda base, folder, seconds: next(figures))

    cluster.main()

    record = json.loads((tmp_path / "cluster.json").read_text())
    assert record["figures"]["cluster_2_app_servers"] == {
        "requests_per_second": 300.0, "p50_ms": 40.0, "p99_ms": 90.0
    }  # fmt: skip
    assert record["figures"]["embedded"]["requests_per_second"] == 400.0
    assert [(r["value"], r["goal"], r["met"]) for r in record["ratios"]] == [
        (1.5, cluster.SCALE_GOAL, True),
        (0.75, cluster.LAYERS_GOAL, True),
    ]
    assert "load_average" in record["machine"]


def test_chart_draws_each_ratio_as_a_share_of_its_goal() -> None:
    ratios = [
        results.Ratio("faster is better", 0.45, 0.9),
        results.Ratio("lower is better", 4.0, 2.0, higher_is_better=False),
        results.Ratio("far beyond its goal", 900.0, 10.0),
        results.Ratio("took no time", 0.0, 10.0, higher_is_better=False),
    ]
    record = {
        "benchmark": "x",
        "measured_at": "2026-12-06T10:00:00+00:00",
        "machine": {"load_average": [3.25, 1, 1]},
        "ratios": [{**vars(r), "met": r.met} for r in ratios],
    }
    rows = chart.rows_of([record])
    assert [r.share for r in rows] == [0.5, 0.5, chart.HIGH, chart.HIGH]
    assert [r.met for r in rows] == [False, False, True, True]
    assert rows[1].text == "4 (goal <= 2)"
    assert rows[2].text == "900 (goal >= 10), clipped"
    assert rows[0].label == "faster is better\n[x, 2026-12-06, load 3.2]"
