"""Approvals: the queue of approvers, approve and reject with comments, second approvals, own orders,
email to the buyer and the audit log."""
import string
from decimal import Decimal
from pathlib import Path

from sqlmodel import func, select

from db.enums import Role
from db.models import (Account, AuditEvent, Invoice, Location, Membership, MembershipRole, Order, OrderApproval,
                       OutboxMessage, User)
from tests.ordering_support import (ADMIN, AP, APPROVER, BUYER, GLOBEX_BUYER, ORDER_APPROVE, ORDER_PLACE, ORDER_REJECT,
                                    SETTINGS_UPDATE, VIEWER, count, data, error_codes, invoices_of, money, new_cart,
                                    plain, waiting_at_acme, waiting_orders)
from resolvers.globalid import encode
from tests.support import codes, gid
from tests.support import row as db_row

QUEUE = """query($first: Int) { viewer { approvalQueue(first: $first) { totalCount nodes { number status
    total { amount } placedBy { email } location { name } lines { sku quantity unitPrice { amount } }
    approvals { decision } approvalsRequired } } } }"""


def _gid(order: Order) -> str:
    return encode("Order", order.id)


def _usd(amount: Decimal) -> str:
    return f"${amount:,.2f}"


async def test_approvers_see_the_demo_orders_waiting_for_approval(gql, db):
    waiting = await waiting_at_acme(db)
    assert len(waiting) > 1  # the demo world has orders waiting
    body = await gql(QUEUE, {"first": 10}, as_=APPROVER)
    queue = data(body, "viewer")["approvalQueue"]
    assert [n["number"] for n in queue["nodes"]] == [o.number for o in waiting]
    assert queue["totalCount"] == len(waiting) and all(n["status"] == "PENDING_APPROVAL" for n in queue["nodes"])
    # An ADMIN sees them too, except the ones it placed itself.
    admin = await db_row(db, User, email=ADMIN)
    body = await gql(QUEUE, {"first": 10}, as_=ADMIN)
    assert [n["number"] for n in data(body, "viewer")["approvalQueue"]["nodes"]] == [
        o.number for o in waiting if o.placed_by_user_id != admin.id]
    # Buyers and viewers have no queue; another account's approver sees none of these.
    for who in (BUYER, VIEWER, GLOBEX_BUYER):
        body = await gql(QUEUE, {"first": 10}, as_=who)
        assert data(body, "viewer")["approvalQueue"]["nodes"] == [], who


async def test_the_queue_costs_the_same_statements_for_one_or_many(gql, db):
    one = await gql(QUEUE, {"first": 1}, as_=APPROVER)
    many = await gql(QUEUE, {"first": 4}, as_=APPROVER)
    assert len(data(many, "viewer")["approvalQueue"]["nodes"]) == min(4, len(await waiting_at_acme(db))) > 1
    assert one["_statements"] == many["_statements"]


async def test_a_buyer_or_viewer_cannot_approve_and_nothing_changes(gql, db):
    # The buyer's own waiting order: a buyer may still not decide on it.
    order = (await waiting_orders(db, placed_by=BUYER))[0]
    order_id = _gid(order)
    # Their roles never decide on orders: refused before the order is read.
    for who, mutation in ((BUYER, ORDER_APPROVE), (BUYER, ORDER_REJECT), (VIEWER, ORDER_APPROVE)):
        body = await gql(mutation, {"input": {"orderId": order_id}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], body
    body = await gql(ORDER_APPROVE, {"input": {"orderId": order_id}}, as_=GLOBEX_BUYER)
    assert codes(body) == ["FORBIDDEN"], body
    async with db.session() as s:
        assert (await s.exec(select(Order.status).where(Order.id == order.id))).one() == "PENDING_APPROVAL"
    assert await count(db, OrderApproval) == 0


async def test_approving_opens_the_order_invoices_it_and_tells_the_buyer(gql, db):
    waiting = (await waiting_orders(db, placed_by=BUYER))[0]
    order_id = _gid(waiting)
    body = await gql(ORDER_APPROVE, {"input": {"orderId": order_id, "comment": "OK for Q2 budget"}}, as_=APPROVER)
    payload = data(body, "orderApprove")
    assert payload["userErrors"] == [] and payload["approvalComplete"] is True
    order = payload["order"]
    assert order["status"] == "OPEN"
    assert order["approvals"] == [{"step": 1, "decision": "APPROVED", "comment": "OK for Q2 budget",
                                   "decidedBy": {"email": APPROVER}}]
    [invoice] = await invoices_of(gql, order_id)
    assert invoice["status"] == "OPEN" and money(invoice["amountDue"]) == money(order["total"])
    async with db.session() as s:
        mail, invoice_mail = (await s.exec(select(OutboxMessage).order_by(OutboxMessage.template.desc()))).all()
        assert (mail.to_address, mail.template) == (BUYER, "order_approved")
        assert (invoice_mail.to_address, invoice_mail.template) == (AP, "invoice_issued")  # accounts payable
        assert mail.params["number"] == waiting.number and mail.params["comment"] == "OK for Q2 budget"
        assert mail.params["total"] == _usd(waiting.total)
        event = (await s.exec(select(AuditEvent).where(AuditEvent.action == "order.approve"))).one()
        assert event.data["comment"] == "OK for Q2 budget" and event.target_type == "Order"
    # Decided orders leave the queue and cannot be decided again.
    body = await gql(QUEUE, {"first": 10}, as_=APPROVER)
    assert waiting.number not in [n["number"] for n in data(body, "viewer")["approvalQueue"]["nodes"]]
    body = await gql(ORDER_REJECT, {"input": {"orderId": order_id}}, as_=APPROVER)
    assert error_codes(data(body, "orderReject")) == ["NOT_PENDING_APPROVAL"]


async def test_rejecting_with_a_comment_tells_the_buyer_why(gql, db):
    order_id = _gid((await waiting_orders(db, placed_by=BUYER))[0])
    body = await gql(ORDER_REJECT, {"input": {"orderId": order_id, "comment": "Use the framework supplier"}},
                     as_=APPROVER)
    order = data(body, "orderReject")["order"]
    assert order["status"] == "REJECTED" and order["approvals"][0]["decision"] == "REJECTED"
    assert await invoices_of(gql, order_id) == []
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage))).one()
        assert mail.template == "order_rejected" and mail.params["comment"] == "Use the framework supplier"
        event = (await s.exec(select(AuditEvent).where(AuditEvent.action == "order.reject"))).one()
        assert event.data["comment"] == "Use the framework supplier" and event.actor_user_id is not None


async def test_an_approver_cannot_approve_its_own_order(gql, db):
    # ADMIN may approve others' orders, not the ones it placed.
    order_id = _gid((await waiting_orders(db, placed_by=ADMIN))[0])
    body = await gql(ORDER_APPROVE, {"input": {"orderId": order_id}}, as_=ADMIN)
    assert error_codes(data(body, "orderApprove")) == ["OWN_ORDER"]
    assert await count(db, OrderApproval) == 0
    body = await gql(ORDER_APPROVE, {"input": {"orderId": order_id}}, as_=APPROVER)
    assert data(body, "orderApprove")["order"]["status"] == "OPEN"


async def test_above_the_threshold_a_second_approver_is_needed(gql, db):
    acme = await gid(db, Account, name="Acme Industrial")
    body = await gql(SETTINGS_UPDATE, {"input": {"accountId": acme, "secondApprovalThreshold": "1000",
                                                 "requiresApproval": True}}, as_=ADMIN)
    assert money(data(body, "accountOrderingSettingsUpdate")["settings"]["secondApprovalThreshold"]) == 1000
    contract_v = await plain(db)
    cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 50}])  # 1,314.38
    order = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "big", "cartId": cart["id"]}}, as_=BUYER),
                 "orderPlace")["order"]
    assert order["status"] == "PENDING_APPROVAL" and order["approvalsRequired"] == 2
    first = data(await gql(ORDER_APPROVE, {"input": {"orderId": order["id"], "comment": "fine"}}, as_=APPROVER),
                 "orderApprove")
    assert first["approvalComplete"] is False and first["order"]["status"] == "PENDING_APPROVAL"
    again = data(await gql(ORDER_APPROVE, {"input": {"orderId": order["id"]}}, as_=APPROVER), "orderApprove")
    assert error_codes(again) == ["ALREADY_DECIDED"]
    async with db.session() as s:
        # The buyer hears of the final decision only (after the confirmation of its order).
        assert [m.template for m in (await s.exec(select(OutboxMessage).where(OutboxMessage.to_address == BUYER)))
                .all()] == ["order_placed"]
    second = data(await gql(ORDER_APPROVE, {"input": {"orderId": order["id"]}}, as_=ADMIN), "orderApprove")
    assert second["approvalComplete"] is True and second["order"]["status"] == "OPEN"
    assert [a["step"] for a in second["order"]["approvals"]] == [1, 2]
    placed = await db_row(db, Order, number=order["number"])
    assert await count(db, Invoice, Invoice.order_id == placed.id) == 1


async def test_approval_rechecks_the_credit_limit(gql, db):
    order = (await waiting_orders(db, placed_by=BUYER))[0]
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        owed = (await s.exec(select(func.sum(Invoice.amount_due)).where(Invoice.account_id == acme.id,
                                                                        Invoice.status == "OPEN"))).one()
        assert owed > 0  # the order alone fits the limit; with what Acme owes it is a cent over
        acme.credit_limit = owed + order.total - Decimal("0.01")
        s.add(acme)
    order_id = _gid(order)
    payload = data(await gql(ORDER_APPROVE, {"input": {"orderId": order_id}}, as_=APPROVER), "orderApprove")
    assert error_codes(payload) == ["CREDIT_LIMIT_EXCEEDED"]
    assert await count(db, OrderApproval) == 0


async def test_an_approver_of_other_locations_does_not_see_the_order(gql, db):
    # Make the viewer an approver at Austin only: Denver orders stay invisible to it.
    async with db.transaction() as s:
        m = (await s.exec(select(Membership).join(User, User.id == Membership.user_id)
                          .where(User.email == VIEWER))).one()
        austin = (await s.exec(select(Location).where(Location.name == "Austin Warehouse"))).one()
        s.add(MembershipRole(membership_id=m.id, role=Role.APPROVER, location_id=austin.id))
    body = await gql(QUEUE, {"first": 10}, as_=VIEWER)
    assert [n["number"] for n in data(body, "viewer")["approvalQueue"]["nodes"]] == [
        o.number for o in await waiting_orders(db, at="Austin Warehouse")]
    elsewhere = (await waiting_orders(db, not_at="Austin Warehouse"))[0]
    payload = data(await gql(ORDER_APPROVE, {"input": {"orderId": _gid(elsewhere)}}, as_=VIEWER), "orderApprove")
    assert error_codes(payload) == ["ORDER_NOT_FOUND"]


async def test_a_german_buyer_is_told_in_german_with_euro_amounts(gql, db):
    contract_v = await plain(db)
    berlin_cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 150}], as_="buyer@globex.example",
                                 location="Berlin Zentrale")
    order = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "g", "cartId": berlin_cart["id"]}},
                           as_="buyer@globex.example"), "orderPlace")["order"]
    assert order["status"] == "PENDING_APPROVAL" and order["total"]["currencyCode"] == "EUR"
    payload = data(await gql(ORDER_APPROVE, {"input": {"orderId": order["id"], "comment": "ok"}},
                             as_="admin@globex.example"), "orderApprove")
    assert payload["order"]["status"] == "OPEN"
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage).where(OutboxMessage.template == "order_approved"))).one()
    assert mail.locale == "de" and mail.params["total"].endswith("€")
    template = (Path(__file__).resolve().parents[2] / "i18n" / "mail" / mail.template / "de.txt").read_text()
    assert template.format_map(mail.params).startswith(f"Subject: Bestellung {order['number']} wurde freigegeben")
    assert all(f in mail.params for _, f, _, _ in string.Formatter().parse(template) if f)
