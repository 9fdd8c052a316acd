#!/usr/bin/env python3
"""The billing run's benchmark: renewals per second with N subscriptions due on PostgreSQL, with
one and with two worker processes, and the SQL statements per renewal.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portalql_bench python3 bench/renewals.py
    python3 bench/renewals.py --db postgresql://... --due 10000,100000 --workers 1,2 --kind PLAN

The database is emptied (its schema dropped; refused unless its name says test or bench),
migrated and seeded with `portalql demo --scale 1` once (a marker table remembers it). For each
run, the subscriptions of earlier runs are cancelled and N new ones made due now, copies of the
demo's subscriptions of one item (spread over the demo accounts with a default card, which is
made valid), a month behind by one cycle: charged by card (the built-in test gateway, in
process), so a renewal is an invoice, its number, a charge, a payment, a receipt and the emails.
Each worker is its own process running `renewals.run` once at a fixed instant; the rate is the
renewals of all workers over the wall time of the slowest. Prints a Markdown table."""
import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import in_venv, machine, portalql  # noqa: E402


def _engine(url: str):  # noqa: ANN202
    from db.engine import Database  # noqa: PLC0415
    return Database(url)


async def _seeded(url: str) -> bool:
    db = _engine(url)
    try:
        async with db.engine.connect() as conn:
            found = await conn.exec_driver_sql("SELECT to_regclass('public.bench_renewals') IS NOT NULL")
            return bool(found.scalar())
    finally:
        await db.dispose()


async def _reset(url: str) -> None:
    db = _engine(url)
    try:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        await db.dispose()


async def _mark(url: str) -> None:
    db = _engine(url)
    try:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE bench_renewals (seeded_at timestamptz DEFAULT now())")
            await conn.exec_driver_sql("INSERT INTO bench_renewals DEFAULT VALUES")
    finally:
        await db.dispose()


def seed(url: str) -> None:
    from sqlalchemy.engine import make_url  # noqa: PLC0415
    name = (make_url(url).database or "").lower()
    if "test" not in name and "bench" not in name:
        raise SystemExit(f"refusing to empty {name!r}: give a database whose name says test or bench")
    if asyncio.run(_seeded(url)):
        return
    asyncio.run(_reset(url))
    t = time.perf_counter()
    subprocess.run([portalql(), "demo", "--no-serve", "--scale", "1"], env={**os.environ, "DATABASE_URL": url},
                   check=True, stdout=subprocess.DEVNULL)
    asyncio.run(_mark(url))
    print(f"  seeded in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)


# Copies of the demo's one-item subscriptions whose account has a default card, round robin.
_MAKE = """
WITH templates AS (
  SELECT s.*, row_number() OVER (ORDER BY s.id) - 1 AS i FROM subscription s
  WHERE s.number NOT LIKE 'B%%' AND s.location_id IS NOT NULL
    AND (SELECT count(*) FROM subscription_item i WHERE i.subscription_id = s.id) = 1
    AND EXISTS (SELECT 1 FROM payment_method m WHERE m.account_id = s.account_id AND m.is_default)
), n AS (SELECT count(*) AS k FROM templates)
INSERT INTO subscription (number, account_id, location_id, status, kind, interval, interval_count, currency,
  current_period_start, current_period_end, next_billing_at, cancel_at_period_end, collection_method,
  created_at, version)
SELECT 'B' || $1 || '-' || g || '-' || t.id, t.account_id, t.location_id, 'ACTIVE', $2, 'MONTH', 1, t.currency,
  $3, $4, $4, false, 'CHARGE_AUTOMATICALLY', $3, 0
FROM generate_series(0, $5 - 1) g JOIN n ON true JOIN templates t ON t.i = g % n.k
"""
_ITEMS = """
INSERT INTO subscription_item (subscription_id, variant_id, quantity, unit_price, currency)
SELECT s.id, i.variant_id, i.quantity, i.unit_price, i.currency
FROM subscription s JOIN subscription_item i ON i.subscription_id = split_part(s.number, '-', 3)::int
WHERE s.number LIKE 'B' || $1 || '-%'
"""


async def make_due(url: str, tag: str, due: int, kind: str, now: datetime) -> None:
    start = now - timedelta(days=40)
    end = now - timedelta(days=9)  # a month after the start: due now
    db = _engine(url)
    try:
        async with db.engine.begin() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.execute("UPDATE subscription SET status = 'CANCELLED' WHERE status <> 'CANCELLED'")
            await raw.execute("UPDATE payment_method SET exp_year = $1", now.year + 5)
            await raw.execute(_MAKE, tag, kind, start, end, due)
            await raw.execute(_ITEMS, tag)
            await raw.execute("ANALYZE")
    finally:
        await db.dispose()


def child(url: str, now: str, start_at: float) -> None:
    """One worker process: one renewal pass at `now`, its counts as JSON."""
    import dataclasses  # noqa: PLC0415
    import logging  # noqa: PLC0415

    from db.engine import count_statements  # noqa: PLC0415
    from domain.clock import FixedClock  # noqa: PLC0415
    from domain.invoicing import MerchantSettings  # noqa: PLC0415
    from domain.subscriptions import renewals  # noqa: PLC0415
    from integrations.test_gateway import TestGateway  # noqa: PLC0415

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")

    async def go() -> dict:
        db = _engine(url)
        try:
            async with db.session() as s:
                await s.connection()
            await asyncio.sleep(max(start_at - time.time(), 0))
            t = time.perf_counter()
            with count_statements() as counted:
                done = await renewals.run(db, TestGateway(), FixedClock(datetime.fromisoformat(now)),
                                          MerchantSettings(), progress_every=5000)
            return {**dataclasses.asdict(done), "seconds": time.perf_counter() - t, "statements": counted.count}
        finally:
            await db.dispose()
    print(json.dumps(asyncio.run(go())), flush=True)


def measure(url: str, due: int, workers: int, kind: str) -> dict:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    tag = f"{int(time.time())}"
    asyncio.run(make_due(url, tag, due, kind, now))
    start_at = time.time() + 5
    procs = [subprocess.Popen([sys.executable, __file__, "--child", url, now.isoformat(), str(start_at)],
                              stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    results = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    cycles = sum(r["cycles"] for r in results)
    wall = max(r["seconds"] for r in results)
    if cycles != due:
        raise SystemExit(f"{cycles} renewals of {due} due")
    return {"due": due, "workers": workers, "kind": kind, "renewed": [r["cycles"] for r in results],
            "seconds": wall, "per_second": cycles / wall,
            "statements_per_renewal": sum(r["statements"] for r in results) / cycles,
            "paid": sum(r["paid"] for r in results), "failed": sum(r["failed"] for r in results)}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL"), help="PostgreSQL (default DATABASE_URL)")
    parser.add_argument("--due", default="10000,100000", help="subscriptions due, comma-separated")
    parser.add_argument("--workers", default="1,2", help="worker processes, comma-separated")
    parser.add_argument("--kind", default="PLAN", choices=["PLAN", "RECURRING_ORDER"])
    args = parser.parse_args()
    in_venv()
    if not args.db or not args.db.startswith("postgresql"):
        raise SystemExit("give a PostgreSQL database: --db or DATABASE_URL")
    print(f"machine: {machine()}", file=sys.stderr, flush=True)
    seed(args.db)
    rows = []
    for due in (int(x) for x in args.due.split(",")):
        for workers in (int(x) for x in args.workers.split(",")):
            print(f"{due} due, {workers} worker(s)", file=sys.stderr, flush=True)
            r = measure(args.db, due, workers, args.kind)
            print(json.dumps(r), file=sys.stderr, flush=True)
            rows.append(r)
    print("| kind | due | workers | renewals/s | seconds | SQL stmts / renewal | per worker |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['kind']} | {r['due']:,} | {r['workers']} | {r['per_second']:.0f} | {r['seconds']:.0f} | "
              f"{r['statements_per_renewal']:.1f} | {' + '.join(f'{n:,}' for n in r['renewed'])} |")
    print(f"\n{machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
