"""Two people acting on one invoice at once on PostgreSQL: the invoice is read under lock, so the
second decides on what the first committed and gets the userError it would get one after the other."""
import asyncio
from decimal import Decimal

import pytest
from sqlmodel import select

from db.enums import InvoiceStatus
from db.models import Account, CreditNote, Invoice
from resolvers.globalid import encode
from tests.ordering_support import ADMIN, AP, STAFF_ADMIN, count, data, error_codes
from tests.schema.test_invoicing import CREDIT, REISSUE

pytestmark = pytest.mark.postgres


async def _open_invoice(db) -> Invoice:
    async with db.session() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        return (await s.exec(select(Invoice).where(Invoice.account_id == acme.id, Invoice.order_id.is_not(None),
                                                   Invoice.status == InvoiceStatus.OPEN, Invoice.amount_credited == 0)
                             .order_by(Invoice.id))).first()


async def test_two_credit_notes_for_what_is_left_at_once_issue_one(gql, db):
    invoice = await _open_invoice(db)
    await gql("{ viewer { name } }", as_=STAFF_ADMIN)
    whole = {"invoiceId": encode("Invoice", invoice.id), "reason": "CORRECTION", "amount": str(invoice.total)}
    results = await asyncio.gather(*(gql(CREDIT, {"input": whole}, as_=STAFF_ADMIN) for _ in range(2)))
    outcomes = sorted(tuple(error_codes(data(r, "staffCreditNoteCreate"))) for r in results)
    assert outcomes == [(), ("EXCEEDS_CREDITABLE",)]
    assert await count(db, CreditNote, CreditNote.invoice_id == invoice.id) == 1
    async with db.session() as s:
        after = (await s.exec(select(Invoice).where(Invoice.id == invoice.id))).one()
    assert after.amount_credited == invoice.total and after.amount_due == Decimal(0)


async def test_two_reissues_of_one_invoice_at_once_make_one_new_invoice(gql, db):
    invoice = await _open_invoice(db)
    for who in (AP, ADMIN):
        await gql("{ viewer { name } }", as_=who)
    results = await asyncio.gather(*(gql(REISSUE, {"input": {"id": encode("Invoice", invoice.id)}}, as_=who)
                                     for who in (AP, ADMIN)))
    outcomes = sorted(tuple(error_codes(data(r, "invoiceReissue"))) for r in results)
    assert outcomes == [(), ("ALREADY_REISSUED",)]
    assert await count(db, Invoice, Invoice.reissued_from_id == invoice.id) == 1
    assert await count(db, CreditNote, CreditNote.invoice_id == invoice.id) == 1
