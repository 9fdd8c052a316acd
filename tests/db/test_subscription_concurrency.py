"""Two plan changes of one subscription at once on PostgreSQL: the subscription's row lock makes the
second decide on what the first committed, so one wins and the money is written once."""
import asyncio

import pytest
from sqlmodel import func, select

from db.models import Invoice, Payment, SubscriptionEvent
from resolvers.globalid import encode
from tests.schema.test_subscription_actions import _order
from tests.schema.test_subscription_cancellation import CANCEL
from tests.schema.test_subscription_plans import ADMIN, CHANGE, _plan, _vars

pytestmark = pytest.mark.postgres


async def _count(db, model) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def test_two_identical_upgrades_at_once_charge_once(gql, db):
    sub, _item, sizes = await _plan(db)
    await gql("{ viewer { name } }", as_=ADMIN)  # one session for both requests
    before = [await _count(db, m) for m in (Invoice, Payment, SubscriptionEvent)]
    results = await asyncio.gather(*(gql(CHANGE, _vars(sub, sizes[1]), as_=ADMIN) for _ in range(2)))
    payloads = [r["data"]["subscriptionChangePlan"] for r in results]
    assert sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads) == [(), ("SAME_PLAN",)], payloads
    assert [await _count(db, m) for m in (Invoice, Payment, SubscriptionEvent)] == [n + 1 for n in before]
    won = next(p for p in payloads if p["invoice"])
    assert won["subscription"]["id"] == encode("Subscription", sub.id)


async def test_two_cancellations_of_one_recurring_order_at_once_write_one(gql, db):
    """Two cancellations at once (the default portal, B2B, leaves them to an ADMIN): the row lock
    makes the second see the first, so one is written."""
    order = await _order(db, "Denver Plant")
    await gql("{ viewer { name } }", as_=ADMIN)
    before = await _count(db, SubscriptionEvent)
    results = await asyncio.gather(*(gql(CANCEL, {"input": {"id": encode("Subscription", order.id)}}, as_=ADMIN)
                                     for _ in range(2)))
    payloads = [r["data"]["subscriptionCancel"] for r in results]
    assert sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads) == [(), ("NOT_CHANGEABLE",)], payloads
    assert await _count(db, SubscriptionEvent) == before + 1
