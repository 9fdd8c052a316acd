"""`portalql worker` (server/worker.py) queues the invoice reminders that are due, also without an
SMTP server (development: they stay in the outbox), and a second pass queues none again."""
from datetime import datetime, timedelta, timezone

from sqlmodel import delete, select

from db.enums import InvoiceReminderKind, InvoiceStatus
from db.models import Invoice, InvoiceReminder, OutboxMessage
from server.settings import Settings
from server.worker import run_worker


async def overdue_unreminded(db) -> set[str]:  # type: ignore[no-untyped-def]
    """Numbers of open, owing invoices due before today (the worker's clock is the system's) that
    have had no overdue reminder."""
    reminded = select(InvoiceReminder.invoice_id).where(InvoiceReminder.kind == InvoiceReminderKind.OVERDUE)
    async with db.session() as s:
        return set((await s.exec(select(Invoice.number).where(
            Invoice.status == InvoiceStatus.OPEN, Invoice.amount_due > 0,
            Invoice.due_date < datetime.now(timezone.utc).date(), Invoice.id.not_in(reminded)))).all())


async def overdue_mails(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return list((await s.exec(select(OutboxMessage).where(OutboxMessage.template == "invoice_overdue"))).all())


async def test_the_worker_queues_due_reminders_once_without_smtp(db, capsys):
    async with db.transaction() as s:  # an invoice that fell due yesterday
        invoice = (await s.exec(select(Invoice).order_by(Invoice.id))).first()
        invoice.status, invoice.amount_due = InvoiceStatus.OPEN, invoice.total
        invoice.due_date = datetime.now(timezone.utc).date() - timedelta(days=1)
        s.add(invoice)
        await s.exec(delete(InvoiceReminder).where(InvoiceReminder.invoice_id == invoice.id))
    expected = await overdue_unreminded(db)
    assert invoice.number in expected
    settings = Settings(database_url=db.url, smtp_url=None)
    assert await run_worker(settings, once=True) == 0
    assert "invoice reminders are still queued" in capsys.readouterr().out
    first = await overdue_mails(db)
    assert {m.params["number"] for m in first} == expected and await overdue_unreminded(db) == set()
    assert all(m.status == "PENDING" for m in first)  # no SMTP: they wait in the outbox
    assert await run_worker(settings, once=True) == 0
    assert len(await overdue_mails(db)) == len(first)
