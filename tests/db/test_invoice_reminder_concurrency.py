"""Two workers on one PostgreSQL send each invoice reminder once: they claim invoices with
FOR UPDATE SKIP LOCKED, and the reminder's unique key decides when both reach one."""
import asyncio
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlmodel import delete, func, select

from db.engine import Database
from db.enums import InvoiceReminderKind, InvoiceStatus
from db.models import Invoice, InvoiceReminder, OutboxMessage
from domain.invoice_mail import send_reminders
from domain.invoicing import MerchantSettings

pytestmark = pytest.mark.postgres


async def test_two_workers_remind_of_each_invoice_once(db, clock):
    today = clock.now().date()
    async with db.transaction() as s:  # every invoice open, owing, and due the day after tomorrow
        await s.exec(delete(InvoiceReminder))
        invoices = (await s.exec(select(Invoice))).all()
        for invoice in invoices:
            invoice.status, invoice.amount_due, invoice.due_date = InvoiceStatus.OPEN, invoice.total, \
                today + timedelta(days=2)
            invoice.issued_at = datetime.combine(today - timedelta(days=20), time(9), tzinfo=timezone.utc)
            s.add(invoice)
    assert len(invoices) > 20
    workers = [Database(db.url) for _ in range(2)]  # two processes: an engine each
    try:
        for kind, days in ((InvoiceReminderKind.DUE_SOON, 0), (InvoiceReminderKind.OVERDUE, 3)):
            clock.advance(days=days)
            results = await asyncio.gather(*(send_reminders(w, clock, MerchantSettings(), batch=4)
                                             for w in workers for _ in range(2)))
            assert sum(r.invoices for r in results) == len(invoices)
            async with db.session() as s:
                marks = (await s.exec(select(InvoiceReminder.invoice_id, func.count()).where(InvoiceReminder.kind == kind)
                                      .group_by(InvoiceReminder.invoice_id))).all()
                template = "invoice_due_soon" if kind is InvoiceReminderKind.DUE_SOON else "invoice_overdue"
                mails = (await s.exec(select(OutboxMessage).where(OutboxMessage.template == template))).all()
            assert len(marks) == len(invoices) and {n for _, n in marks} == {1}
            assert len(mails) == sum(r.emails for r in results) >= len(invoices)
            numbers = [(m.to_address, m.params["number"]) for m in mails]
            assert len(numbers) == len(set(numbers))  # nobody got one reminder twice
    finally:
        for w in workers:
            await w.dispose()
