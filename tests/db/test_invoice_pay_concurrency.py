"""Twenty retries of one payment at once on PostgreSQL: the idempotency key's row makes them wait for
the first, which charges the card once; the others answer its result."""
import asyncio
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlmodel import select

from db.enums import InvoiceStatus
from db.models import Account, Invoice, Payment, PaymentMethod
from resolvers.globalid import encode
from tests.invoice_factories import add_invoice

pytestmark = pytest.mark.postgres

PAY = """mutation($input: InvoicePayInput!) { invoicePay(input: $input) {
  payments { id } replayed userErrors { code } } }"""


async def test_twenty_retries_of_a_payment_charge_once_and_write_one_set_of_rows(gql, db, app):
    async with db.session() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        card = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == acme.id,
                                                         PaymentMethod.is_default))).one()
    issued = datetime(2026, 11, 1, tzinfo=timezone.utc)
    invoices = [await add_invoice(db, acme, f"INV-C-{n}", issued, Decimal("75.00")) for n in (1, 2)]
    variables = {"input": {"accountId": encode("Account", acme.id), "idempotencyKey": "retry-me",
                           "paymentMethodId": encode("PaymentMethod", card.id),
                           "invoices": [{"invoiceId": encode("Invoice", i.id)} for i in invoices]}}
    await gql("{ viewer { name } }", as_="ap@acme.example")  # the session first, so the retries start together
    results = await asyncio.gather(*(gql(PAY, variables, as_="ap@acme.example") for _ in range(20)))
    payloads = [r["data"]["invoicePay"] for r in results]
    done = [p for p in payloads if not p["userErrors"]]
    # A retry that arrives while the first still runs waits for it (PostgreSQL), then replays it.
    assert len(done) == 20 and sum(not p["replayed"] for p in done) == 1
    assert len({tuple(x["id"] for x in p["payments"]) for p in done}) == 1
    assert [c for c in app.state.gateway.calls if c[0] == "charge"] == [("charge", card.gateway_method_id)]
    async with db.session() as s:
        rows = (await s.exec(select(Payment).where(Payment.invoice_id.in_([i.id for i in invoices])))).all()
        states = (await s.exec(select(Invoice.status).where(Invoice.id.in_([i.id for i in invoices])))).all()
    assert len(rows) == 2 and set(states) == {InvoiceStatus.PAID}
