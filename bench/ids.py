"""Inserts per second into a sharded table whose IDs come from the shard's next_id() function,
beside the same insert into a table keyed by a plain bigserial, in one run. Figures also go to
bench/results/ids.json.

    make bench-ids        (or: .venv/bin/python bench/ids.py [--rounds 5] [--rows 3000])

Two workloads: single-row INSERT ... RETURNING id in autocommit (what a request does), and
batches of 500 rows in one transaction (where the per-row cost of making the ID shows most).
Rounds alternate between the two tables; figures are medians over rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from multiprocessing import get_context
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import results  # noqa: E402
from filmroll.sharding.schema import postgres_base  # noqa: E402

SHARD = 42
DSN = "host=127.0.0.1 port=5432 user=postgres"
DATABASE = "filmroll_bench_ids"
TABLES = {
    "sharded": f"shard_{SHARD:04d}.photos",
    "bigserial": "public.photos_serial",
}
WORKLOADS = {"single_row_autocommit": ("single-row autocommit", 1),
             "batches_of_500": ("500-row transactions", 500)}  # fmt: skip
GOAL = 0.9  # next_id() inserts at least 90% as fast as bigserial ones


def setup() -> None:
    with psycopg.connect(f"{DSN} dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(f"{DSN} dbname={DATABASE}", autocommit=True) as conn:
        conn.execute(postgres_base(SHARD))
        conn.execute(
            f"CREATE TABLE {TABLES['sharded']} (id bigint PRIMARY KEY DEFAULT shard_{SHARD:04d}.next_id(),"
            " user_id bigint NOT NULL, caption text NOT NULL)"
        )
        conn.execute(
            f"CREATE TABLE {TABLES['bigserial']} (id bigserial PRIMARY KEY,"
            " user_id bigint NOT NULL, caption text NOT NULL)"
        )


def worker(table: str, rows: int, batch: int) -> float:
    """Rows per second of one client."""
    sql = f"INSERT INTO {table} (user_id, caption) VALUES (%s, %s) RETURNING id"
    with psycopg.connect(f"{DSN} dbname={DATABASE}", autocommit=batch == 1) as conn:
        cursor = conn.cursor()
        start = time.perf_counter()
        if batch == 1:
            for n in range(rows):
                cursor.execute(sql, (n, "a caption #tag")).fetchone()
        else:
            for first in range(0, rows, batch):
                cursor.executemany(
                    sql,
                    [(n, "a caption #tag") for n in range(first, first + batch)],
                    returning=True,
                )
                conn.commit()
        return rows / (time.perf_counter() - start)


def measure(pool, table: str, clients: int, rows: int, batch: int) -> float:
    rates = pool.starmap(worker, [(table, rows, batch)] * clients)
    return sum(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--rows", type=int, default=3000, help="rows per client per round")
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    setup()
    print(f"PostgreSQL at 127.0.0.1:5432, {args.clients} clients, {args.rows} rows each per round")
    figures: dict[str, object] = {"rounds": args.rounds, "rows": args.rows, "clients": args.clients}
    ratios = []
    with get_context("spawn").Pool(args.clients) as pool:
        for key, (label, batch) in WORKLOADS.items():
            rates: dict[str, list[float]] = {name: [] for name in TABLES}
            for round_no in range(args.rounds):
                # ABBA order, so a drift in the machine's speed falls on both sides alike
                order = list(TABLES) if round_no % 2 == 0 else list(reversed(TABLES))
                for name in order:
                    rates[name].append(measure(pool, TABLES[name], args.clients, args.rows, batch))
                print(f"  {label}: round {round_no + 1}/{args.rounds} done", file=sys.stderr)
            ours = statistics.median(rates["sharded"])
            base = statistics.median(rates["bigserial"])
            print(
                f"{label:<24} next_id(): {ours:>9.0f} rows/s   bigserial: {base:>9.0f} rows/s"
                f"   ratio {ours / base:.2f} (goal >= {GOAL:g})"
            )
            figures[key] = {"next_id_rows_per_second": round(ours, 1),
                            "bigserial_rows_per_second": round(base, 1)}  # fmt: skip
            ratios.append(results.Ratio(f"inserts with next_id() / bigserial, {label}",
                                        ours / base, GOAL))  # fmt: skip
    results.write("ids", figures, ratios)
    with psycopg.connect(f"{DSN} dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
