#!/usr/bin/env python3
"""The benchmark, one command from a fresh clone:

    python3 bench/run.py                 # SQLite and PostgreSQL, ~10 thousand and ~100 thousand order lines
    python3 bench/run.py --full          # ... and ~1 million order lines (demo --scale 400)
    python3 bench/run.py --backends sqlite --scales 4

PostgreSQL is used when it answers at --pg (default postgresql://postgres@127.0.0.1:5432/portalql_bench;
it is created when missing, and emptied and reseeded). Seeded data is kept (bench/.data/ for SQLite,
a marker table in PostgreSQL), so a second run starts measuring at once.

It sets up .venv like dev.py, seeds `portalql demo --scale N` data, runs bench/measure.py once per
data set (a fresh process: its peak memory is one worker's) and prints a Markdown table."""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/portalql_bench"


def in_venv() -> None:
    sys.path.insert(0, str(ROOT))
    import dev  # noqa: PLC0415 - the standard-library bootstrapper

    dev.ensure_venv()
    # sys.prefix, not the executable: .venv/bin/python is a link to the base interpreter.
    if Path(sys.prefix).resolve() != dev.VENV.resolve() and os.environ.get("PORTALQL_BENCH_CHILD") != "1":
        env = {**os.environ, "PORTALQL_BENCH_CHILD": "1"}
        sys.exit(subprocess.call([str(dev.PY), __file__, *sys.argv[1:]], env=env))


def portalql() -> str:
    return str(Path(sys.executable).parent / "portalql")


def seed(url: str, scale: int) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    t = time.perf_counter()
    subprocess.run([portalql(), "demo", "--no-serve", "--scale", str(scale)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"  seeded scale {scale} in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)


def sqlite_url(scale: int) -> str:
    path = DATA / f"sqlite-scale{scale}.db"
    if not path.exists():
        partial = DATA / f"sqlite-scale{scale}.partial.db"
        for p in DATA.glob(f"sqlite-scale{scale}.partial.db*"):
            p.unlink()
        seed(f"sqlite+aiosqlite:///{partial}", scale)
        partial.rename(path)
    return f"sqlite+aiosqlite:///{path}"


def postgres_ready(url: str) -> bool:
    import asyncio  # noqa: PLC0415

    from db.engine import Database  # noqa: PLC0415

    async def ping() -> None:
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except Exception as e:  # noqa: BLE001
            if "does not exist" not in str(e):
                raise
            await create_database(url)
        finally:
            await db.dispose()

    async def create_database(url: str) -> None:
        server, _, name = url.rpartition("/")
        admin = Database(f"{server}/postgres")
        try:
            async with admin.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", file=sys.stderr)
        finally:
            await admin.dispose()
    try:
        asyncio.run(asyncio.wait_for(ping(), 5))
        return True
    except Exception as e:  # noqa: BLE001
        print(f"PostgreSQL not reachable at {url} ({type(e).__name__}): skipped", file=sys.stderr)
        return False


def postgres_scale(url: str) -> int | None:
    import asyncio  # noqa: PLC0415

    from db.engine import Database  # noqa: PLC0415

    async def current() -> int | None:
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                found = await conn.exec_driver_sql("SELECT to_regclass('public.bench_scale') IS NOT NULL")
                if found.scalar():
                    return (await conn.exec_driver_sql("SELECT scale FROM bench_scale")).scalar()
                return None
        finally:
            await db.dispose()
    return asyncio.run(current())


def postgres_url(url: str, scale: int) -> str:
    import asyncio  # noqa: PLC0415

    from db.engine import Database  # noqa: PLC0415

    async def reset(mark: int | None) -> None:
        db = Database(url)
        try:
            async with db.engine.begin() as conn:
                if mark is None:
                    await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                    await conn.exec_driver_sql("CREATE SCHEMA public")
                else:
                    await conn.exec_driver_sql("CREATE TABLE bench_scale (scale int)")
                    await conn.exec_driver_sql(f"INSERT INTO bench_scale VALUES ({int(mark)})")
                    await conn.exec_driver_sql("ANALYZE")
        finally:
            await db.dispose()
    if postgres_scale(url) != scale:
        asyncio.run(reset(None))
        seed(url, scale)
        asyncio.run(reset(scale))
    return url


def order_lines(url: str) -> int:
    import asyncio  # noqa: PLC0415

    from db.engine import Database  # noqa: PLC0415

    async def count() -> int:
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                return (await conn.exec_driver_sql("SELECT count(*) FROM order_line")).scalar()
        finally:
            await db.dispose()
    return asyncio.run(count())


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    load = ", load %.1f %.1f %.1f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    return f"{platform.machine()} {cpus} cores{mem}{load}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also measure ~1 million order lines (scale 400)")
    parser.add_argument("--scales", help="comma-separated demo scales (default 4,40; with --full 4,400)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--rounds", type=int, default=60,
                        help="requests timed per contender, in alternating blocks of 10 (ours, (a), (b))")
    parser.add_argument("--concurrent", type=int, default=100, help="requests for the throughput figure")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profile of the order history")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--only", help="measure only these operations (comma-separated, e.g. 'subscriptions (25)')")
    args = parser.parse_args()
    in_venv()
    if args.profile:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pyinstrument"], check=True)
    scales = [int(s) for s in (args.scales or ("4,400" if args.full else "4,40")).split(",")]
    rows = []
    DATA.mkdir(parents=True, exist_ok=True)  # measure.log, profiles and SQLite data sets
    print(f"machine: {machine()}", file=sys.stderr, flush=True)
    for backend in args.backends.split(","):
        if backend == "postgres" and not postgres_ready(args.pg):
            continue
        order = list(scales)
        if backend == "postgres":  # start with the scale already seeded: reseeding takes minutes
            seeded = postgres_scale(args.pg)
            order.sort(key=lambda s: s != seeded)
        for scale in order:
            print(f"{backend}, scale {scale}", file=sys.stderr, flush=True)
            url = sqlite_url(scale) if backend == "sqlite" else postgres_url(args.pg, scale)
            lines = order_lines(url)
            cmd = [sys.executable, str(ROOT / "bench" / "measure.py"), "--db", url,
                   "--rounds", str(args.rounds), "--concurrent", str(args.concurrent),
                   "--clients", str(args.clients)]
            if args.only:
                cmd += ["--only", args.only]
            if args.profile:
                cmd += ["--profile", str(DATA / f"profile-{backend}-scale{scale}.txt")]
            with open(DATA / "measure.log", "a") as log:
                out = subprocess.run(cmd, check=True, capture_output=False, stdout=subprocess.PIPE,
                                     stderr=log, text=True).stdout
            for line in out.splitlines():
                r = json.loads(line)
                rows.append({**r, "backend": backend, "scale": scale, "order_lines": lines})
    backends = args.backends.split(",")
    rows.sort(key=lambda r: (backends.index(r["backend"]), r["scale"]))  # measured in another order on PostgreSQL
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    print(table(rows))
    print(f"\n{machine()}")
    return 0


def table(rows: list[dict]) -> str:
    out = ["| backend | order lines | operation | SQL stmts | p50 ms | p95 ms | CPU ms | req/s (8 clients) | "
           "peak MB | × hand-written (a), CPU | × graphql-core (b), CPU | HTTP req/s (2 workers) | HTTP p50 / p95 ms |",
           "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        o, a, b, h = r["ours"], r["handwritten"], r["graphql_core"], r["http"]
        out.append(f"| {r['backend']} | {r['order_lines']:,} | {r['op']} | {r['statements']} | "
                   f"{o['p50_ms']:.1f} | {o['p95_ms']:.1f} | {o['cpu_ms']:.1f} | {o['rps']:.0f} | "
                   f"{r['memory_mb']:.0f} | {o['cpu_ms'] / a['cpu_ms']:.1f} (a: {a['cpu_ms']:.1f} ms) | "
                   f"{o['cpu_ms'] / b['cpu_ms']:.1f} (b: {b['cpu_ms']:.1f} ms) | {h['rps']:.0f} | "
                   f"{h['p50_ms']:.1f} / {h['p95_ms']:.1f} |")
    # first-page latency at the largest data set against the smallest, per backend
    notes = []
    for backend in sorted({r["backend"] for r in rows}):
        mine = [r for r in rows if r["backend"] == backend and r["op"] == "order history (50)"]
        if len(mine) >= 2:
            small, large = min(mine, key=lambda r: r["order_lines"]), max(mine, key=lambda r: r["order_lines"])
            notes.append(f"{backend}: first page at {large['order_lines']:,} order lines is "
                         f"{large['ours']['p50_ms'] / small['ours']['p50_ms']:.2f}× (wall) and "
                         f"{large['ours']['cpu_ms'] / small['ours']['cpu_ms']:.2f}× (CPU) that at "
                         f"{small['order_lines']:,} (target ≤ 1.5×)")
    return "\n".join(out + [""] + notes)


if __name__ == "__main__":
    sys.exit(main())
