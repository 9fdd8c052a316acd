"""Two answers to one retention offer, two orders placed now (a double click), and two staff saving the portal, each
at once on PostgreSQL: the subscription's (or the portal row's) lock makes the second decide on what
the first committed, so exactly one wins."""
import asyncio

import pytest
from sqlmodel import func, select

from db.models import SubscriptionCycle, SubscriptionPortalSetting, SubscriptionRetentionOffer
from resolvers.globalid import encode
from tests.schema.test_subscription_actions import _order
from tests.schema.test_subscription_next_order import CONFIGURE, ORDER_NOW
from tests.schema.test_subscription_plans import ADMIN, BUYER, OPS, _plan
from tests.schema.test_subscription_retention import DISCOUNT, OFFER, RESPOND

pytestmark = pytest.mark.postgres


async def test_an_accept_and_a_decline_at_once_record_one_decision(gql, db):
    await gql(CONFIGURE, {"input": DISCOUNT}, as_=OPS)
    sub, _item, _sizes = await _plan(db)
    gid = encode("Subscription", sub.id)
    assert (await gql(OFFER, {"id": gid}, as_=ADMIN))["data"]["node"]["retentionOffer"]["userErrors"] == []
    results = await asyncio.gather(*(gql(RESPOND, {"input": {"id": gid, "accept": accept}}, as_=ADMIN)
                                     for accept in (True, False)))
    payloads = [r["data"]["subscriptionRespondToOffer"] for r in results]
    assert sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads) == [(), ("OFFER_DECIDED",)], payloads
    won = next(p for p in payloads if not p["userErrors"])
    async with db.session() as s:
        row = (await s.exec(select(SubscriptionRetentionOffer)
                            .where(SubscriptionRetentionOffer.subscription_id == sub.id))).one()
    assert row.accepted is won["offer"]["accepted"]


async def test_two_orders_placed_now_at_once_bill_one_cycle(gql, db):
    order = await _order(db, "Denver Plant")
    await gql("{ viewer { name } }", as_=BUYER)
    results = await asyncio.gather(*(gql(ORDER_NOW, {"input": {"id": encode("Subscription", order.id)}}, as_=BUYER)
                                     for _ in range(2)))
    payloads = [r["data"]["subscriptionOrderNow"] for r in results]
    assert sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads) == [(), ("NOT_CHANGEABLE",)], payloads
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(SubscriptionCycle)
                             .where(SubscriptionCycle.subscription_id == order.id))).one() == 1


async def test_two_staff_saving_the_portal_at_once_leave_one_row(gql, db):
    await gql("{ viewer { name } }", as_=OPS)
    results = await asyncio.gather(*(gql(CONFIGURE, {"input": {**DISCOUNT, "maxPauseCycles": n}}, as_=OPS)
                                     for n in (2, 5)))
    payloads = [r["data"]["subscriptionPortalConfigure"] for r in results]
    codes = sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads)
    assert codes in ([(), ()], [(), ("INVALID_CONFIGURATION",)]), payloads
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(SubscriptionPortalSetting))).one() == 1
