"""invoicePay through the test gateway: who may pay, each gateway outcome, partial and multi-invoice
payments, account credit, idempotency keys, and what a payment leaves (rows, receipt, email)."""
from datetime import datetime, timezone
from decimal import Decimal
from itertools import count

from sqlmodel import func, select

from db.enums import AccountCreditKind, InvoiceStatus, PaymentStatus
from db.models import Account, AccountCreditTransaction, Invoice, OutboxMessage, Payment, PaymentMethod
from resolvers.globalid import encode
from tests.invoice_factories import add_credit_movement, add_invoice

AP, ADMIN, BUYER, VIEWER, APPROVER = ("ap@acme.example", "admin@acme.example", "buyer@acme.example",
                                      "viewer@acme.example", "approver@acme.example")
GLOBEX, OPS = "admin@globex.example", "ops@merchant.example"
PAY = """mutation($input: InvoicePayInput!) { invoicePay(input: $input) {
  payments { id amount { amount currencyCode } method status reference declineCode cardBrand cardLast4 receiptNumber
             invoice { id number status amountDue { amount } } }
  replayed declineCode clientSecret userErrors { code field message } } }"""
_numbers = count(1)


async def _account(db, name: str) -> Account:
    async with db.session() as s:
        return (await s.exec(select(Account).where(Account.name == name))).one()


async def _invoice(db, account: Account, total: str, **kw) -> Invoice:
    return await add_invoice(db, account, f"INV-T-{next(_numbers):05d}", datetime(2026, 11, 1, tzinfo=timezone.utc),
                             Decimal(total), **kw)


async def _card(db, account: Account, kind: str = "visa", **kw) -> PaymentMethod:
    """A saved test card whose charges go as the token `kind` says (integrations/test_gateway.py)."""
    async with db.transaction() as s:
        method = PaymentMethod(account_id=account.id, gateway="test", gateway_method_id=f"pm_test_{kind}_{next(_numbers)}",
                               gateway_customer_id="cus_test_1", brand="visa", last4="4242",
                               exp_month=kw.pop("exp_month", 12), exp_year=kw.pop("exp_year", 2034), created_at=kw.pop(
                                   "created_at", datetime(2026, 1, 1, tzinfo=timezone.utc)))
        s.add(method)
    return method


async def _state(db, account: Account) -> tuple:
    """What a refused payment must leave as it was."""
    async with db.session() as s:
        invoices = (await s.exec(select(Invoice.id, Invoice.status, Invoice.amount_paid, Invoice.amount_due)
                                 .where(Invoice.account_id == account.id).order_by(Invoice.id))).all()
        payments = (await s.exec(select(func.count()).select_from(Payment))).one()
        credit = (await s.exec(select(func.count()).select_from(AccountCreditTransaction))).one()
        mails = (await s.exec(select(func.count()).select_from(OutboxMessage))).one()
    return tuple(invoices), payments, credit, mails


def _input(account: Account, parts, method=None, key="k-1", credit=False) -> dict:
    return {"input": {"accountId": encode("Account", account.id), "idempotencyKey": key,
                      "invoices": [{"invoiceId": encode("Invoice", i.id), **({"amount": a} if a else {})}
                                   for i, a in parts],
                      **({"paymentMethodId": encode("PaymentMethod", method.id)} if method else {}),
                      **({"useAccountCredit": True} if credit else {})}}


async def _pay(gql, variables, as_=AP) -> dict:
    body = await gql(PAY, variables, as_=as_)
    assert "errors" not in body, body
    return body["data"]["invoicePay"]


def _codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_roles_that_may_not_pay_change_nothing_then_ap_pays_two_invoices_with_one_charge(gql, db, app):
    acme = await _account(db, "Acme Industrial")
    one, two = await _invoice(db, acme, "110.00"), await _invoice(db, acme, "55.50")
    card = await _card(db, acme)
    variables = _input(acme, [(one, None), (two, None)], card)
    before = await _state(db, acme)
    for who in (VIEWER, BUYER, APPROVER, OPS, GLOBEX):
        body = await gql(PAY, variables, as_=who)
        if who == GLOBEX:  # an admin of another account: the invoices are not among its own
            assert _codes(body["data"]["invoicePay"]) == ["INVOICE_NOT_FOUND"], body
        else:
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (who, body)
    assert await _state(db, acme) == before
    assert not [c for c in app.state.gateway.calls if c[0] == "charge"]

    paid = await _pay(gql, variables)
    assert paid["userErrors"] == [] and paid["replayed"] is False
    rows = paid["payments"]
    assert [(p["amount"]["amount"], p["status"], p["method"], p["cardLast4"]) for p in rows] == [
        ("110.00", "SUCCEEDED", "CARD", "4242"), ("55.50", "SUCCEEDED", "CARD", "4242")]
    assert len({p["reference"] for p in rows}) == 1 and rows[0]["reference"].startswith("pi_test")
    assert len({p["receiptNumber"] for p in rows}) == 1 and rows[0]["receiptNumber"].startswith("RCT-")
    assert [(p["invoice"]["status"], p["invoice"]["amountDue"]["amount"]) for p in rows] == [("PAID", "0.00")] * 2
    assert [c for c in app.state.gateway.calls if c[0] == "charge"] == [("charge", card.gateway_method_id)]
    async with db.session() as s:
        mails = (await s.exec(select(OutboxMessage).where(OutboxMessage.template == "payment_receipt"))).all()
    assert mails and all("/documents/receipts/" in m.params["pdf_url"] for m in mails)

    # The same key and input: the first result, no second charge; the same key with another input: refused.
    again = await _pay(gql, variables)
    assert again["replayed"] is True and [p["id"] for p in again["payments"]] == [p["id"] for p in rows]
    other = await _pay(gql, _input(acme, [(one, None)], card))
    assert _codes(other) == ["IDEMPOTENCY_KEY_REUSED"]
    assert len([c for c in app.state.gateway.calls if c[0] == "charge"]) == 1


async def test_a_part_of_an_invoice_keeps_the_rest_open(gql, db):
    acme = await _account(db, "Acme Industrial")
    invoice, card = await _invoice(db, acme, "100.00"), await _card(db, acme)
    paid = await _pay(gql, _input(acme, [(invoice, "40.00")], card, key="part"))
    assert paid["userErrors"] == []
    assert (paid["payments"][0]["invoice"]["status"], paid["payments"][0]["invoice"]["amountDue"]["amount"]) == (
        "OPEN", "60.00")


async def test_bad_input_is_a_coded_error_with_no_charge_and_nothing_changed(gql, db, app):
    acme, globex = await _account(db, "Acme Industrial"), await _account(db, "Globex GmbH")
    invoice, card = await _invoice(db, acme, "100.00"), await _card(db, acme)
    paid_one = await _invoice(db, acme, "10.00", status=InvoiceStatus.PAID, paid=Decimal("10.00"))
    void = await _invoice(db, acme, "10.00", status=InvoiceStatus.VOID)
    draft = await _invoice(db, acme, "10.00", status=InvoiceStatus.DRAFT)
    euros = await _invoice(db, acme, "10.00", currency="EUR")
    foreign = await _invoice(db, globex, "10.00")
    foreign_card = await _card(db, globex)
    expired = await _card(db, acme, exp_year=2020)
    before = await _state(db, acme)
    cases = [([(paid_one, None)], card, "NOT_OPEN"), ([(void, None)], card, "NOT_OPEN"),
             ([(draft, None)], card, "INVOICE_NOT_FOUND"), ([(foreign, None)], card, "INVOICE_NOT_FOUND"),
             ([(invoice, "100.01")], card, "OVERPAYMENT"), ([(invoice, "0")], card, "INVALID_AMOUNT"),
             ([(invoice, "-5")], card, "INVALID_AMOUNT"), ([(invoice, "1.001")], card, "INVALID_AMOUNT"),
             ([(invoice, None), (euros, None)], card, "CURRENCY_MISMATCH"),
             ([(invoice, None), (invoice, None)], card, "DUPLICATE_INVOICE"), ([], card, "NO_INVOICES"),
             ([(invoice, None)], foreign_card, "NOT_FOUND"), ([(invoice, None)], expired, "METHOD_EXPIRED"),
             ([(invoice, None)], None, "METHOD_OR_CREDIT_REQUIRED")]
    for n, (parts, method, code) in enumerate(cases):
        assert _codes(await _pay(gql, _input(acme, parts, method, key=f"bad-{n}"))) == [code], code
    assert await _state(db, acme) == before
    assert not [c for c in app.state.gateway.calls if c[0] == "charge"]


async def test_each_decline_records_a_failed_payment_with_its_code_and_pays_nothing(gql, db):
    acme = await _account(db, "Acme Industrial")
    for kind, code, decline in (("visa_chargeDeclined", "CARD_DECLINED", "generic_decline"),
                                ("visa_chargeDeclinedInsufficientFunds", "INSUFFICIENT_FUNDS", "insufficient_funds"),
                                ("visa_chargeDeclinedExpiredCard", "EXPIRED_CARD", "expired_card")):
        invoice, card = await _invoice(db, acme, "20.00"), await _card(db, acme, kind)
        for _ in range(2):  # a retry with the key gets the gateway's first answer, recorded once
            paid = await _pay(gql, _input(acme, [(invoice, None)], card, key=f"decline-{kind}"))
            assert (_codes(paid), paid["declineCode"]) == ([code], decline)
        async with db.session() as s:
            rows = (await s.exec(select(Payment).where(Payment.invoice_id == invoice.id))).all()
            fresh = await s.get(Invoice, invoice.id)
        assert [(p.status, p.decline_code, p.amount) for p in rows] == [(PaymentStatus.FAILED, decline, Decimal("20"))]
        assert (fresh.status, fresh.amount_due) == (InvoiceStatus.OPEN, Decimal("20"))


async def test_a_card_needing_3d_secure_answers_its_client_secret_and_pays_nothing(gql, db):
    acme = await _account(db, "Acme Industrial")
    invoice, card = await _invoice(db, acme, "20.00"), await _card(db, acme, "authenticationRequired")
    before = await _state(db, acme)
    paid = await _pay(gql, _input(acme, [(invoice, None)], card, key="3ds"))
    assert _codes(paid) == ["REQUIRES_ACTION"] and "_secret_" in paid["clientSecret"]
    assert await _state(db, acme) == before


async def test_account_credit_pays_an_invoice_and_not_more_than_the_balance(gql, db):
    acme = await _account(db, "Acme Industrial")
    async with db.session() as s:
        balance = (await s.exec(select(func.coalesce(func.sum(AccountCreditTransaction.amount), 0)).where(
            AccountCreditTransaction.account_id == acme.id, AccountCreditTransaction.currency == acme.currency))).one()
    await add_credit_movement(db, acme, acme.currency, AccountCreditKind.ADJUSTMENT, Decimal("30.00") - balance,
                              datetime(2026, 11, 2, tzinfo=timezone.utc))
    big, small = await _invoice(db, acme, "50.00"), await _invoice(db, acme, "25.00")
    before = await _state(db, acme)
    assert _codes(await _pay(gql, _input(acme, [(big, None)], key="credit-big", credit=True))) == ["NO_ACCOUNT_CREDIT"]
    assert await _state(db, acme) == before
    paid = await _pay(gql, _input(acme, [(small, None)], key="credit-small", credit=True))
    assert paid["userErrors"] == []
    assert [(p["method"], p["amount"]["amount"], p["invoice"]["status"]) for p in paid["payments"]] == [
        ("ACCOUNT_CREDIT", "25.00", "PAID")]
    async with db.session() as s:
        left = (await s.exec(select(func.sum(AccountCreditTransaction.amount)).where(
            AccountCreditTransaction.account_id == acme.id, AccountCreditTransaction.currency == acme.currency))).one()
    assert left == Decimal("5.00")



HISTORY = """query($id: ID!, $n: Int!, $filter: PaymentFilter) { node(id: $id) { ... on Account {
  payments(first: $n, filter: $filter) { totalCount nodes { id status declineCode amount { amount } method
    receiptNumber invoice { number status } } } } } }"""


async def test_payment_history_filters_shows_declines_and_costs_the_same_for_2_rows_as_for_20(gql, db):
    acme = await _account(db, "Acme Industrial")
    card, declined = await _card(db, acme), await _card(db, acme, "visa_chargeDeclined")
    for n in range(10):
        invoices = [await _invoice(db, acme, "10.00") for _ in range(2)]
        assert (await _pay(gql, _input(acme, [(i, None) for i in invoices], card, key=f"h-{n}")))["userErrors"] == []
    refused = await _invoice(db, acme, "12.00")
    await _pay(gql, _input(acme, [(refused, None)], declined, key="h-declined"))
    account = encode("Account", acme.id)
    small, large = [await gql(HISTORY, {"id": account, "n": n}, as_=AP) for n in (2, 20)]
    assert "errors" not in large and len(large["data"]["node"]["payments"]["nodes"]) == 20
    assert small["_statements"] == large["_statements"]
    failed = await gql(HISTORY, {"id": account, "n": 10, "filter": {"status": ["FAILED"]}}, as_=AP)
    assert [(p["declineCode"], p["invoice"]["number"]) for p in failed["data"]["node"]["payments"]["nodes"]] == [
        ("generic_decline", refused.number)]
    one = await gql(HISTORY, {"id": account, "n": 10, "filter": {"invoiceId": encode("Invoice", refused.id)}}, as_=AP)
    assert one["data"]["node"]["payments"]["totalCount"] == 1
    hidden = await gql(HISTORY, {"id": account, "n": 10}, as_=BUYER)
    assert hidden["data"]["node"]["payments"] is None and hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_integration_clients_need_payments_write_to_pay(gql, db, client):
    from tests.server.test_oauth import register, token_for  # noqa: PLC0415

    acme = await _account(db, "Acme Industrial")
    invoice, card = await _invoice(db, acme, "30.00"), await _card(db, acme)
    tokens = []
    for scopes in (["invoices:read", "invoices:write"], ["invoices:read", "payments:write"]):
        made = (await register(gql, db, scopes))["data"]["oauthClientCreate"]
        tokens.append((await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"])
    without, payer = ({"authorization": f"Bearer {t}"} for t in tokens)
    before = await _state(db, acme)
    denied = await gql(PAY, _input(acme, [(invoice, None)], card, key="client"), headers=without)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await _state(db, acme) == before
    paid = (await gql(PAY, _input(acme, [(invoice, None)], card, key="client"), headers=payer))["data"]["invoicePay"]
    assert paid["userErrors"] == [] and paid["payments"][0]["invoice"]["status"] == "PAID"
