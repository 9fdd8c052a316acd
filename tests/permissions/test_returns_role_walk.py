"""Every demo role over the guarded fields of refunds and over returns found by ID. Expectations
are written out, not computed from the table."""
import pytest
from sqlmodel import select

from db.models import Location, Order, OrderLine
from db.enums import OrderStatus
from resolvers.globalid import encode
from tests.support import DEMO_PEOPLE, codes, finders, row

ADMIN, BUYER, APPROVER, AP, VIEWER = ("admin@acme.example", "buyer@acme.example", "approver@acme.example",
                                      "ap@acme.example", "viewer@acme.example")
SUPPORT, OPS = "support@merchant.example", "ops@merchant.example"
STAFF = {SUPPORT, OPS}
AUSTIN_SEERS = {ADMIN, APPROVER, AP, VIEWER} | STAFF


async def refunded_austin_return(db, gql) -> tuple[str, str]:
    """(order id, return id) of a refunded return of an Austin Warehouse order."""
    loc = await row(db, Location, name="Austin Warehouse")
    async with db.session() as s:
        order = (await s.exec(select(Order).where(Order.location_id == loc.id, Order.status == OrderStatus.FULFILLED)
                              .order_by(Order.id))).first()
        line = (await s.exec(select(OrderLine).where(OrderLine.order_id == order.id))).first()
    body = await gql("""mutation($i: ReturnRequestInput!) { returnRequest(input: $i) { return { id } } }""",
                     {"i": {"orderId": encode("Order", order.id), "reason": "DEFECTIVE",
                            "lines": [{"orderLineId": encode("OrderLine", line.id), "quantity": 1}]}}, as_=ADMIN)
    rid = body["data"]["returnRequest"]["return"]["id"]
    for m in ("returnApprove", "returnReceive", "returnRefund"):
        kind = "ReturnRefundInput" if m == "returnRefund" else "ReturnDecisionInput"
        body = await gql(f"mutation($i: {kind}!) {{ {m}(input: $i) {{ userErrors {{ code }} }} }}", {"i": {"id": rid}},
                         as_=OPS)
        assert body["data"][m]["userErrors"] == []
    return encode("Order", order.id), rid


FIELD_CASES = {
    "Order.refunded": ("... on Order { refunded { amount } }", ["refunded"], {ADMIN, APPROVER, AP} | STAFF, {VIEWER}),
    "Refund.amount": ("... on Order { refunds { amount { amount } } }", ["refunds", 0, "amount"],
                      {ADMIN, APPROVER, AP} | STAFF, {VIEWER}),
}


@pytest.mark.parametrize("key", sorted(FIELD_CASES))
async def test_field_walk(gql, db, key):
    order_id, _ = await refunded_austin_return(db, gql)
    selection, path, readers, forbidden = FIELD_CASES[key]
    for who in DEMO_PEOPLE:
        body = await gql(f"query($id: ID!) {{ node(id: $id) {{ {selection} }} }}", {"id": order_id}, as_=who)
        value = body["data"]["node"]
        for step in path:
            value = None if value is None else value[step]
        if who in readers:
            assert "errors" not in body and value is not None, (who, body)
        elif who in forbidden:
            assert codes(body) == ["FORBIDDEN"] and value is None, (who, body)
        else:
            assert codes(body) == ["NOT_FOUND"], (who, body)


async def test_a_return_is_found_by_who_sees_its_location_and_staff(gql, db):
    _, return_id = await refunded_austin_return(db, gql)
    assert await finders(gql, return_id) == AUSTIN_SEERS
