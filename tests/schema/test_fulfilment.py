"""Staff record fulfilments and shipment events; customers follow them on their orders."""
from datetime import timedelta

from sqlmodel import select

from db.enums import FulfilmentStatus, OrderStatus
from db.models import AuditEvent, Fulfilment, FulfilmentLine, Location, Order, ShipmentEvent
from tests.order_factories import BUYER, STAFF_ADMIN, STAFF_SUPPORT, count, get, gid, open_order
from tests.conftest import NOW
from tests.support import codes, finders, row

CREATE = """mutation($input: FulfilmentCreateInput!) { fulfilmentCreate(input: $input) {
  fulfilment { id status carrier trackingNumber trackingUrl shippedAt estimatedDeliveryAt
               lines { quantity orderLine { sku fulfilledQuantity } } }
  order { status }
  userErrors { code field message } } }"""

EVENT = """mutation($input: FulfilmentEventAddInput!) { fulfilmentEventAdd(input: $input) {
  event { status occurredAt location message }
  fulfilment { status deliveredAt estimatedDeliveryAt }
  order { status }
  userErrors { code field message } } }"""


def _input(order, lines, quantities, **kw):
    return {"orderId": gid("Order", order.id), "carrier": kw.pop("carrier", "UPS"),
            "trackingNumber": kw.pop("trackingNumber", "1Z999AA10123456784"),
            "lines": [{"orderLineId": gid("OrderLine", line.id), "quantity": q} for line, q in zip(lines, quantities)],
            **kw}


async def test_support_staff_and_customers_cannot_record_fulfilments(gql, db):
    order, lines = await open_order(db)
    for who in (STAFF_SUPPORT, BUYER, "admin@acme.example"):
        body = await gql(CREATE, {"input": _input(order, lines, [1, 1])}, as_=who)
        assert codes(body) == ["FORBIDDEN"], (who, body)
        assert body["data"] is None
    assert await count(db, Fulfilment, order_id=order.id) == 0
    assert (await get(db, Order, order.id)).status is OrderStatus.OPEN


async def test_partial_then_full_fulfilment_moves_the_order_status(gql, db):
    order, lines = await open_order(db, quantities=(10, 4))
    body = await gql(CREATE, {"input": _input(order, lines, [6, 4], estimatedDeliveryAt=(NOW + timedelta(days=3)).isoformat())},
                     as_=STAFF_ADMIN)
    out = body["data"]["fulfilmentCreate"]
    assert out["userErrors"] == []
    assert out["order"]["status"] == "PARTIALLY_FULFILLED"
    f = out["fulfilment"]
    assert f["status"] == "IN_TRANSIT" and f["carrier"] == "UPS"
    assert f["trackingUrl"] == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert [(x["quantity"], x["orderLine"]["fulfilledQuantity"]) for x in f["lines"]] == [(6, 6), (4, 4)]

    body = await gql(CREATE, {"input": _input(order, lines[:1], [4], carrier="fedex", trackingNumber="7712 3456 7890")},
                     as_=STAFF_ADMIN)
    out = body["data"]["fulfilmentCreate"]
    assert out["userErrors"] == [] and out["order"]["status"] == "FULFILLED"
    assert out["fulfilment"]["trackingUrl"] == "https://www.fedex.com/fedextrack/?trknbr=7712%203456%207890"
    actions = [e.action for e in await _audit(db)]
    assert actions.count("fulfilment.create") == 2


async def _audit(db):
    async with db.session() as s:
        return (await s.exec(select(AuditEvent).order_by(AuditEvent.id))).all()


async def test_bad_fulfilments_are_user_errors_and_write_nothing(gql, db):
    order, lines = await open_order(db, quantities=(3, 2))
    other, other_lines = await open_order(db, location="Austin Warehouse")
    pending, pending_lines = await open_order(db, status=OrderStatus.PENDING_APPROVAL)
    cases = [
        (_input(order, lines, [4, 1]), "QUANTITY_EXCEEDS_REMAINING"),
        (_input(order, lines, [0, 1]), "INVALID_QUANTITY"),
        (_input(order, other_lines[:1], [1]), "LINE_NOT_IN_ORDER"),
        (_input(order, [lines[0], lines[0]], [1, 1]), "DUPLICATE_LINE"),
        (_input(order, [], []), "NO_LINES"),
        (_input(order, lines, [1, 1], carrier="PONY_EXPRESS"), "UNKNOWN_CARRIER"),
        (_input(order, lines, [1, 1], trackingNumber="<script>"), "INVALID_TRACKING_NUMBER"),
        (_input(pending, pending_lines, [1, 1]), "ORDER_NOT_SHIPPABLE"),
        ({**_input(order, lines, [1, 1]), "orderId": gid("Order", 999999)}, "NOT_FOUND"),
        ({**_input(order, lines, [1, 1]), "orderId": "not-an-id"}, "NOT_FOUND"),
    ]
    for variables, code in cases:
        body = await gql(CREATE, {"input": variables}, as_=STAFF_ADMIN)
        errors = body["data"]["fulfilmentCreate"]["userErrors"]
        assert [e["code"] for e in errors][:1] == [code], (code, body)
        assert body["data"]["fulfilmentCreate"]["fulfilment"] is None
    assert await count(db, FulfilmentLine) == await count(db, FulfilmentLine) and \
        await count(db, Fulfilment, order_id=order.id) == 0
    assert (await get(db, Order, order.id)).status is OrderStatus.OPEN


async def test_shipment_events_move_the_fulfilment_and_old_events_do_not_undo_delivery(gql, db, clock):
    order, lines = await open_order(db, quantities=(2,))
    shipped = (NOW - timedelta(days=1)).isoformat()
    f = (await gql(CREATE, {"input": _input(order, lines, [2], shippedAt=shipped)}, as_=STAFF_ADMIN))["data"]["fulfilmentCreate"]["fulfilment"]
    before = await count(db, ShipmentEvent)
    denied = await gql(EVENT, {"input": {"fulfilmentId": f["id"], "status": "DELIVERED"}}, as_=STAFF_SUPPORT)
    assert codes(denied) == ["FORBIDDEN"]
    assert await count(db, ShipmentEvent) == before

    at = lambda hours: (NOW - timedelta(hours=hours)).isoformat()  # noqa: E731
    body = await gql(EVENT, {"input": {"fulfilmentId": f["id"], "status": "OUT_FOR_DELIVERY", "location": "Denver, CO",
                                       "message": "On the truck", "occurredAt": at(5)}}, as_=STAFF_ADMIN)
    assert body["data"]["fulfilmentEventAdd"]["fulfilment"]["status"] == "OUT_FOR_DELIVERY", body
    body = await gql(EVENT, {"input": {"fulfilmentId": f["id"], "status": "DELIVERED", "location": "Dock 1",
                                       "occurredAt": at(3)}}, as_=STAFF_ADMIN)
    out = body["data"]["fulfilmentEventAdd"]
    assert out["fulfilment"]["status"] == "DELIVERED" and out["fulfilment"]["deliveredAt"] is not None
    # A scan the carrier reports late, from before the delivery, is kept but changes nothing.
    late = at(4)
    body = await gql(EVENT, {"input": {"fulfilmentId": f["id"], "status": "IN_TRANSIT", "occurredAt": late}},
                     as_=STAFF_ADMIN)
    assert body["data"]["fulfilmentEventAdd"]["userErrors"] == []
    assert body["data"]["fulfilmentEventAdd"]["fulfilment"]["status"] == "DELIVERED"
    body = await gql(EVENT, {"input": {"fulfilmentId": f["id"], "status": "EXCEPTION"}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in body["data"]["fulfilmentEventAdd"]["userErrors"]] == ["ALREADY_DELIVERED"]
    assert (await get(db, Fulfilment, int(_pk(f["id"])))).status is FulfilmentStatus.DELIVERED


def _pk(global_id):
    from resolvers.globalid import decode
    return decode(global_id)[1]


ORDER_VIEW = """query($id: ID!) { node(id: $id) { ... on Order { status estimatedDeliveryAt
  lines { sku quantity fulfilledQuantity }
  fulfilments { carrier trackingNumber trackingUrl status estimatedDeliveryAt
                lines { quantity orderLine { sku } } events { status location occurredAt } } } } }"""


async def test_the_buyer_follows_its_order_and_other_accounts_do_not_see_it(gql, db, clock):
    order, lines = await open_order(db, quantities=(5, 5))
    eta = (NOW + timedelta(days=4)).isoformat()
    f = (await gql(CREATE, {"input": _input(order, lines[:1], [5], carrier="DHL", trackingNumber="JD0146000012",
                                            estimatedDeliveryAt=eta)},
                   as_=STAFF_ADMIN))["data"]["fulfilmentCreate"]["fulfilment"]
    await gql(EVENT, {"input": {"fulfilmentId": f["id"], "status": "IN_TRANSIT", "location": "Leipzig hub"}},
              as_=STAFF_ADMIN)
    body = await gql(ORDER_VIEW, {"id": gid("Order", order.id)}, as_=BUYER)
    o = body["data"]["node"]
    assert o["status"] == "PARTIALLY_FULFILLED"
    assert o["estimatedDeliveryAt"].startswith(eta[:19])
    assert [(x["quantity"], x["fulfilledQuantity"]) for x in o["lines"]] == [(5, 5), (5, 0)]
    ship = o["fulfilments"][0]
    assert ship["trackingUrl"] == "https://www.dhl.com/en/express/tracking.html?AWB=JD0146000012"
    assert ship["events"][0]["location"] == "Leipzig hub"
    assert ship["lines"] == [{"quantity": 5, "orderLine": {"sku": lines[0].sku}}]
    # The VIEWER at Austin and Globex see nothing of a Denver order.
    for who in ("viewer@acme.example", "buyer@globex.example"):
        body = await gql(ORDER_VIEW, {"id": gid("Order", order.id)}, as_=who)
        assert codes(body) == ["NOT_FOUND"]
        body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": f["id"]}, as_=who)
        assert codes(body) == ["NOT_FOUND"]


async def test_order_history_with_tracking_costs_the_same_statements_for_any_page_size(gql):
    query = """query($n: Int!) { viewer { orders(first: $n) { nodes { number estimatedDeliveryAt
      lines { fulfilledQuantity returnedQuantity }
      fulfilments { trackingUrl lines { quantity orderLine { sku } } events { status } }
      returns { status } refunds { note } refunded { amount } } } } }"""
    small = await gql(query, {"n": 8}, as_="admin@acme.example")
    large = await gql(query, {"n": 20}, as_="admin@acme.example")
    assert "errors" not in large, large["errors"]
    assert len(large["data"]["viewer"]["orders"]["nodes"]) > 8
    assert small["_statements"] == large["_statements"]


async def test_carriers_are_listed(gql):
    body = await gql("{ carriers { code name hasTrackingPage } }", as_=STAFF_ADMIN)
    codes_ = {c["code"] for c in body["data"]["carriers"]}
    assert {"UPS", "FEDEX", "DHL", "USPS", "OTHER"} <= codes_


async def test_a_shipment_is_found_by_who_sees_its_order_and_staff(gql, db):
    loc = await row(db, Location, name="Austin Warehouse")
    async with db.session() as s:
        fulfilment = (await s.exec(select(Fulfilment).join(Order).where(Order.location_id == loc.id))).first()
    assert await finders(gql, gid("Fulfilment", fulfilment.id)) == {
        "admin@acme.example", "approver@acme.example", "ap@acme.example", "viewer@acme.example", STAFF_SUPPORT,
        STAFF_ADMIN}
