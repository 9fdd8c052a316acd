"""Two workers renewing on one PostgreSQL bill each cycle once: they claim subscriptions with
FOR UPDATE SKIP LOCKED, re-read the billing date under the lock, and the cycle's unique key
(subscription, period start) decides if both ever reach one. Both as two engines in one process
and as two OS processes (`portalql worker` on two machines)."""
import asyncio
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from db.engine import Database
from db.enums import SubscriptionStatus
from db.models import Subscription, SubscriptionCycle
from domain.invoicing import MerchantSettings
from domain.subscriptions import renewals
from domain.subscriptions.periods import boundary
from integrations.test_gateway import TestGateway
from tests.server.helpers import DEADLINE_SECONDS
from tests.subscription_renewal_support import monthly

pytestmark = pytest.mark.postgres


async def _behind(db, clock, periods: int) -> list[Subscription]:
    """Every live subscription `periods` periods behind; the clock set to the latest of them."""
    start = clock.now()
    await monthly(db, start, others=True)
    async with db.transaction() as s:
        subs = (await s.exec(select(Subscription).where(Subscription.status.in_(
            [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING])))).all()
        for sub in subs:
            sub.cancel_at_period_end = False
            sub.created_at = sub.current_period_start = start
            sub.current_period_end = sub.next_billing_at = boundary(start, sub.interval, sub.interval_count, 1)
            s.add(sub)
    assert len(subs) >= 2
    clock.at = max(boundary(start, s.interval, s.interval_count, periods) for s in subs)
    return list(subs)


async def _billed_once(db, clock, subs: list[Subscription], renewed: int, periods: int) -> None:
    async with db.session() as s:
        cycles = (await s.exec(select(SubscriptionCycle.subscription_id, SubscriptionCycle.period_start,
                                      func.count()).group_by(SubscriptionCycle.subscription_id,
                                                             SubscriptionCycle.period_start))).all()
        # (cycles with an invoice, distinct invoices, cycles with an order, distinct orders): a recurring
        # order waiting for approval has no invoice yet
        billed = (await s.exec(select(func.count(SubscriptionCycle.invoice_id),
                                      func.count(func.distinct(SubscriptionCycle.invoice_id)),
                                      func.count(SubscriptionCycle.order_id),
                                      func.count(func.distinct(SubscriptionCycle.order_id))))).one()
        after = (await s.exec(select(Subscription).where(Subscription.id.in_([x.id for x in subs])))).all()
    assert {n for _, _, n in cycles} == {1}
    assert renewed == len(cycles) >= periods * len(subs)
    with_invoice, invoices, with_order, orders = billed
    assert with_invoice == invoices > 0 and with_order == orders > 0  # one invoice, one order per cycle
    assert all(x.next_billing_at > clock.now() for x in after if x.status is not SubscriptionStatus.EXPIRED)


async def test_two_workers_invoice_each_cycle_once(db, clock):
    start = clock.now()
    subs = await _behind(db, clock, 3)
    workers = [Database(db.url) for _ in range(2)]  # two processes: an engine each
    try:
        results = await asyncio.gather(*(renewals.run(w, TestGateway(), clock, MerchantSettings(), batch=1)
                                         for w in workers for _ in range(2)))
    finally:
        for w in workers:
            await w.dispose()
    await _billed_once(db, clock, subs, sum(r.cycles for r in results), 3)
    assert clock.now() - timedelta(days=400) < start


async def test_two_worker_processes_invoice_each_cycle_once(db, clock):
    """Two OS processes (tests/renewal_worker_process.py), each its own interpreter, engine and
    connections, started together on the same backlog: one invoice per cycle."""
    subs = await _behind(db, clock, 6)
    root = Path(__file__).resolve().parents[2]
    start_at = time.time() + 5  # both imported and connected by then, on a busy machine too
    procs = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.renewal_worker_process", db.url, clock.now().isoformat(), str(start_at),
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    outputs = [await asyncio.wait_for(p.communicate(), timeout=DEADLINE_SECONDS) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err.decode()[-2000:] for _, err in outputs]
    results = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
    await _billed_once(db, clock, subs, sum(r["cycles"] for r in results), 6)
    print(f"two processes renewed {[r['cycles'] for r in results]} cycles of {len(subs)} subscriptions")
