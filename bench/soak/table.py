"""The one table a soak run prints."""

from __future__ import annotations

import statistics
from collections import Counter

from bench.soak.client import Tally


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def render(header: list[str], tally: Tally, lost: dict[str, int], audit: dict[str, int] | None,
           drain: float | None, fault_log: list[str], writes_5xx: int,
           by_fault: dict[str, Counter[str]],
           extra: list[tuple[str, str]] | None = None) -> str:  # fmt: skip
    rows: list[tuple[str, str]] = []
    rows.append(("requests", str(tally.requests)))
    errors = tally.errors()
    rows.append(("errors by status", ", ".join(f"{s}: {n}" for s, n in errors.items()) or "0"))
    rows.append(("writes answered 5xx/no answer", str(writes_5xx)))
    lat = tally.latencies
    rows.append(
        ("latency median / p99 / max", f"{statistics.median(lat) if lat else 0:.3f} / "
         f"{_p(lat, 0.99):.3f} / {max(lat, default=0):.3f} s")
    )  # fmt: skip
    apart = (
        "feed duplicates",
        "feed entries missing",
        "reads that failed",
        "uploads answered 5xx but made",
    )
    write_kinds = [k for k in lost if k not in apart and not k.startswith(apart[-1])]
    total_lost = sum(lost.get(k, 0) for k in write_kinds)
    detail = ", ".join(f"{k} {lost[k]}" for k in write_kinds if lost[k])
    rows.append(("acknowledged writes lost", f"{total_lost}" + (f" ({detail})" if detail else "")))
    made = lost.get("uploads answered 5xx but made", 0)
    answers = ", ".join(
        f"{k.rsplit(': ', 1)[1]} {n}"
        for k, n in sorted(lost.items())
        if k.startswith(apart[-1] + ":")
    )  # a 503 says nothing was posted: one made under it is a defect; `conn`, a kill cut it off
    rows.append(("uploads answered 5xx but made", str(made) + (f" ({answers})" if answers else "")))
    rows.append(("feed entries missing", str(lost.get("feed entries missing", 0))))
    dup_api = lost.get("feed duplicates", 0)
    dup_store = audit.get("duplicate feed entries", 0) if audit else "?"
    rows.append(("duplicates in feeds", f"{dup_api} (API), {dup_store} (store)"))
    if audit:
        half = {k: v for k, v in audit.items() if k.startswith("half-made")}
        rows.append(
            (
                "half-made edges",
                f"{sum(half.values())} ("
                + ", ".join(f"{k[10:]} {v}" for k, v in half.items())
                + ")",
            )
        )
        rows.append(
            ("counters differ from rows", f"{audit['user counts off'] + audit['photo counts off']} "
             f"(users {audit['user counts off']}, photos {audit['photo counts off']}, "
             f"stale cached {audit['stale cached counts']})")
        )  # fmt: skip
        orphans = audit["orphan files"] + audit["recent orphan files"]
        rows.append(("orphan files", f"{orphans} ({audit['partial files']} of them .partial)"))
    else:
        rows.append(("store audit", "failed: see above"))
    rows.append(("reads that failed in the audit", str(lost.get("reads that failed", 0))))
    rows.append(("time to drain", f"{drain:.1f} s" if drain is not None else "did not drain"))
    rows += extra or []  # the backup fault's restore into a fresh install
    width = max(len(k) for k, _ in rows)
    lines = [*header, ""]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    lines += ["", "faults:"] + [f"  {line}" for line in fault_log or ["none"]]
    lines += ["", "5xx and unanswered requests, by the last fault before them:"]
    lines += [
        f"  {name:<16} " + ", ".join(f"{s}: {n}" for s, n in sorted(counts.items()))
        for name, counts in by_fault.items()
    ] or ["  none"]
    return "\n".join(lines)
