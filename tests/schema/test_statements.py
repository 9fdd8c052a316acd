"""Statements of account: who may read one, its lines in date order with the running balance, and
closing = opening + invoiced - paid - credited + refunded + adjusted on data with every kind of
movement; consecutive periods join up; the SQL it costs does not grow with its lines."""
from datetime import datetime, timezone
from decimal import Decimal

from db.enums import AccountCreditKind, CreditNoteStatus, InvoiceStatus, PaymentStatus
from sqlmodel import func, select

from db.models import Account, AccountCreditTransaction
from resolvers.globalid import encode
from tests.conftest import NOW
from tests.invoice_factories import (add_credit_movement, add_credit_note, add_invoice, add_payment, invoices_of)
from tests.support import codes, row

STATEMENT = """query($id: ID!, $from: Date!, $to: Date!, $currency: String) { node(id: $id) { ... on Account {
  statement(from: $from, to: $to, currency: $currency) {
    currencyCode from to openingBalance { amount currencyCode } closingBalance { amount }
    totalInvoiced { amount } totalPaid { amount } totalCredited { amount } totalRefunded { amount }
    totalAdjusted { amount }
    lines { kind occurredAt reference invoiceNumber debit { amount } credit { amount } balance { amount } } } } } }"""
AP = "ap@acme.example"


def day(month: int, d: int, hour: int = 12) -> datetime:
    return datetime(2026, month, d, hour, tzinfo=timezone.utc)


async def _pounds(db):
    """Acme's movements in pounds, a currency nothing else of it uses: two before February, the
    rest in February and March, and some that no statement shows."""
    acme = await row(db, Account, name="Acme Industrial")
    a = await add_invoice(db, acme, "GB-1", day(1, 10), Decimal("1100.00"), currency="GBP")
    await add_payment(db, a, Decimal("500.00"), day(1, 20), "=HYPERLINK(1)")
    b = await add_invoice(db, acme, "GB-2", day(2, 5), Decimal("220.00"), currency="GBP")
    await add_payment(db, a, Decimal("600.00"), day(2, 10), "W-600")
    await add_payment(db, a, Decimal("5.00"), day(2, 11), "FAILED", status=PaymentStatus.FAILED)
    await add_credit_note(db, b, "CN-1", day(2, 12), Decimal("55.00"), applied=Decimal("55.00"))
    await add_credit_note(db, a, "CN-2", day(3, 1), Decimal("110.00"), refunded=Decimal("110.00"))
    await add_credit_note(db, a, "CN-VOID", day(3, 2), Decimal("10.00"), status=CreditNoteStatus.VOID)
    await add_credit_movement(db, acme, "GBP", AccountCreditKind.ADJUSTMENT, Decimal("20.00"), day(3, 3), "goodwill")
    await add_invoice(db, acme, "GB-VOID", day(3, 4), Decimal("999.00"), currency="GBP", status=InvoiceStatus.VOID)
    await add_invoice(db, acme, "GB-LATER", day(4, 1), Decimal("77.00"), currency="GBP")
    return acme


async def test_a_statement_is_for_finance_roles_of_the_account(gql, db):
    acme = await _pounds(db)
    variables = {"id": encode("Account", acme.id), "from": "2026-02-01", "to": "2026-03-31", "currency": "GBP"}
    for who in ("buyer@acme.example", "viewer@acme.example", "approver@acme.example"):
        body = await gql(STATEMENT, variables, as_=who)
        assert body["data"]["node"] == {"statement": None} and codes(body) == ["FORBIDDEN"], who
    body = await gql(STATEMENT, variables, as_="admin@globex.example")
    assert body["data"]["node"] is None and codes(body) == ["NOT_FOUND"]
    for who in (AP, "admin@acme.example"):
        body = await gql(STATEMENT, variables, as_=who)
        assert "errors" not in body, body["errors"]
        assert body["data"]["node"]["statement"]["closingBalance"] == {"amount": "145.00"}


async def test_closing_is_opening_plus_invoices_less_payments_and_credit_notes(gql, db):
    acme = await _pounds(db)
    body = await gql(STATEMENT, {"id": encode("Account", acme.id), "from": "2026-02-01", "to": "2026-03-31",
                                 "currency": "gbp"}, as_=AP)
    assert "errors" not in body, body["errors"]
    s = body["data"]["node"]["statement"]
    amount = lambda k: Decimal(s[k]["amount"])  # noqa: E731
    assert (s["currencyCode"], s["from"], s["to"]) == ("GBP", "2026-02-01", "2026-03-31")
    assert amount("openingBalance") == Decimal("600.00")  # GB-1 less its first payment
    assert [(line["kind"], line["reference"], line["invoiceNumber"], line["debit"]["amount"], line["credit"]["amount"],
             line["balance"]["amount"]) for line in s["lines"]] == [
        ("INVOICE", "GB-2", "GB-2", "220.00", "0.00", "820.00"),
        ("PAYMENT", "W-600", "GB-1", "0.00", "600.00", "220.00"),
        ("CREDIT_NOTE", "CN-1", "GB-2", "0.00", "55.00", "165.00"),
        ("CREDIT_NOTE", "CN-2", "GB-1", "0.00", "110.00", "55.00"),
        ("REFUND", "CN-2", "GB-1", "110.00", "0.00", "165.00"),
        ("ADJUSTMENT", "goodwill", None, "0.00", "20.00", "145.00"),
    ]
    assert [amount(k) for k in ("totalInvoiced", "totalPaid", "totalCredited", "totalRefunded", "totalAdjusted")] == \
        [Decimal("220.00"), Decimal("600.00"), Decimal("165.00"), Decimal("110.00"), Decimal("-20.00")]
    assert amount("closingBalance") == amount("openingBalance") + amount("totalInvoiced") - amount("totalPaid") \
        - amount("totalCredited") + amount("totalRefunded") + amount("totalAdjusted") == Decimal("145.00")
    assert s["lines"][-1]["balance"] == s["closingBalance"]
    # What GB-2 still has due (165) less the account's credit (20): what the account owes.
    assert amount("closingBalance") == Decimal("165.00") - Decimal("20.00")


async def test_periods_join_up_and_today_s_closing_is_what_is_owed_less_credit(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    owed = sum((i.amount_due for i in await invoices_of(db, acme)
                if i.currency == "USD" and i.status in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE)), Decimal(0))
    async with db.session() as s:
        credit = (await s.exec(select(func.coalesce(func.sum(AccountCreditTransaction.amount), 0)).where(
            AccountCreditTransaction.account_id == acme.id, AccountCreditTransaction.currency == "USD"))).one()
    variables = {"id": encode("Account", acme.id)}
    halves = []
    for start, end in (("2025-01-01", "2025-12-31"), ("2026-01-01", NOW.date().isoformat())):
        body = await gql(STATEMENT, {**variables, "from": start, "to": end}, as_=AP)
        assert "errors" not in body, body["errors"]
        halves.append(body["data"]["node"]["statement"])
    assert halves[0]["closingBalance"]["amount"] == halves[1]["openingBalance"]["amount"]
    assert all(h["currencyCode"] == "USD" and h["lines"] for h in halves)
    # What the open and uncollectible invoices have due, less the account's unused credit (the demo has some).
    assert credit > 0
    assert Decimal(halves[1]["closingBalance"]["amount"]) == (owed - Decimal(credit)).quantize(Decimal("0.01"))


async def test_a_bad_period_is_refused(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    for start, end, currency in (("2026-03-01", "2026-02-01", None), ("2020-01-01", "2026-01-01", None),
                                 ("2026-01-01", "2026-01-31", "dollars"), ("2026-01-01", "2026-01-31", "U$D")):
        body = await gql(STATEMENT, {"id": encode("Account", acme.id), "from": start, "to": end,
                                     "currency": currency}, as_=AP)
        assert codes(body) == ["BAD_USER_INPUT"], body


async def test_statement_sql_does_not_grow_with_its_lines(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    counts = {}
    for start in ("2026-06-01", "2024-07-01"):
        body = await gql(STATEMENT, {"id": encode("Account", acme.id), "from": start, "to": "2026-06-30"}, as_=AP)
        assert "errors" not in body, body["errors"]
        counts[len(body["data"]["node"]["statement"]["lines"])] = body["_statements"]
    assert len(counts) == 2 and len(set(counts.values())) == 1, counts
