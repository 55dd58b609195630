"""The summary chart: every ratio the benchmarks wrote under bench/results/, each as a share of
its goal (1 = the goal just met; a lower-is-better ratio turned over so that more is better
too), annotated with the ratio and the goal, into bench/results/summary.png.

    make bench-chart      (after any benchmark; `make bench` draws it last)
    python bench/chart.py bench/results/before      (the figures kept in another directory)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.results import RESULTS, read_all  # noqa: E402

# Shares are drawn on a log scale (twice the goal as far from it as half the goal), clipped
# here so that one far-off ratio does not squash the others; its label keeps the true value.
LOW, HIGH = 0.05, 20.0


class Row(NamedTuple):
    label: str
    share: float
    text: str
    met: bool
    benchmark: str


def share_of_goal(ratio: dict[str, Any]) -> float:
    value, goal = ratio["value"], ratio["goal"]
    if ratio["higher_is_better"]:
        return value / goal if goal else float("inf")
    return goal / value if value else float("inf")


def rows_of(records: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for record in records:
        load = record["machine"].get("load_average", [None])[0]
        where = f"{record['benchmark']}, {record['measured_at'][:10]}"
        where += f", load {load:.1f}" if load is not None else ""
        for r in record["ratios"]:
            sign = ">=" if r["higher_is_better"] else "<="
            text = f"{r['value']:.3g} (goal {sign} {r['goal']:g})"
            share = share_of_goal(r)
            if not LOW <= share <= HIGH:
                text += ", clipped"
            rows.append(Row(f"{r['name']}\n[{where}]", min(HIGH, max(LOW, share)), text,
                            r["met"], record["benchmark"]))  # fmt: skip
    return rows


def main() -> None:
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = read_all(where)
    rows = rows_of(records)
    if not rows:
        raise SystemExit(f"no results under {where}: run a benchmark first")
    machines = {
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB"
        for m in (record["machine"] for record in records)
    }
    fig, ax = plt.subplots(figsize=(11, 0.5 * len(rows) + 1.4))
    y = list(range(len(rows)))[::-1]
    # each bar runs from the goal to the share: right of the line the goal is met
    ax.barh(y, [abs(r.share - 1) for r in rows], left=[min(r.share, 1) for r in rows],
            height=0.6, color=["#3a7d44" if r.met else "#c0392b" for r in rows])  # fmt: skip
    ax.set_xscale("log")
    low = min(0.5, min(r.share for r in rows) / 1.6)
    high = max(2.0, max(r.share for r in rows) * 6)  # room for the text
    ax.set_xlim(low, high)
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}×" for t in ticks])
    ax.minorticks_off()
    ax.axvline(1.0, color="black", linewidth=1, linestyle="--")
    shade = False
    for n, (yy, row) in enumerate(zip(y, rows, strict=True)):
        if n and row.benchmark != rows[n - 1].benchmark:
            shade = not shade
        if shade:  # one band per benchmark
            ax.axhspan(yy - 0.5, yy + 0.5, color="#f0f0f0", zorder=0)
        ax.text(max(row.share, 1) * 1.04, yy, row.text, va="center", fontsize=8)
    ax.set_ylim(-0.5, len(rows) - 0.5)
    ax.set_yticks(y, [r.label for r in rows], fontsize=7.5)
    ax.set_xlabel("share of the goal, log scale (dashed line: goal just met; green met, red not)")
    ax.set_title("filmroll benchmarks: each ratio against its goal", fontsize=10)
    fig.text(0.01, 0.005, "machine: " + "; ".join(sorted(machines))
             + " (load: 1-minute load average when the benchmark ended)", fontsize=7)  # fmt: skip
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    out = where / "summary.png"
    fig.savefig(out, dpi=110, bbox_inches="tight")  # long labels kept whole
    print(f"chart: {out}")


if __name__ == "__main__":
    main()
