"""The summary chart: every ratio the benchmarks wrote under bench/results/, each as a share of
its goal (1.0 = the goal just met), annotated with the ratio and the goal, into
bench/results/summary.png.

    make bench-chart      (after any benchmark; `make bench` draws it last)
    python bench/chart.py bench/results/before      (the figures kept in another directory)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.results import RESULTS, read_all  # noqa: E402


def main() -> None:
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = []  # (label, share of goal, text, met)
    machines = set()
    for record in read_all(where):
        m = record["machine"]
        machines.add(f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['system']}")
        for r in record["ratios"]:
            share = r["value"] / r["goal"] if r["higher_is_better"] else r["goal"] / r["value"]
            sign = ">=" if r["higher_is_better"] else "<="
            text = f"{r['value']:.2f} (goal {sign} {r['goal']:g})"
            rows.append((f"{r['name']}\n[{record['benchmark']}, {record['measured_at'][:10]}]",
                         share, text, r["met"]))  # fmt: skip
    if not rows:
        raise SystemExit("no results under bench/results/: run a benchmark first")
    fig, ax = plt.subplots(figsize=(10, 0.75 * len(rows) + 1.6))
    y = range(len(rows))[::-1]
    ax.barh(list(y), [r[1] for r in rows],
            color=["#3a7d44" if r[3] else "#c0392b" for r in rows])  # fmt: skip
    ax.axvline(1.0, color="black", linewidth=1, linestyle="--")
    for yy, (_, share, text, _) in zip(y, rows, strict=True):
        ax.text(share + 0.02, yy, text, va="center", fontsize=8)
    ax.set_yticks(list(y), [r[0] for r in rows], fontsize=8)
    ax.set_xlim(0, max(1.3, max(r[1] for r in rows) * 1.35))
    ax.set_xlabel("share of the goal (dashed line: goal met; green met, red not)")
    ax.set_title("filmroll benchmarks: each ratio against its goal, measured side by side in one run",
                 fontsize=10)  # fmt: skip
    fig.text(0.01, 0.005, "machine: " + "; ".join(sorted(machines)), fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out = where / "summary.png"
    fig.savefig(out, dpi=110)
    print(f"chart: {out}")


if __name__ == "__main__":
    main()
