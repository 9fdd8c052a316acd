"""GET /documents/receipts/{payment id}.pdf: the receipt of a payment of two invoices, in the reader's
language or the one asked for, for who sees the invoices (404 for everybody else)."""
from datetime import datetime, timezone
from decimal import Decimal

from sqlmodel import select

from db.models import Account, PaymentMethod
from i18n.formatting import format_money
from resolvers.globalid import encode
from tests.conftest import make_token
from tests.invoice_factories import add_invoice
from tests.pdf_support import text_of
from tests.server.helpers import get

PAY = """mutation($input: InvoicePayInput!) { invoicePay(input: $input) {
  payments { id receiptNumber } userErrors { code } } }"""


async def test_the_receipt_of_a_payment_of_two_invoices_in_english_and_german(docs, db, clock):
    async with db.session() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        card = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == acme.id,
                                                         PaymentMethod.is_default))).one()
    issued = datetime(2026, 11, 1, tzinfo=timezone.utc)
    invoices = [await add_invoice(db, acme, f"INV-R-{n}", issued, Decimal(total))
                for n, total in ((1, "1200.00"), (2, "99.90"))]
    token = await make_token(db, "ap@acme.example", clock.now())
    answer = await docs.post("/graphql", headers={"authorization": f"Bearer {token}"}, json={"query": PAY, "variables": {
        "input": {"accountId": encode("Account", acme.id), "idempotencyKey": "receipt-1",
                  "paymentMethodId": encode("PaymentMethod", card.id),
                  "invoices": [{"invoiceId": encode("Invoice", invoices[0].id), "amount": "200.00"},
                               {"invoiceId": encode("Invoice", invoices[1].id)}]}}})
    paid = answer.json()["data"]["invoicePay"]
    assert paid["userErrors"] == []
    number = paid["payments"][0]["receiptNumber"]
    path = f"/documents/receipts/{paid['payments'][1]['id']}.pdf"  # any row of the payment: the same receipt
    for who in ("buyer@acme.example", "viewer@acme.example", "admin@globex.example"):
        assert (await get(docs, db, clock, path, who)).status_code == 404, who
    for locale, words in (("en", ("Receipt", "Amount received", "Card")), ("de", ("Zahlungsbestätigung",
                                                                                  "Erhaltener Betrag", "Karte"))):
        ok = await get(docs, db, clock, path, "ap@acme.example", locale=locale)
        assert ok.status_code == 200 and ok.headers["content-language"] == locale
        text = text_of(ok.content)
        for expected in (*words, number, "INV-R-1", "INV-R-2", "visa", "4242",
                         format_money(Decimal("299.90"), acme.currency, locale).replace("\xa0", " "),
                         format_money(Decimal("1000.00"), acme.currency, locale).replace("\xa0", " ")):
            assert expected in text, (locale, expected, text)
