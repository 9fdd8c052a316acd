"""Reorder at today's prices; changing quantities and cancelling, before and after fulfilment starts."""
from decimal import Decimal

from sqlmodel import func, select

from db.enums import FulfilmentStatus, OrderStatus
from db.models import AuditEvent, Fulfilment, FulfilmentLine, Location, Order, OrderLine, ProductVariant, User
from resolvers.globalid import encode
from tests.conftest import NOW
from tests.ordering_support import (ADMIN, APPROVER, BUYER, GLOBEX_BUYER, ORDER_CANCEL, ORDER_PLACE, ORDER_REORDER,
                                    ORDER_UPDATE, VIEWER, data, error_codes, invoices_of, money, new_cart, plain,
                                    ruled, variants)
from tests.support import codes


async def _placed(gql, db, lines, key="k"):
    cart = await new_cart(gql, db, lines)
    payload = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": key, "cartId": cart["id"]}}, as_=BUYER),
                   "orderPlace")
    assert payload["userErrors"] == []
    return payload["order"]


async def _shipped_to_the_buyer(db) -> Order:
    """A demo order the BUYER placed at Denver Plant that shipped in full, with several lines."""
    async with db.session() as s:
        several = (select(OrderLine.order_id).group_by(OrderLine.order_id)
                   .having(func.count(OrderLine.id) > 1))
        return (await s.exec(select(Order).join(Location, Location.id == Order.location_id)
                             .join(User, User.id == Order.placed_by_user_id)
                             .where(Location.name == "Denver Plant", User.email == BUYER,
                                    Order.status == OrderStatus.FULFILLED, Order.id.in_(several))
                             .order_by(Order.id))).first()


async def _ship(db, order_number, line_sku, quantity):
    async with db.transaction() as s:
        order = (await s.exec(select(Order).where(Order.number == order_number))).one()
        line = (await s.exec(select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.sku == line_sku))).one()
        f = Fulfilment(order_id=order.id, status=FulfilmentStatus.IN_TRANSIT, carrier="UPS", shipped_at=NOW)
        s.add(f)
        await s.flush()
        s.add(FulfilmentLine(fulfilment_id=f.id, order_line_id=line.id, quantity=quantity))
        order.status = "PARTIALLY_FULFILLED"
        s.add(order)


async def test_reorder_makes_a_cart_at_todays_prices_and_reports_what_changed(gql, db):
    shipped = await _shipped_to_the_buyer(db)
    order_id = encode("Order", shipped.id)
    async with db.session() as s:
        lines = (await s.exec(select(OrderLine).where(OrderLine.order_id == shipped.id)
                              .order_by(OrderLine.position))).all()
    gone = lines[0]
    async with db.transaction() as s:
        row = (await s.exec(select(ProductVariant).where(ProductVariant.id == gone.variant_id))).one()
        row.is_active = False
        s.add(row)
    # Denied first: a viewer and an approver cannot reorder; another account cannot see the order.
    for who in (VIEWER, APPROVER):
        body = await gql(ORDER_REORDER, {"input": {"orderId": order_id}}, as_=who)
        assert codes(body) == ["FORBIDDEN"] or error_codes(data(body, "orderReorder")) == ["ORDER_NOT_FOUND"]
    body = await gql(ORDER_REORDER, {"input": {"orderId": order_id}}, as_=GLOBEX_BUYER)
    assert error_codes(data(body, "orderReorder")) == ["ORDER_NOT_FOUND"]
    payload = data(await gql(ORDER_REORDER, {"input": {"orderId": order_id}}, as_=BUYER), "orderReorder")
    assert payload["userErrors"] == []
    unavailable = {x["sku"]: x["code"] for x in payload["unavailableLines"]}
    assert unavailable[gone.sku] == "NOT_SOLD"
    in_cart = {x["sku"]: x for x in payload["cart"]["lines"]}
    assert set(in_cart) | set(unavailable) == {x.sku for x in lines}
    for change in payload["repricedLines"]:
        old = next(x for x in lines if x.sku == change["sku"])
        assert money(change["previousUnitPrice"]) == old.unit_price
        assert money(change["unitPrice"]) == money(in_cart[change["sku"]]["unitPrice"]) != old.unit_price
    assert payload["repricedLines"], "demo history is at 92 % of list; Denver's contract differs"


async def test_changing_quantities_before_fulfilment_credits_the_invoice(gql, db):
    contract_v, list_v = await plain(db), (await variants(db))[0]
    order = await _placed(gql, db, [{"sku": contract_v.sku, "quantity": 4}, {"sku": list_v.sku, "quantity": 2}])
    line = next(x for x in order["lines"] if x["sku"] == contract_v.sku)
    change = {"orderId": order["id"], "lines": [{"lineId": line["id"], "quantity": 2}], "poNumber": "PO-NEW"}
    for who in (VIEWER, APPROVER):
        body = await gql(ORDER_UPDATE, {"input": change}, as_=who)
        assert codes(body) == ["FORBIDDEN"] or error_codes(data(body, "orderUpdate")) == ["ORDER_NOT_FOUND"], who
    body = await gql(ORDER_UPDATE, {"input": change}, as_=GLOBEX_BUYER)
    assert error_codes(data(body, "orderUpdate")) == ["ORDER_NOT_FOUND"]
    payload = data(await gql(ORDER_UPDATE, {"input": change}, as_=BUYER), "orderUpdate")
    assert payload["userErrors"] == []
    updated = payload["order"]
    assert updated["poNumber"] == "PO-NEW"
    assert {x["sku"]: x["quantity"] for x in updated["lines"]} == {contract_v.sku: 2, list_v.sku: 2}
    assert money(updated["total"]) < money(order["total"])
    # The issued invoice keeps its lines; a credit note takes the 2 off what it has due.
    [invoice] = await invoices_of(gql, order["id"])
    assert money(invoice["amountDue"]) == money(updated["total"]) and [x["quantity"] for x in invoice["lines"]] == [4, 2]
    [note] = invoice["creditNotes"]
    assert note["reason"] == "ORDER_CHANGE" and [x["quantity"] for x in note["lines"]] == [2]
    assert money(note["total"]) == money(order["total"]) - money(updated["total"])
    # An ADMIN may change it too; quantity rules hold as when ordering.
    ruled_v = await ruled(db)
    order = await _placed(gql, db, [{"sku": ruled_v.sku, "quantity": 20}], key="k2")
    bad = {"orderId": order["id"], "lines": [{"lineId": order["lines"][0]["id"], "quantity": 15}]}
    assert error_codes(data(await gql(ORDER_UPDATE, {"input": bad}, as_=ADMIN), "orderUpdate")) == ["QUANTITY_RULE"]


async def test_raising_a_quantity_after_invoicing_bills_the_difference_on_a_further_invoice(gql, db):
    contract_v = await plain(db)
    order = await _placed(gql, db, [{"sku": contract_v.sku, "quantity": 2}])
    [first] = await invoices_of(gql, order["id"])
    change = {"orderId": order["id"], "lines": [{"lineId": order["lines"][0]["id"], "quantity": 5}]}
    payload = data(await gql(ORDER_UPDATE, {"input": change}, as_=BUYER), "orderUpdate")
    assert payload["userErrors"] == []
    # The issued invoice stays as it was; a second one bills the 3 more, with its own number.
    invoices = await invoices_of(gql, order["id"])
    assert [i["number"] for i in invoices][0] == first["number"] and len(invoices) == 2
    assert invoices[0]["total"] == first["total"] and [x["quantity"] for x in invoices[0]["lines"]] == [2]
    assert [x["quantity"] for x in invoices[1]["lines"]] == [3] and invoices[1]["status"] == "OPEN"
    assert invoices[1]["number"] > first["number"]
    assert sum(money(i["total"]) for i in invoices) == money(payload["order"]["total"])


async def test_after_fulfilment_starts_only_what_has_not_shipped_changes(gql, db):
    contract_v, list_v = await plain(db), (await variants(db))[0]
    order = await _placed(gql, db, [{"sku": contract_v.sku, "quantity": 10}, {"sku": list_v.sku, "quantity": 5}])
    await _ship(db, order["number"], contract_v.sku, 6)
    line = next(x for x in order["lines"] if x["sku"] == contract_v.sku)
    for quantity, code in ((5, "ALREADY_SHIPPED"), (12, "CANNOT_INCREASE")):
        payload = data(await gql(ORDER_UPDATE, {"input": {"orderId": order["id"], "lines": [
            {"lineId": line["id"], "quantity": quantity}]}}, as_=BUYER), "orderUpdate")
        assert error_codes(payload) == [code]
    payload = data(await gql(ORDER_UPDATE, {"input": {"orderId": order["id"], "lines": [
        {"lineId": line["id"], "quantity": 8}]}}, as_=BUYER), "orderUpdate")
    assert payload["userErrors"] == [] and payload["order"]["status"] == "PARTIALLY_FULFILLED"
    # Cancelling now cancels what has not shipped: the order is complete with what did ship.
    payload = data(await gql(ORDER_CANCEL, {"input": {"orderId": order["id"], "reason": "no longer needed"}},
                             as_=BUYER), "orderCancel")
    assert payload["cancelledWholeOrder"] is False and payload["order"]["status"] == "FULFILLED"
    assert {x["sku"]: x["quantity"] for x in payload["order"]["lines"]} == {contract_v.sku: 6, list_v.sku: 0}
    [invoice] = await invoices_of(gql, order["id"])
    assert money(invoice["amountDue"]) == money(payload["order"]["total"])


async def test_cancelling_before_fulfilment_voids_the_invoice(gql, db):
    contract_v = await plain(db)
    order = await _placed(gql, db, [{"sku": contract_v.sku, "quantity": 3}])
    for who in (VIEWER, APPROVER):
        body = await gql(ORDER_CANCEL, {"input": {"orderId": order["id"]}}, as_=who)
        assert codes(body) == ["FORBIDDEN"] or error_codes(data(body, "orderCancel")) == ["ORDER_NOT_FOUND"], who
    payload = data(await gql(ORDER_CANCEL, {"input": {"orderId": order["id"]}}, as_=BUYER), "orderCancel")
    assert payload["cancelledWholeOrder"] is True and payload["order"]["status"] == "CANCELLED"
    [invoice] = await invoices_of(gql, order["id"])
    assert invoice["status"] == "VOID" and money(invoice["amountDue"]) == Decimal(0)
    again = data(await gql(ORDER_CANCEL, {"input": {"orderId": order["id"]}}, as_=BUYER), "orderCancel")
    assert error_codes(again) == ["NOT_CHANGEABLE"]
    async with db.session() as s:
        assert (await s.exec(select(AuditEvent.action).where(AuditEvent.action == "order.cancel"))).all() == [
            "order.cancel"]


async def test_a_fulfilled_order_cannot_change(gql, db):
    order_id = encode("Order", (await _shipped_to_the_buyer(db)).id)
    payload = data(await gql(ORDER_CANCEL, {"input": {"orderId": order_id}}, as_=BUYER), "orderCancel")
    assert error_codes(payload) == ["NOT_CHANGEABLE"]
    payload = data(await gql(ORDER_CANCEL, {"input": {"orderId": order_id}}, as_=ADMIN), "orderCancel")
    assert error_codes(payload) == ["NOT_CHANGEABLE"]
