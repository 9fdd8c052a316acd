"""The emails about invoices, to the people who pay them: an invoice issued (with a link to its
PDF), a reminder some days before the due date and one once it is overdue (queued by the worker,
once each), and a credit note issued.

They go to the account's ACCOUNTS_PAYABLE members (account-wide or at the invoice's location),
or to its ADMINs when it has none: never to buyers or viewers, who may not see invoices. Each in
the recipient's language (the user's locale, else the account's), amounts and dates formatted
for it, queued in the outbox in the transaction that causes them."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from db.engine import Database
from db.enums import InvoiceReminderKind, Role
from db.models import CreditNote, Invoice, OutboxMessage, Payment
from db.repositories import invoice_mail as repo
from db.repositories.invoice_mail import Payer
from domain.clock import Clock
from domain.mail import enqueue_all, message
from i18n.formatting import format_date, format_money

if TYPE_CHECKING:  # domain.invoicing calls issued() below
    from domain.invoicing import MerchantSettings

REMINDER_TEMPLATES = {InvoiceReminderKind.DUE_SOON: "invoice_due_soon",
                      InvoiceReminderKind.OVERDUE: "invoice_overdue"}
BATCH = 100


def global_id(type_name: str, pk: int) -> str:
    """The object's global ID, as the API shows it (resolvers/globalid.encode, which domain may
    not import; a test checks that they agree)."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def document_url(merchant: MerchantSettings, folder: str, type_name: str, pk: int) -> str:
    """The PDF of an issued document on this server: /documents/invoices/<global id>.pdf. The
    route asks the reader to sign in and checks their role, so the link itself gives nothing away."""
    return f"{merchant.public_url.rstrip('/')}/documents/{folder}/{global_id(type_name, pk)}.pdf"


def recipients(payers: list[Payer], account_id: int, location_id: int | None) -> list[Payer]:
    """Who gets an email about a document of the account at the location (see the module)."""
    fitting = [p for p in payers if p.account.id == account_id
               and (p.location_id is None or p.location_id == location_id)]
    for role in (Role.ACCOUNTS_PAYABLE, Role.ADMIN):
        chosen = list({p.user.id: p for p in fitting if p.role is role}.values())
        if chosen:
            return chosen
    return []


def _locale(payer: Payer) -> str:
    return payer.user.locale or payer.account.locale or "en"


def _mail(payer: Payer, template: str, now: datetime, **params: Any) -> OutboxMessage:
    return message(to=payer.user.email, template=template, now=now, locale=_locale(payer), name=payer.user.name,
                   account=payer.account.name, **params)


def _invoice_params(invoice: Invoice, merchant: MerchantSettings, locale: str) -> dict[str, str]:
    return {"number": invoice.number, "total": format_money(invoice.total, invoice.currency, locale),
            "amount_due": format_money(invoice.amount_due, invoice.currency, locale),
            "due_date": format_date(invoice.due_date, locale, "long"), "po_number": invoice.po_number or "-",
            # Not named `link`: that one is a sign-in secret, dropped once sent; this one is not.
            "pdf_url": document_url(merchant, "invoices", "Invoice", invoice.id)}  # type: ignore[arg-type]


async def issued(session: Any, invoice: Invoice, merchant: MerchantSettings, now: datetime) -> None:
    """Queue the 'invoice issued' email; call it in the transaction that issues the invoice."""
    payers = recipients(await repo.payers(session, [invoice.account_id]), invoice.account_id, invoice.location_id)
    await enqueue_all(session, [_mail(p, "invoice_issued", now, **_invoice_params(invoice, merchant, _locale(p)))
                                for p in payers])


async def credit_note_issued(session: Any, note: CreditNote, invoice: Invoice, merchant: MerchantSettings,
                             now: datetime) -> None:
    """Queue the 'credit note issued' email; call it in the transaction that issues the note."""
    pdf_url = document_url(merchant, "credit-notes", "CreditNote", note.id)  # type: ignore[arg-type]
    payers = recipients(await repo.payers(session, [note.account_id]), note.account_id, note.location_id)
    mails = []
    for p in payers:
        locale = _locale(p)
        amounts = {key: format_money(getattr(note, f"amount_{key}"), note.currency, locale)
                   for key in ("applied", "credited", "refunded")}
        mails.append(_mail(p, "credit_note_issued", now, number=note.number, invoice_number=invoice.number,
                           amount=format_money(note.total, note.currency, locale),
                           date=format_date(note.issued_at.date(), locale, "long"), pdf_url=pdf_url,
                           amount_due=format_money(invoice.amount_due, invoice.currency, locale), **amounts))
    await enqueue_all(session, mails)


async def receipt(session: Any, payments: list[Payment], merchant: MerchantSettings, now: datetime) -> None:
    """Queue the receipt email of a successful payment (its rows, one per invoice paid); call it in
    the transaction that records the payment."""
    first = payments[0]
    numbers = await repo.invoice_numbers(session, [p.invoice_id for p in payments])
    total = sum((p.amount for p in payments), Decimal(0))
    pdf_url = document_url(merchant, "receipts", "Payment", first.id)  # type: ignore[arg-type]
    method = f"{first.card_brand} •••• {first.card_last4}" if first.card_last4 else "account credit"
    payers = recipients(await repo.payers(session, [first.account_id]), first.account_id, None)
    await enqueue_all(session, [
        _mail(p, "payment_receipt", now, number=first.receipt_number, amount=format_money(total, first.currency,
              _locale(p)), date=format_date(first.created_at.date(), _locale(p), "long"), method=method,
              invoices=", ".join(numbers), pdf_url=pdf_url) for p in payers])


@dataclass
class Reminded:
    invoices: int = 0  # reminders decided (each once per invoice and kind)
    emails: int = 0    # emails queued for them


async def send_reminders(db: Database, clock: Clock, merchant: MerchantSettings, *, batch: int = BATCH) -> Reminded:
    """Queue the reminders that are due now: one pass of the worker, in transactions of `batch`
    invoices (a fixed number of statements each). Several workers may run it at once."""
    now = clock.now()
    result = Reminded()
    for kind in InvoiceReminderKind:
        while True:
            async with db.transaction() as session:
                taken = await _remind(session, kind, merchant, now, batch, result)
            if taken < batch:
                break
    return result


async def _remind(session: Any, kind: InvoiceReminderKind, merchant: MerchantSettings, now: datetime,
                  batch: int, result: Reminded) -> int:
    today = now.date()
    window = timedelta(days=merchant.reminder_days)
    invoices = await repo.reminder_candidates(session, kind, today, today + window, batch)
    if not invoices:
        return 0
    payers = await repo.payers(session, {i.account_id for i in invoices})
    planned: dict[int, list[Payer]] = {}
    for invoice in invoices:
        # An invoice issued inside the window needs no reminder: its own email gave the due date.
        early = kind is InvoiceReminderKind.DUE_SOON and invoice.issued_at.date() >= invoice.due_date - window
        planned[invoice.id] = [] if early else recipients(payers, invoice.account_id, invoice.location_id)  # type: ignore[index]
    mine = await repo.mark_reminded(session, kind, {pk: len(to) for pk, to in planned.items()}, now)
    mails = [_mail(p, REMINDER_TEMPLATES[kind], now, **_invoice_params(invoice, merchant, _locale(p)))
             for invoice in invoices if invoice.id in mine  # else another worker reminded of it
             for p in planned[invoice.id]]  # type: ignore[index]
    await enqueue_all(session, mails)
    result.invoices += len(mine)
    result.emails += len(mails)
    return len(invoices)
