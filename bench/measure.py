"""Measure one data set in one process (so its peak memory is one worker's): our API alone under
concurrent clients, then in alternating blocks our API, (a) a hand-written Starlette endpoint that runs
the same SQL and returns the same JSON with orjson, and (b) bare graphql-core executing the same
query over the response data in memory.

Requests go straight into the ASGI apps (no sockets, no HTTP client) so that the figures are the
server's own work. Prints one JSON object per operation on stdout. Run by bench/run.py."""
import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphql import build_schema as schema_from_sdl  # noqa: E402
from graphql import execute, parse, validate  # noqa: E402
from sqlmodel import select  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from bench import http_load, queries  # noqa: E402
from db import models  # noqa: E402
from db.engine import Database, count_statements  # noqa: E402
from db.repositories.users import user_by_email  # noqa: E402
from domain.auth import new_session  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from resolvers.globalid import encode  # noqa: E402
from schema.limits import Limits  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402

USER = "admin@acme.example"


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource  # noqa: PLC0415
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def asgi_post(app: Any, path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         *headers],
             "client": ("127.0.0.1", 40000), "server": ("bench", 80)}
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
    await app(scope, receive, send)
    return status, b"".join(chunks)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def concurrent_rps(call: Callable[[], Awaitable[Any]], requests: int, clients: int) -> float:
    for _ in range(3):
        await call()
    remaining = requests

    async def client() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()
    t = time.perf_counter()
    await asyncio.gather(*[client() for _ in range(clients)])
    return requests / (time.perf_counter() - t)


async def interleaved(calls: dict[str, Callable[[], Awaitable[Any]]], rounds: int,
                      block: int = 10) -> dict[str, dict[str, float]]:
    """Blocks of `block` requests per contender, in rotating order, until each has `rounds`: within
    a block a contender runs warm, as it would alone, while a slow moment of a shared machine falls
    on all of them alike. Ratios are taken between the medians."""
    names = list(calls)
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    for r in range(max(1, rounds // block)):
        for n in names[r % len(names):] + names[:r % len(names)]:
            call = calls[n]
            for _ in range(3):  # back to warm after the others ran
                await call()
            for _ in range(block):
                t, c = time.perf_counter(), time.process_time()
                await call()
                wall[n].append(time.perf_counter() - t)
                cpu[n].append(time.process_time() - c)
    # CPU time of this process (with SQLite's driver thread; without PostgreSQL's server) is far
    # less disturbed than wall time by other processes on a shared machine.
    return {n: {"p50_ms": statistics.median(wall[n]) * 1000, "p95_ms": percentile(wall[n], 95) * 1000,
                "cpu_ms": statistics.median(cpu[n]) * 1000} for n in names}


async def prepare(db: Database) -> tuple[str, dict[str, dict[str, Any]]]:
    async with db.transaction() as s:
        user = await user_by_email(s, USER)
        assert user is not None
        token, auth_session = new_session(user, SystemClock().now(), timedelta(hours=2), method="bench")
        s.add(auth_session)
    today = SystemClock().now().date()
    async with db.session() as s:
        acme = (await s.exec(select(models.Account).where(models.Account.name == "Acme Industrial"))).one()
        denver = (await s.exec(select(models.Location).where(models.Location.name == "Denver Plant"))).one()
        order_id = (await s.exec(
            select(models.Order.id).join(models.Fulfilment, models.Fulfilment.order_id == models.Order.id)
            .where(models.Order.account_id == acme.id).order_by(models.Order.placed_at.desc()).limit(1))).one()
    ops = {
        "order history (50)": {"query": queries.ORDER_HISTORY, "variables": {"first": 50}},
        "order history (10)": {"query": queries.ORDER_HISTORY, "variables": {"first": 10}},
        "invoice search": {"query": queries.INVOICE_SEARCH, "variables": {}},
        # The invoice-search page: what is due, and a filtered, searched page sorted by due date.
        "invoice find (filters, totals)": {"query": queries.INVOICE_FIND, "variables": {"search": "INV-20"}},
        "statement (90 days)": {"query": queries.STATEMENT, "variables": {
            "account": encode("Account", acme.id), "from": (today - timedelta(days=89)).isoformat(),
            "to": today.isoformat()}},
        "order detail": {"query": queries.ORDER_DETAIL, "variables": {"id": encode("Order", order_id)}},
        "catalog (contracted)": {"query": queries.CATALOG, "variables": {"location": encode("Location", denver.id)}},
        "subscriptions (25)": {"query": queries.SUBSCRIPTIONS, "variables": {"first": 25}},
    }
    return token, ops


def handwritten_app(db: Database, captured: dict[str, list[tuple[str, Any]]], responses: dict[str, bytes]) -> Starlette:
    """(a): the same SQL (as our API ran it, with its parameters) through the driver, rows made into
    dicts, and the same JSON bytes written with orjson. No GraphQL, no ORM, no loaders."""
    is_pg = not db.is_sqlite

    async def endpoint(request: Request) -> Response:
        name = request.path_params["name"]
        orjson.loads(await request.body())
        async with db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection
            for statement, params in captured[name]:
                if is_pg:
                    rows = [dict(r) for r in await driver.fetch(statement, *params)]
                else:  # in this thread, as our API runs its reads on SQLite (db/reads.py)
                    cursor = driver._conn.execute(statement, params)  # noqa: SLF001
                    cols = [d[0] for d in cursor.description]
                    rows = [dict(zip(cols, r)) for r in cursor.fetchall()]
                del rows
        return Response(orjson.dumps(orjson.loads(responses[name])), media_type="application/json")
    return Starlette(routes=[Route("/a/{name}", endpoint, methods=["POST"])])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--concurrent", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--http-workers", type=int, default=2)
    parser.add_argument("--http-requests", type=int, default=400)
    parser.add_argument("--profile", help="write a pyinstrument profile of the 50-order history here")
    parser.add_argument("--only", help="measure only these operations (comma-separated names)")
    args = parser.parse_args()

    db = Database(args.db)
    token, ops = await prepare(db)
    if args.only:
        ops = {name: op for name, op in ops.items() if name in args.only.split(",")}
    # Production as deployed: metrics observed (they need a token there), no GraphiQL.
    settings = Settings(database_url=db.url, environment="production", metrics_token="b" * 32,
                        limits=Limits(bucket_size=10**9, restore_rate=10**9, timeout_seconds=120))
    app = create_app(settings, db=db)
    starting = app.router.lifespan_context(app)  # what the server does at startup
    await starting.__aenter__()
    auth = [(b"authorization", f"Bearer {token}".encode())]
    results: dict[str, dict[str, Any]] = {}
    responses: dict[str, bytes] = {}
    captured: dict[str, list[tuple[str, Any]]] = {}

    # Our API first, alone: the peak memory after this phase is one worker's.
    for name, op in ops.items():
        body = orjson.dumps(op)
        with count_statements() as counter:
            status, raw = await asgi_post(app, "/graphql", body, auth)
        captured[name] = [(sql, tuple(params or ())) for sql, params in counter.statements
                          if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
        answer = orjson.loads(raw)
        if status != 200 or answer.get("errors"):
            raise SystemExit(f"{name}: {status} {raw[:500]!r}")
        responses[name] = orjson.dumps({"data": answer["data"]})
        results[name] = {"op": name, "statements": counter.count, "bytes": len(raw),
                         "cost": answer["extensions"]["cost"]["requestedQueryCost"]}

        async def ours(body: bytes = body) -> None:
            await asgi_post(app, "/graphql", body, auth)
        results[name]["rps"] = await concurrent_rps(ours, args.concurrent, args.clients)
    memory_ours = peak_rss_mb()

    if args.profile and "order history (50)" in ops:
        from pyinstrument import Profiler  # noqa: PLC0415
        body = orjson.dumps(ops["order history (50)"])
        profiler = Profiler(async_mode="enabled")
        with profiler:
            for _ in range(20):
                await asgi_post(app, "/graphql", body, auth)
        Path(args.profile).write_text(profiler.output_text(unicode=False, color=False, show_all=False))

    # Then ours, (a) the hand-written endpoint and (b) bare graphql-core, block by block.
    hand = handwritten_app(db, captured, responses)
    sdl = schema_from_sdl((ROOT / "schema.graphql").read_text())
    for name, op in ops.items():
        body = orjson.dumps(op)
        data = orjson.loads(responses[name])["data"]
        errors = validate(sdl, parse(op["query"]))
        assert not errors, errors

        async def ours(body: bytes = body) -> None:
            await asgi_post(app, "/graphql", body, auth)

        async def handwritten(name: str = name, body: bytes = body) -> None:
            await asgi_post(hand, "/a/" + name, body, [])

        async def bare(op: dict[str, Any] = op, data: dict[str, Any] = data) -> None:
            doc = parse(op["query"])
            validate(sdl, doc)
            result = execute(sdl, doc, root_value=data, variable_values=op["variables"])
            orjson.dumps({"data": result.data})  # type: ignore[union-attr]
        timed = await interleaved({"ours": ours, "handwritten": handwritten, "graphql_core": bare}, args.rounds)
        results[name].update(timed)
        results[name]["ours"]["rps"] = results[name].pop("rps")

    # Last, the server as deployed, over loopback (this process only drives it).
    with http_load.served(db.url, args.http_workers) as port:
        for name, op in ops.items():
            results[name]["http"] = await http_load.load(port, http_load.request_bytes(op, token),
                                                         args.http_requests, args.clients)

    for r in results.values():
        r["memory_mb"] = memory_ours
        print(json.dumps(r), flush=True)
    await starting.__aexit__(None, None, None)  # disposes of the database


if __name__ == "__main__":
    asyncio.run(main())
