"""Invoice emails: issued (with a link to the PDF), a reminder before the due date and one when
overdue (each once, whatever the number of worker passes), credit note issued. Each goes to the
account's ACCOUNTS_PAYABLE members (ADMINs when it has none), never to a BUYER or VIEWER, in the
recipient's language with amounts and dates formatted for it."""
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import delete, select

from db.engine import count_statements
from db.enums import CreditNoteReason, InvoiceReminderKind, InvoiceStatus, Role
from db.models import (Account, Invoice, InvoiceLine, InvoiceReminder, Location, Membership, MembershipRole, Order,
                       OutboxMessage, User)
from db.repositories.billing import lock_invoice
from db.repositories.invoice_mail import mark_reminded
from domain import invoice_mail
from domain.invoice_mail import send_reminders
from domain.invoicing import MerchantSettings, credit_notes, finalize
from domain.invoicing.credit_notes import CreditAsk
from i18n.formatting import format_date, format_money
from i18n.mail import render
from resolvers.globalid import encode
from tests.mailbox import body_of
from tests.ordering_support import AP, BUYER, ORDER_PLACE, data, new_cart, plain

ROOT = Path(__file__).resolve().parents[2] / "i18n" / "mail"
TEMPLATES = ("invoice_issued", "invoice_due_soon", "invoice_overdue", "credit_note_issued")
PARAMS = {"name": "Jo", "account": "Acme", "number": "INV-1", "total": "12,00 €", "amount_due": "6,00 €",
          "due_date": "1. Juli 2026", "po_number": "-", "pdf_url": "http://x/documents/invoices/SW52b2ljZTox.pdf",
          "invoice_number": "INV-1", "amount": "3,00 €", "date": "1. Juni 2026", "applied": "3,00 €",
          "credited": "0,00 €", "refunded": "0,00 €"}
MERCHANT = MerchantSettings(public_url="https://portal.example.com/", reminder_days=3)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("locale", ["en", "de"])
def test_template_renders(template, locale):
    text = (ROOT / template / f"{locale}.txt").read_text(encoding="utf-8")
    subject, blank, *body = text.format_map(PARAMS).split("\n")
    assert subject.startswith("Subject: ") and "INV-1" in subject and blank == ""
    assert "http://x/documents/" in "\n".join(body) and "{" not in text.format_map(PARAMS)


def test_links_use_the_apis_global_ids():
    assert invoice_mail.global_id("Invoice", 123) == encode("Invoice", 123)
    assert invoice_mail.document_url(MERCHANT, "invoices", "Invoice", 7) == \
        f"https://portal.example.com/documents/invoices/{encode('Invoice', 7)}.pdf"


async def outbox(db, template, *where):  # type: ignore[no-untyped-def]
    async with db.session() as s:
        stmt = select(OutboxMessage).where(OutboxMessage.template == template, *where).order_by(OutboxMessage.id)
        return list((await s.exec(stmt)).all())


async def for_invoice(db, template, invoice):  # type: ignore[no-untyped-def]
    return [m for m in await outbox(db, template) if m.params["number"] == invoice.number]


async def invoices_of(db, account_name, *where):  # type: ignore[no-untyped-def]
    async with db.session() as s:
        stmt = (select(Invoice).join(Account, Account.id == Invoice.account_id)
                .where(Account.name == account_name, *where).order_by(Invoice.id))
        return list((await s.exec(stmt)).all())


async def open_invoices(db, account_name):  # type: ignore[no-untyped-def]
    """The account's open invoices with something due, oldest first."""
    return await invoices_of(db, account_name, Invoice.status == InvoiceStatus.OPEN, Invoice.amount_due > 0)


async def falling_due(db, invoice, due, issued, **changes):  # type: ignore[no-untyped-def]
    """The invoice issued and due on those days, not reminded of yet."""
    async with db.transaction() as s:
        row = await s.get(Invoice, invoice.id)
        row.due_date, row.issued_at = due, datetime.combine(issued, time(9), tzinfo=timezone.utc)
        for key, value in changes.items():
            setattr(row, key, value)
        s.add(row)
        await s.exec(delete(InvoiceReminder).where(InvoiceReminder.invoice_id == invoice.id))
    return row


async def set_locale(db, email, locale):  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        user = (await s.exec(select(User).where(User.email == email))).one()
        user.locale = locale
        s.add(user)


async def test_placing_an_order_mails_the_invoice_to_accounts_payable_not_the_buyer(gql, db, clock, deliver, smtp):
    variant = await plain(db)
    cart = await new_cart(gql, db, [{"sku": variant.sku, "quantity": 3}])
    placed = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "im-1", "cartId": cart["id"]}}, as_=BUYER),
                  "orderPlace")
    assert placed["userErrors"] == [] and placed["order"]["status"] == "OPEN"
    async with db.session() as s:
        order = (await s.exec(select(Order).where(Order.number == placed["order"]["number"]))).one()
        invoice = (await s.exec(select(Invoice).where(Invoice.order_id == order.id))).one()
    messages = await for_invoice(db, "invoice_issued", invoice)
    assert [m.to_address for m in messages] == [AP]  # not the buyer, nor the ADMIN: Acme has an AP
    assert messages[0].locale == "en"
    assert messages[0].params["total"] == format_money(invoice.total, "USD", "en") and "$" in messages[0].params["total"]
    await deliver()
    received = smtp.last(AP)
    # strip(): the stdlib folds a subject over 78 characters before its first word (" Invoice ...").
    assert received["Subject"].strip() == (f"Invoice {invoice.number} for Acme Industrial: "
                                   f"{format_money(invoice.amount_due, 'USD', 'en')} due on "
                                   f"{format_date(invoice.due_date, 'en', 'long')}")
    assert f"http://localhost:8000/documents/invoices/{encode('Invoice', invoice.id)}.pdf" in body_of(received)
    # The buyer has its order's confirmation only, with no invoice.
    assert [m["Subject"].startswith("Order ") for m in smtp.to(BUYER)] == [True]
    assert smtp.to("admin@acme.example") == []
    [sent] = await for_invoice(db, "invoice_issued", invoice)
    assert sent.status == "SENT" and sent.params["pdf_url"] in body_of(received)  # no secret: kept once sent


async def test_an_account_without_accounts_payable_gets_it_at_its_admins_in_their_language(db, clock):
    invoice = (await invoices_of(db, "Globex GmbH"))[0]
    async with db.transaction() as s:
        await invoice_mail.issued(s, await s.get(Invoice, invoice.id), MERCHANT, clock.now())
    messages = await for_invoice(db, "invoice_issued", invoice)
    assert [(m.to_address, m.locale) for m in messages] == [("admin@globex.example", "de")]  # not its BUYER
    assert messages[0].params["amount_due"] == format_money(invoice.amount_due, "EUR", "de")
    assert messages[0].params["amount_due"].endswith("\xa0€") and "," in messages[0].params["amount_due"]
    assert messages[0].params["pdf_url"] == f"https://portal.example.com/documents/invoices/{encode('Invoice', invoice.id)}.pdf"


async def test_the_users_locale_comes_before_the_accounts(db, clock):
    await set_locale(db, AP, "de_AT")
    invoice = (await open_invoices(db, "Acme Industrial"))[0]
    async with db.transaction() as s:
        await invoice_mail.issued(s, invoice, MERCHANT, clock.now())
    [message] = await for_invoice(db, "invoice_issued", invoice)
    assert message.to_address == AP and message.locale == "de_AT"
    assert message.params["total"] == format_money(invoice.total, "USD", "de_AT")
    assert message.params["due_date"] == format_date(invoice.due_date, "de_AT", "long")


async def test_accounts_payable_at_a_location_gets_that_locations_invoices_only(db, clock):
    async with db.transaction() as s:
        austin = (await s.exec(select(Location).where(Location.name == "Austin Warehouse"))).one()
        viewer = (await s.exec(select(User).where(User.email == "viewer@acme.example"))).one()
        membership = (await s.exec(select(Membership).where(Membership.user_id == viewer.id))).one()
        s.add(MembershipRole(membership_id=membership.id, role=Role.ACCOUNTS_PAYABLE, location_id=austin.id))
    invoices = await invoices_of(db, "Acme Industrial")
    at_austin = next(i for i in invoices if i.location_id == austin.id)
    elsewhere = next(i for i in invoices if i.location_id != austin.id)
    async with db.transaction() as s:
        for invoice in (at_austin, elsewhere):
            await invoice_mail.issued(s, invoice, MERCHANT, clock.now())
    assert sorted(m.to_address for m in await for_invoice(db, "invoice_issued", at_austin)) == \
        [AP, "viewer@acme.example"]
    assert [m.to_address for m in await for_invoice(db, "invoice_issued", elsewhere)] == [AP]


async def test_reminders_before_the_due_date_and_when_overdue_are_sent_once_each(db, clock, deliver, smtp):
    today = clock.now().date()
    invoice = await falling_due(db, (await open_invoices(db, "Acme Industrial"))[0], today + timedelta(days=10),
                                today - timedelta(days=20))
    await send_reminders(db, clock, MERCHANT)
    assert await for_invoice(db, "invoice_due_soon", invoice) == []  # 10 days before: not yet

    clock.advance(days=6)  # four days before
    await send_reminders(db, clock, MERCHANT)
    assert await for_invoice(db, "invoice_due_soon", invoice) == []
    clock.advance(days=1)  # three days before
    for _ in range(3):
        await send_reminders(db, clock, MERCHANT)
    [soon] = await for_invoice(db, "invoice_due_soon", invoice)
    assert soon.to_address == AP and soon.params["amount_due"] == format_money(invoice.amount_due, "USD", "en")
    await deliver()
    assert smtp.last(AP)["Subject"].strip() == (f"Reminder: invoice {invoice.number} is due on "
                                        f"{format_date(invoice.due_date, 'en', 'long')}")

    clock.advance(days=3)  # the due date: not overdue yet
    await send_reminders(db, clock, MERCHANT)
    assert await for_invoice(db, "invoice_overdue", invoice) == []
    clock.advance(days=1)
    for _ in range(3):
        await send_reminders(db, clock, MERCHANT)
        clock.advance(days=2)
    [overdue] = await for_invoice(db, "invoice_overdue", invoice)
    assert overdue.to_address == AP and len(await for_invoice(db, "invoice_due_soon", invoice)) == 1
    await deliver()
    assert smtp.last(AP)["Subject"].strip().startswith(f"Overdue: invoice {invoice.number}, ")
    async with db.session() as s:
        marks = (await s.exec(select(InvoiceReminder).where(InvoiceReminder.invoice_id == invoice.id))).all()
    assert sorted((m.kind, m.recipients) for m in marks) == [(InvoiceReminderKind.DUE_SOON, 1),
                                                            (InvoiceReminderKind.OVERDUE, 1)]


async def test_no_reminder_for_paid_void_or_settled_invoices(db, clock):
    today = clock.now().date()
    candidates = (await invoices_of(db, "Acme Industrial"))[:4]
    paid, void, settled, owing = [
        await falling_due(db, invoice, today + timedelta(days=2), today - timedelta(days=30), **changes)
        for invoice, changes in zip(candidates, (
            {"status": InvoiceStatus.PAID, "amount_due": Decimal(0)},
            {"status": InvoiceStatus.VOID, "amount_due": Decimal(0)},
            {"status": InvoiceStatus.OPEN, "amount_due": Decimal(0)},
            {"status": InvoiceStatus.OPEN, "amount_due": Decimal("12.34")}))]
    await send_reminders(db, clock, MERCHANT)
    clock.advance(days=5)
    await send_reminders(db, clock, MERCHANT)
    for invoice in (paid, void, settled):
        assert await for_invoice(db, "invoice_due_soon", invoice) == []
        assert await for_invoice(db, "invoice_overdue", invoice) == []
    assert len(await for_invoice(db, "invoice_due_soon", owing)) == 1
    assert len(await for_invoice(db, "invoice_overdue", owing)) == 1


async def test_an_invoice_issued_inside_the_window_gets_no_reminder_before_its_due_date(db, clock):
    today = clock.now().date()
    invoice = await falling_due(db, (await open_invoices(db, "Acme Industrial"))[0], today + timedelta(days=2),
                                today - timedelta(days=1))
    await send_reminders(db, clock, MERCHANT)
    await send_reminders(db, clock, MERCHANT)
    assert await for_invoice(db, "invoice_due_soon", invoice) == []  # its own email gave the due date
    clock.advance(days=3)
    await send_reminders(db, clock, MERCHANT)
    assert len(await for_invoice(db, "invoice_overdue", invoice)) == 1


async def test_a_reminder_pass_runs_the_same_statements_whatever_the_batch_size(db, clock):
    today = clock.now().date()
    acme, globex = await invoices_of(db, "Acme Industrial"), await invoices_of(db, "Globex GmbH")
    async with db.transaction() as s:  # nothing else falls due
        await s.exec(delete(InvoiceReminder))
        for invoice in (await s.exec(select(Invoice).where(Invoice.status == InvoiceStatus.OPEN))).all():
            invoice.due_date = today + timedelta(days=30)
            s.add(invoice)
    for invoice in acme[:4] + globex[:4]:  # open and owing, due tomorrow
        await falling_due(db, invoice, today + timedelta(days=1), today - timedelta(days=20),
                          status=InvoiceStatus.OPEN, amount_due=invoice.total)

    async def one_batch(size: int) -> tuple[int, int]:
        with count_statements() as counter:
            async with db.transaction() as s:
                taken = await invoice_mail._remind(s, InvoiceReminderKind.DUE_SOON, MERCHANT, clock.now(), size,
                                                   invoice_mail.Reminded())
        return taken, counter.count
    small, large = await one_batch(2), await one_batch(6)
    assert small[0] == 2 and large[0] == 6  # both full batches, of two accounts with their own recipients
    assert small[1] == large[1], (small, large)
    assert len(await outbox(db, "invoice_due_soon")) == 8


async def draft_of_acme(db, now):  # type: ignore[no-untyped-def]
    """A draft invoice of Acme's at Denver Plant: 4 × 25.00 plus 7.25 % tax."""
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        denver = (await s.exec(select(Location).where(Location.name == "Denver Plant"))).one()
        invoice = Invoice(account_id=acme.id, location_id=denver.id, status=InvoiceStatus.DRAFT, currency="USD",
                          subtotal=Decimal("100.00"), tax=Decimal("7.25"), total=Decimal("107.25"),
                          amount_due=Decimal("107.25"), issued_at=now, due_date=now.date())
        s.add(invoice)
        await s.flush()
        s.add(InvoiceLine(invoice_id=invoice.id, description="Hex Bolt / M8", quantity=4, unit_price=Decimal("25.00"),
                          amount=Decimal("100.00"), currency="USD"))
        return invoice.id


async def test_a_draft_is_mailed_when_it_is_finalised_not_before(db, clock):
    invoice_id = await draft_of_acme(db, clock.now())
    assert await outbox(db, "invoice_issued") == []
    async with db.transaction() as s:
        invoice = await finalize(s, await lock_invoice(s, invoice_id), MERCHANT, clock.now())
    [message] = await outbox(db, "invoice_issued")
    assert (message.to_address, message.params["number"]) == (AP, invoice.number)
    assert message.params["total"] == "$107.25"


async def test_credit_note_issued_goes_to_accounts_payable_in_their_language(db, clock):
    await set_locale(db, AP, "de")
    invoice_id = await draft_of_acme(db, clock.now())
    async with db.transaction() as s:
        invoice = await finalize(s, await lock_invoice(s, invoice_id), MERCHANT, clock.now())
    clock.advance(days=2)
    async with db.transaction() as s:
        note = await credit_notes.issue(s, await lock_invoice(s, invoice_id),
                                        CreditAsk(CreditNoteReason.GOODWILL, amount=Decimal("7.25")), MERCHANT,
                                        clock.now())
    [message] = await outbox(db, "credit_note_issued")
    assert message.to_address == AP and message.locale == "de"  # not the BUYER nor the ADMIN
    assert message.params["number"] == note.number and message.params["invoice_number"] == invoice.number
    assert message.params["amount"] == "7,25\xa0$" and message.params["applied"] == "7,25\xa0$"
    assert message.params["amount_due"] == "100,00\xa0$" and message.params["date"] == "17. Juni 2026"
    assert message.params["pdf_url"] == \
        f"https://portal.example.com/documents/credit-notes/{encode('CreditNote', note.id)}.pdf"
    assert render("credit_note_issued", message.locale, message.params).subject == \
        f"Gutschrift {note.number} über 7,25\xa0$ zur Rechnung {invoice.number}"


async def test_a_reminder_another_worker_wrote_first_is_not_written_again(db, clock):
    first, second = (await invoices_of(db, "Acme Industrial"))[:2]
    async with db.transaction() as s:
        await s.exec(delete(InvoiceReminder).where(InvoiceReminder.invoice_id.in_([first.id, second.id])))
    kind = InvoiceReminderKind.OVERDUE
    async with db.transaction() as s:
        assert await mark_reminded(s, kind, {first.id: 1}, clock.now()) == {first.id}
    async with db.transaction() as s:  # a worker that read `first` before that committed
        assert await mark_reminded(s, kind, {first.id: 1, second.id: 1}, clock.now()) == {second.id}
    async with db.session() as s:
        marks = (await s.exec(select(InvoiceReminder.invoice_id).where(
            InvoiceReminder.invoice_id.in_([first.id, second.id]), InvoiceReminder.kind == kind))).all()
    assert sorted(marks) == sorted([first.id, second.id])
