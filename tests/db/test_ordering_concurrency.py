"""Concurrent placements on PostgreSQL: row locks and the idempotency key's unique index decide."""
import asyncio
from decimal import Decimal

import pytest
from sqlmodel import select

from db.models import Account, IdempotencyKey, Order
from tests.ordering_support import ADMIN, BUYER, ORDER_PLACE, count, data, error_codes, location_gid, new_cart, variant

pytestmark = pytest.mark.postgres


async def test_two_buyers_placing_the_same_cart_at_once_make_one_order(gql, db):
    v12 = await variant(db, 12)
    for round_ in range(3):
        cart = await new_cart(gql, db, [{"sku": v12.sku, "quantity": 2}])
        before = await count(db, Order)
        results = await asyncio.gather(*(
            gql(ORDER_PLACE, {"input": {"idempotencyKey": f"{who}-{round_}", "cartId": cart["id"]}}, as_=who)
            for who in (BUYER, ADMIN)))
        payloads = [data(r, "orderPlace") for r in results]
        placed = [p for p in payloads if p["order"]]
        refused = [p for p in payloads if not p["order"]]
        assert len(placed) == 1 and [error_codes(p) for p in refused] == [["CART_ORDERED"]]
        assert await count(db, Order) == before + 1


async def test_concurrent_requests_with_one_key_return_the_same_order(gql, db):
    v12 = await variant(db, 12)
    denver = await location_gid(db, "Denver Plant")
    await gql("{ viewer { name } }", as_=BUYER)  # one session for both requests
    before = await count(db, Order)
    request = {"input": {"idempotencyKey": "erp-po-77", "locationId": denver,
                         "lines": [{"sku": v12.sku, "quantity": 3}]}}
    results = await asyncio.gather(*(gql(ORDER_PLACE, request, as_=BUYER) for _ in range(4)))
    payloads = [data(r, "orderPlace") for r in results]
    assert all(p["userErrors"] == [] for p in payloads), payloads
    assert len({p["order"]["id"] for p in payloads}) == 1
    assert sorted(p["replayed"] for p in payloads) == [False, True, True, True]
    assert await count(db, Order) == before + 1
    assert await count(db, IdempotencyKey) == 1


async def test_concurrent_orders_cannot_together_pass_the_credit_limit(gql, db):
    v12 = await variant(db, 12)
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        acme.credit_limit = Decimal("4500")  # 3,446.27 owed: room for one order of ~700, not two
        s.add(acme)
    carts = [await new_cart(gql, db, [{"sku": v12.sku, "quantity": 25}], as_=ADMIN) for _ in range(2)]
    results = await asyncio.gather(*(
        gql(ORDER_PLACE, {"input": {"idempotencyKey": f"c-{i}", "cartId": c["id"]}}, as_=ADMIN)
        for i, c in enumerate(carts)))
    codes = sorted(tuple(error_codes(data(r, "orderPlace"))) for r in results)
    assert codes == [(), ("CREDIT_LIMIT_EXCEEDED",)]
