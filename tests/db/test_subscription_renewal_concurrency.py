"""Two workers renewing on one PostgreSQL bill each cycle once: they claim subscriptions with
FOR UPDATE SKIP LOCKED, re-read the billing date under the lock, and the cycle's unique key
(subscription, period start) decides if both ever reach one."""
import asyncio
from datetime import timedelta

import pytest
from sqlmodel import func, select

from db.engine import Database
from db.enums import SubscriptionStatus
from db.models import Subscription, SubscriptionCycle
from domain.invoicing import MerchantSettings
from domain.subscriptions import renewals
from domain.subscriptions.periods import boundary
from integrations.test_gateway import TestGateway
from tests.subscription_renewal_support import monthly

pytestmark = pytest.mark.postgres


async def test_two_workers_invoice_each_cycle_once(db, clock):
    start = clock.now()
    await monthly(db, start, others=True)
    async with db.transaction() as s:  # every live subscription three periods behind
        subs = (await s.exec(select(Subscription).where(Subscription.status.in_(
            [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING])))).all()
        for sub in subs:
            sub.cancel_at_period_end = False
            sub.created_at = sub.current_period_start = start
            sub.current_period_end = sub.next_billing_at = boundary(start, sub.interval, sub.interval_count, 1)
            s.add(sub)
    assert len(subs) >= 2
    clock.at = max(boundary(start, s.interval, s.interval_count, 3) for s in subs)
    workers = [Database(db.url) for _ in range(2)]  # two processes: an engine each
    try:
        results = await asyncio.gather(*(renewals.run(w, TestGateway(), clock, MerchantSettings(), batch=1)
                                         for w in workers for _ in range(2)))
    finally:
        for w in workers:
            await w.dispose()
    async with db.session() as s:
        cycles = (await s.exec(select(SubscriptionCycle.subscription_id, SubscriptionCycle.period_start,
                                      func.count()).group_by(SubscriptionCycle.subscription_id,
                                                             SubscriptionCycle.period_start))).all()
        invoices = (await s.exec(select(func.count(func.distinct(SubscriptionCycle.invoice_id))))).one()
        after = (await s.exec(select(Subscription).where(Subscription.id.in_([x.id for x in subs])))).all()
    assert {n for _, _, n in cycles} == {1}
    assert sum(r.cycles for r in results) == len(cycles) == invoices >= 3 * len(subs)
    assert all(x.next_billing_at > clock.now() for x in after if x.status is not SubscriptionStatus.EXPIRED)
    assert clock.now() - timedelta(days=400) < start
