"""Card payment at placement (domain/checkout.py): Jo (no net terms) pays with a saved card when
ordering; a declined card places nothing; an order waiting for approval is charged when approved."""
from sqlmodel import select

from db.enums import InvoiceStatus, OrderStatus
from db.models import Account, AuditEvent, Invoice, Order, Payment, PaymentMethod
from resolvers.globalid import decode_as, encode
from tests.conftest import NOW
from tests.ordering_support import (ADMIN, APPROVER, BUYER, ORDER_APPROVE, ORDER_PLACE, STAFF_ADMIN, VIEWER, count, data,
                                    error_codes, location_gid, plain, row)

JO = "jo@example.com"


async def jo_account(db) -> Account:
    return await row(db, Account, name="Jo Doe")


async def card(db, account: Account, kind: str, *, default: bool = False) -> PaymentMethod:
    """A card saved with the test gateway whose charges go as the test token `kind` says."""
    async with db.transaction() as s:
        if default:
            for m in (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == account.id))).all():
                m.is_default = False
                s.add(m)
        method = PaymentMethod(account_id=account.id, gateway="test", gateway_method_id=f"pm_test_{kind}_{account.id}",
                               gateway_customer_id=f"cus_test_{account.id}", brand="visa", last4="0341",
                               exp_month=12, exp_year=NOW.year + 3, is_default=default, created_at=NOW)
        s.add(method)
    return method


async def default_card(db, account: Account) -> PaymentMethod:
    return await row(db, PaymentMethod, account_id=account.id, is_default=True)


async def jo_request(db, key: str, **given) -> dict:
    v = await plain(db)
    return {"input": {"idempotencyKey": key, "locationId": await location_gid(db, "Home"),
                      "lines": [{"sku": v.sku, "quantity": 2}], **given}}


async def written(db, account: Account) -> tuple[int, int, int]:
    return (await count(db, Order, Order.account_id == account.id), await count(db, Invoice, Invoice.account_id == account.id),
            await count(db, Payment, Payment.account_id == account.id))


async def test_a_viewer_cannot_place_and_nothing_is_charged(gql, db, app):
    acme = await row(db, Account, name="Acme Industrial")
    method = await default_card(db, acme)
    body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": "v1", "locationId": await location_gid(db, "Austin Warehouse"),
                                             "lines": [{"sku": (await plain(db)).sku, "quantity": 1}],
                                             "paymentMethodId": encode("PaymentMethod", method.id)}}, as_=VIEWER)
    assert body.get("errors") or error_codes(body["data"]["orderPlace"])
    assert app.state.gateway.calls == []


async def test_another_accounts_card_is_refused(gql, db, app):
    jo = await jo_account(db)
    acme_card = await default_card(db, await row(db, Account, name="Acme Industrial"))
    before = await written(db, jo)
    payload = data(await gql(ORDER_PLACE, await jo_request(db, "k-foreign",
                                                           paymentMethodId=encode("PaymentMethod", acme_card.id)),
                             as_=JO), "orderPlace")
    assert error_codes(payload) == ["PAYMENT_METHOD_NOT_FOUND"] and payload["order"] is None
    assert await written(db, jo) == before and app.state.gateway.calls == []


async def test_an_account_that_pays_when_ordering_needs_a_card(gql, db, app):
    jo = await jo_account(db)
    async with db.transaction() as s:
        for m in (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == jo.id))).all():
            await s.delete(m)
    before = await written(db, jo)
    payload = data(await gql(ORDER_PLACE, await jo_request(db, "k-none"), as_=JO), "orderPlace")
    assert error_codes(payload) == ["PAYMENT_METHOD_REQUIRED"]
    assert await written(db, jo) == before and app.state.gateway.calls == []


async def test_jo_pays_with_the_default_card_and_the_invoice_is_paid(gql, db, app):
    jo = await jo_account(db)
    method = await default_card(db, jo)
    orders, invoices, payments = await written(db, jo)
    payload = data(await gql(ORDER_PLACE, await jo_request(db, "k-paid"), as_=JO), "orderPlace")
    assert payload["userErrors"] == [] and payload["order"]["status"] == "OPEN"
    order = await row(db, Order, id=decode_as(payload["order"]["id"], "Order"))
    assert order.payment_method_id == method.id
    invoice = await row(db, Invoice, order_id=order.id)
    assert invoice.status is InvoiceStatus.PAID and invoice.amount_due == 0 and invoice.amount_paid == order.total
    payment = await row(db, Payment, invoice_id=invoice.id)
    assert payment.amount == order.total and payment.reference and payment.reference.startswith("pi_test")
    assert await written(db, jo) == (orders + 1, invoices + 1, payments + 1)
    assert [c for c in app.state.gateway.calls if c[0] == "charge"] == [("charge", method.gateway_method_id)]
    # The same key again: the first order, no second charge.
    again = data(await gql(ORDER_PLACE, await jo_request(db, "k-paid"), as_=JO), "orderPlace")
    assert again["replayed"] and again["order"]["id"] == payload["order"]["id"]
    assert len([c for c in app.state.gateway.calls if c[0] == "charge"]) == 1
    # The same key with another card: the idempotency error, nothing charged.
    other = await card(db, jo, "visa")
    reused = data(await gql(ORDER_PLACE, await jo_request(db, "k-paid", paymentMethodId=encode("PaymentMethod", other.id)),
                            as_=JO), "orderPlace")
    assert error_codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert len([c for c in app.state.gateway.calls if c[0] == "charge"]) == 1


async def test_each_failed_charge_places_nothing_but_an_audit_event(gql, db, app):
    jo = await jo_account(db)
    outcomes = {"visa_chargeDeclined": ("CARD_DECLINED", "generic_decline"),
                "visa_chargeDeclinedInsufficientFunds": ("INSUFFICIENT_FUNDS", "insufficient_funds"),
                "visa_chargeDeclinedExpiredCard": ("EXPIRED_CARD", "expired_card"),
                "authenticationRequired": ("REQUIRES_ACTION", None)}
    for kind, (code, decline) in outcomes.items():
        method = await card(db, jo, kind, default=True)
        before = await written(db, jo)
        failures = await count(db, AuditEvent, AuditEvent.action == "order.payment_failed")
        payload = data(await gql(ORDER_PLACE, await jo_request(db, f"k-{kind}"), as_=JO), "orderPlace")
        assert error_codes(payload) == [code] and payload["order"] is None, payload
        assert payload["userErrors"][0]["field"] == ["input", "paymentMethodId"]
        assert await written(db, jo) == before
        assert await count(db, AuditEvent, AuditEvent.action == "order.payment_failed") == failures + 1
        event = (await row(db, AuditEvent, action="order.payment_failed", target_id=method.id))
        assert event.data["decline_code"] == decline and event.data["code"] == code
        if decline:
            assert decline in payload["userErrors"][0]["message"]


async def test_a_net_terms_order_is_invoiced_unless_a_card_is_given(gql, db, app):
    acme = await row(db, Account, name="Acme Industrial")
    v = await plain(db)
    lines = {"locationId": await location_gid(db, "Denver Plant"), "lines": [{"sku": v.sku, "quantity": 1}]}
    payload = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "terms", **lines}}, as_=ADMIN), "orderPlace")
    invoice = await row(db, Invoice, order_id=decode_as(payload["order"]["id"], "Order"))
    assert invoice.status is InvoiceStatus.OPEN and app.state.gateway.calls == []
    method = await default_card(db, acme)
    payload = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "card", **lines,
                                                     "paymentMethodId": encode("PaymentMethod", method.id)}},
                             as_=BUYER), "orderPlace")  # a buyer pays with a card of the account
    assert payload["userErrors"] == []
    invoice = await row(db, Invoice, order_id=decode_as(payload["order"]["id"], "Order"))
    assert invoice.status is InvoiceStatus.PAID


async def _card_order_waiting(gql, db, kind: str) -> tuple[Order, PaymentMethod]:
    """An Acme order paid by card that waits for approval (the account requires it)."""
    acme = await row(db, Account, name="Acme Industrial")
    async with db.transaction() as s:
        a = await s.get(Account, acme.id)
        a.requires_approval = True
        s.add(a)
    method = await card(db, acme, kind)
    v = await plain(db)
    payload = data(await gql(ORDER_PLACE, {"input": {
        "idempotencyKey": f"wait-{kind}", "locationId": await location_gid(db, "Denver Plant"),
        "lines": [{"sku": v.sku, "quantity": 1}], "paymentMethodId": encode("PaymentMethod", method.id)}},
        as_=BUYER), "orderPlace")
    assert payload["userErrors"] == [] and payload["order"]["status"] == "PENDING_APPROVAL"
    return await row(db, Order, id=decode_as(payload["order"]["id"], "Order")), method


async def test_an_order_waiting_for_approval_is_charged_when_approved(gql, db, app):
    order, method = await _card_order_waiting(gql, db, "visa")
    assert app.state.gateway.calls == []  # nothing charged while it waits
    payload = data(await gql(ORDER_APPROVE, {"input": {"orderId": encode("Order", order.id)}}, as_=APPROVER),
                   "orderApprove")
    assert payload["userErrors"] == [] and payload["order"]["status"] == "OPEN"
    invoice = await row(db, Invoice, order_id=order.id)
    assert invoice.status is InvoiceStatus.PAID
    assert (await row(db, Payment, invoice_id=invoice.id)).amount == order.total
    assert app.state.gateway.calls == [("charge", method.gateway_method_id)]


async def test_an_approval_whose_charge_fails_leaves_the_order_waiting(gql, db, app):
    order, _ = await _card_order_waiting(gql, db, "visa_chargeDeclined")
    invoices = await count(db, Invoice)
    payload = data(await gql(ORDER_APPROVE, {"input": {"orderId": encode("Order", order.id)}}, as_=APPROVER),
                   "orderApprove")
    assert error_codes(payload) == ["CARD_DECLINED"]
    assert (await row(db, Order, id=order.id)).status is OrderStatus.PENDING_APPROVAL
    assert await count(db, Invoice) == invoices and await count(db, Payment, Payment.invoice_id.is_(None)) == 0


async def test_a_net_terms_account_the_merchant_sets_to_card_required_pays_with_its_default(gql, db, app):
    acme = await row(db, Account, name="Acme Industrial")
    update = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
        account { cardRequired } userErrors { code } } }"""
    given = {"input": {"id": encode("Account", acme.id), "cardRequired": True}}
    denied = await gql(update, given, as_=ADMIN)  # the customer's admin does not set it
    assert denied.get("errors") and not (await row(db, Account, id=acme.id)).card_required
    body = data(await gql(update, given, as_=STAFF_ADMIN), "accountUpdate")
    assert body == {"account": {"cardRequired": True}, "userErrors": []}
    v = await plain(db)
    payload = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "required", "locationId":
                                                     await location_gid(db, "Denver Plant"),
                                                     "lines": [{"sku": v.sku, "quantity": 1}]}}, as_=ADMIN),
                   "orderPlace")
    assert payload["userErrors"] == []
    invoice = await row(db, Invoice, order_id=decode_as(payload["order"]["id"], "Order"))
    assert invoice.status is InvoiceStatus.PAID
    assert app.state.gateway.calls == [("charge", (await default_card(db, acme)).gateway_method_id)]


async def test_a_charge_whose_order_is_not_committed_is_refunded(gql, db, app, monkeypatch):
    jo = await jo_account(db)
    before = await written(db, jo)
    refunds = []
    gateway = app.state.gateway
    original = gateway.refund

    async def refund(charge_id, amount, currency, key):  # type: ignore[no-untyped-def]
        refunds.append((charge_id, amount))
        return await original(charge_id, amount, currency, key)
    monkeypatch.setattr(gateway, "refund", refund)

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away after the charge")
    monkeypatch.setattr("domain.payments.record_charge", broken)
    body = await gql(ORDER_PLACE, await jo_request(db, "k-lost"), as_=JO)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    charged = gateway.charges
    assert len(charged) == 1 and refunds == [(next(iter(charged)), next(iter(charged.values())).amount)]
    assert await written(db, jo) == before
