#!/usr/bin/env python3
"""Memory of the streamed CSV exports: 100,000 invoices (and their lines) on SQLite.

    .venv/bin/python bench/export_memory.py [--invoices 100000] [--lines-per-invoice 3]

Builds (once, kept in bench/.data/) a SQLite database with the small demo world plus N invoices of
Acme with their lines, then downloads /exports/invoices.csv, /exports/invoice-lines.csv and a
year's /exports/statement.csv through the ASGI app in this process, reading each chunk and
dropping it, as a client does. Prints per export: rows, bytes, chunks, seconds, the peak of
Python's allocations during the export (tracemalloc) and the process's peak RSS growth.
A figure that does not grow with N is what streaming promises; compare --invoices 10000."""
import argparse
import asyncio
import gc
import random
import sys
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import select  # noqa: E402

from db import models  # noqa: E402
from db.engine import Database, count_statements  # noqa: E402
from db.enums import InvoiceStatus, PaymentMethodKind, PaymentStatus  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from domain.auth import new_session  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from db.repositories.users import user_by_email  # noqa: E402
from resolvers.globalid import encode  # noqa: E402
from schema.limits import Limits  # noqa: E402
from server import demo_data  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402

DATA = ROOT / "bench" / ".data"
CHUNK = 5000


def rss_peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_rss_peak() -> None:
    """Let VmHWM start again from the current RSS (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


async def build(partial: Path, invoices: int, lines_per_invoice: int) -> None:
    """The demo world and `invoices` more invoices of Acme, in a migrated database at `partial`."""
    db = Database(f"sqlite+aiosqlite:///{partial}")
    now = SystemClock().now()
    await demo_data.seed(db, demo_data.build(now, sizes=demo_data.SMALL))
    rng = random.Random(7)
    async with db.session() as s:
        acme = (await s.exec(select(models.Account).where(models.Account.name == "Acme Industrial"))).one()
        locations = [loc.id for loc in (await s.exec(select(models.Location)
                                                     .where(models.Location.account_id == acme.id))).all()]
        variants = [v.id for v in (await s.exec(select(models.ProductVariant))).all()]
        first_id = (await s.exec(select(sa.func.max(models.Invoice.id)))).one() + 1
    async with db.transaction() as s:
        conn = await s.connection()
        for start in range(0, invoices, CHUNK):
            heads, lines, payments = [], [], []
            for n in range(start, min(start + CHUNK, invoices)):
                iid = first_id + n
                issued = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
                units = [(Decimal(rng.randint(100, 50000)) / 100, rng.randint(1, 20)) for _ in range(lines_per_invoice)]
                subtotal = sum((u * q for u, q in units), Decimal(0))
                tax = (subtotal * Decimal("0.0725")).quantize(Decimal("0.01"))
                paid = rng.random() < 0.7
                heads.append(dict(id=iid, number=f"BX-{n + 1:07d}", account_id=acme.id,
                                  location_id=rng.choice(locations), status=InvoiceStatus.PAID if paid else InvoiceStatus.OPEN,
                                  currency="USD", subtotal=subtotal, tax=tax, total=subtotal + tax,
                                  amount_paid=subtotal + tax if paid else Decimal(0),
                                  amount_due=Decimal(0) if paid else subtotal + tax,
                                  po_number=f"PO-{rng.randint(10**5, 10**6)}", issued_at=issued,
                                  due_date=(issued + timedelta(days=30)).date(), billing_details={},
                                  created_at=issued))
                for pos, (u, q) in enumerate(units):
                    lines.append(dict(invoice_id=iid, variant_id=rng.choice(variants), description=f"Part {pos}",
                                      quantity=q, unit_price=u, amount=u * q, currency="USD", position=pos))
                if paid:
                    payments.append(dict(invoice_id=iid, account_id=acme.id, amount=subtotal + tax, currency="USD",
                                         method=PaymentMethodKind.WIRE, status=PaymentStatus.SUCCEEDED,
                                         reference=f"W-{n}", created_at=issued + timedelta(days=10)))
            await conn.execute(sa.insert(models.Invoice), heads)
            await conn.execute(sa.insert(models.InvoiceLine), lines)
            await conn.execute(sa.insert(models.Payment), payments)
    await db.dispose()


async def download(app: Any, path: str, token: str) -> tuple[int, int, int]:
    """GET path, reading each body chunk and dropping it: (status, bytes, chunks)."""
    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"authorization", f"Bearer {token}".encode())], "client": ("127.0.0.1", 40000),
             "server": ("bench", 80)}
    received = False
    status = size = chunks = 0

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, size, chunks
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and message.get("body"):
            size += len(message["body"])
            chunks += 1
    await app(scope, receive, send)
    return status, size, chunks


async def measure(path: Path, lines_per_invoice: int, invoices: int) -> None:
    db = Database(f"sqlite+aiosqlite:///{path}")
    async with db.transaction() as s:
        user = await user_by_email(s, "ap@acme.example")
        token, auth_session = new_session(user, SystemClock().now(), timedelta(hours=2), method="bench")  # type: ignore[arg-type]
        s.add(auth_session)
    async with db.session() as s:
        acme = (await s.exec(select(models.Account).where(models.Account.name == "Acme Industrial"))).one()
        count = (await s.exec(select(sa.func.count()).select_from(models.Invoice)
                              .where(models.Invoice.account_id == acme.id))).one()
    today = date.today()
    app = create_app(Settings(database_url=db.url, limits=Limits(timeout_seconds=600)), db=db)
    exports = {
        "invoices.csv": "/exports/invoices.csv",
        "invoice-lines.csv": "/exports/invoice-lines.csv",
        "statement.csv (1 year)": "/exports/statement.csv?" + urlencode(
            {"account": encode("Account", acme.id), "from": (today - timedelta(days=365)).isoformat(),
             "to": today.isoformat()}),
    }
    print(f"Acme has {count:,} invoices ({lines_per_invoice} lines each for the {invoices:,} added)")
    print("| export | status | MB sent | chunks | SQL statements | seconds | tracemalloc peak MB | peak RSS growth MB |")
    print("|---|---|---|---|---|---|---|---|")
    for name, url in exports.items():
        gc.collect()
        reset_rss_peak()
        rss_before = rss_peak_mb()
        tracemalloc.start()
        t = time.perf_counter()
        with count_statements() as counter:
            status, size, chunks = await download(app, url, token)
        seconds = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"| {name} | {status} | {size / 1e6:.1f} | {chunks:,} | {counter.count:,} | {seconds:.1f} | "
              f"{peak / 1e6:.1f} | {rss_peak_mb() - rss_before:.1f} |", flush=True)
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--lines-per-invoice", type=int, default=3)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"exports-{args.invoices}x{args.lines_per_invoice}.db"
    if not path.exists():
        t = time.perf_counter()
        partial = path.with_suffix(".partial.db")
        for stale in (partial, *(Path(f"{p}{end}") for p in (path, partial) for end in ("-wal", "-shm"))):
            stale.unlink(missing_ok=True)  # a WAL left beside a new file would be taken for its own
        upgrade(f"sqlite+aiosqlite:///{partial}")  # runs its own event loop
        asyncio.run(build(partial, args.invoices, args.lines_per_invoice))
        partial.rename(path)
        print(f"built {path.name} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    asyncio.run(measure(path, args.lines_per_invoice, args.invoices))


if __name__ == "__main__":
    main()
