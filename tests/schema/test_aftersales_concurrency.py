"""Two staff shipping, or two buyers returning, the same lines at once: never more than there is.
Runs on SQLite and on PostgreSQL (where it matters most: several workers, real row locks)."""
import asyncio

from db.models import Fulfilment, ReturnRequest
from tests.aftersales import BUYER, STAFF_ADMIN, count, gid, open_order
from tests.schema.test_fulfilment import CREATE, _input
from tests.schema.test_returns import REQUEST, shipped_order
from tests.schema.test_returns import _input as return_input


async def test_concurrent_fulfilments_of_the_same_lines_ship_them_once(gql, db):
    order, lines = await open_order(db, quantities=(5,))
    await gql("{ viewer { name } }", as_=STAFF_ADMIN)  # sign in once, before the race
    bodies = await asyncio.gather(*[gql(CREATE, {"input": _input(order, lines, [5], trackingNumber=f"1Z00000{i}")},
                                        as_=STAFF_ADMIN) for i in range(4)])
    results = [b["data"]["fulfilmentCreate"] for b in bodies]
    assert sum(1 for r in results if r["fulfilment"]) == 1, bodies
    # The others waited for the first and then found the order shipped in full.
    assert all([e["code"] for e in r["userErrors"]] in (["ORDER_NOT_SHIPPABLE"], ["QUANTITY_EXCEEDS_REMAINING"])
               for r in results if not r["fulfilment"]), results
    assert await count(db, Fulfilment, order_id=order.id) == 1


async def test_concurrent_returns_of_the_same_line_hold_it_once(gql, db):
    order, lines = await shipped_order(db)
    await gql("{ viewer { name } }", as_=BUYER)
    qty = lines[0].quantity
    bodies = await asyncio.gather(*[gql(REQUEST, {"input": return_input(order, lines[:1], [qty])}, as_=BUYER)
                                    for _ in range(4)])
    ok = [b for b in bodies if b["data"]["returnRequest"]["return"]]
    assert len(ok) == 1, bodies
    assert await count(db, ReturnRequest, order_id=order.id) == 1
    assert gid("Order", order.id)
