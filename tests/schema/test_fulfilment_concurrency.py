"""Staff shipping an order while others ship it too, or while the buyer cancels it: exactly one wins,
and the other gets the userError it would get one after the other. Runs on SQLite and on PostgreSQL
(where it matters most: several workers, real row locks)."""
import asyncio

from sqlmodel import select

from db.enums import OrderStatus
from db.models import AuditEvent, Fulfilment, Order
from tests.order_factories import BUYER, STAFF_ADMIN, count, get, gid, open_order
from tests.schema.test_fulfilment import CREATE, _input

CANCEL = """mutation($input: OrderCancelInput!) { orderCancel(input: $input) {
  order { status } cancelledWholeOrder userErrors { code field message } } }"""


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


async def test_shipping_and_cancelling_the_same_order_at_once_has_one_winner(gql, db):
    """Each round races a full shipment against the buyer's cancel of one open order. One after the
    other, the later of the two is refused (NOT_CHANGEABLE, ORDER_NOT_SHIPPABLE); at once, too."""
    await gql("{ viewer { name } }", as_=STAFF_ADMIN)
    await gql("{ viewer { name } }", as_=BUYER)
    winners = set()
    for _ in range(8):
        order, lines = await open_order(db, quantities=(3, 2))
        ship, cancel = await asyncio.gather(
            gql(CREATE, {"input": _input(order, lines, [3, 2])}, as_=STAFF_ADMIN),
            gql(CANCEL, {"input": {"orderId": gid("Order", order.id), "reason": "changed our mind"}}, as_=BUYER))
        shipped, cancelled = ship["data"]["fulfilmentCreate"], cancel["data"]["orderCancel"]
        final = (await get(db, Order, order.id)).status
        async with db.session() as s:
            actions = (await s.exec(select(AuditEvent.action).where(AuditEvent.target_id.in_([order.id]),
                                                                    AuditEvent.action == "order.cancel"))).all()
        if shipped["fulfilment"] is not None:
            winners.add("ship")
            assert [e["code"] for e in cancelled["userErrors"]] == ["NOT_CHANGEABLE"], (ship, cancel)
            assert cancelled["order"] is None and final is OrderStatus.FULFILLED
            assert actions == []
            assert await count(db, Fulfilment, order_id=order.id) == 1
        else:
            winners.add("cancel")
            assert [e["code"] for e in shipped["userErrors"]] == ["ORDER_NOT_SHIPPABLE"], (ship, cancel)
            assert cancelled["userErrors"] == [] and cancelled["cancelledWholeOrder"] is True
            assert final is OrderStatus.CANCELLED and actions == ["order.cancel"]
            assert await count(db, Fulfilment, order_id=order.id) == 0
    assert winners, "no round was decided"
