"""Invoices, payments, credit notes and account credit made on the spot for the search, statement and export tests, and the
invoices of an account as the database holds them (to compare an answer with)."""
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import select

from db.engine import Database
from db.enums import (AccountCreditKind, CreditNoteReason, CreditNoteStatus, InvoiceStatus, PaymentMethodKind,
                      PaymentStatus)
from db.models import AccountCreditTransaction, Account, CreditNote, Invoice, InvoiceLine, Order, Payment


async def invoices_of(db: Database, account: Account) -> list[Invoice]:
    async with db.session() as s:
        return list((await s.exec(select(Invoice).where(Invoice.account_id == account.id))).all())


async def add_invoice(db: Database, account: Account, number: str, issued: datetime, total: Decimal, *,
                      currency: str | None = None, status: InvoiceStatus = InvoiceStatus.OPEN,
                      paid: Decimal = Decimal(0), terms: int = 30, po: str | None = None,
                      location_id: int | None = None, lines: tuple[tuple[str, int, Decimal], ...] = (),
                      **extra: Any) -> Invoice:
    """An issued invoice of `total` (tax 10 % of its subtotal), with `lines` (description,
    quantity, unit price) if given, and a payment of `paid` the day after issue if any."""
    subtotal = (total / Decimal("1.1")).quantize(Decimal("0.01"))
    async with db.transaction() as s:
        invoice = Invoice(number=number, account_id=account.id, location_id=location_id, status=status,
                          currency=currency or account.currency, subtotal=subtotal, tax=total - subtotal, total=total,
                          amount_paid=paid, amount_due=Decimal(0) if status is InvoiceStatus.VOID else total - paid,
                          po_number=po, issued_at=issued, due_date=(issued + timedelta(days=terms)).date(), **extra)
        s.add(invoice)
        await s.flush()
        for position, (description, qty, unit) in enumerate(lines):
            s.add(InvoiceLine(invoice_id=invoice.id, description=description, quantity=qty, unit_price=unit,
                              amount=unit * qty, currency=invoice.currency, position=position))
        if paid:
            s.add(Payment(invoice_id=invoice.id, account_id=account.id, amount=paid, currency=invoice.currency,
                          method=PaymentMethodKind.WIRE, status=PaymentStatus.SUCCEEDED, reference=f"W-{number}",
                          created_at=issued + timedelta(days=1)))
    return invoice


async def order_number_of(db: Database, invoice: Invoice) -> str:
    async with db.session() as s:
        return (await s.exec(select(Order.number).where(Order.id == invoice.order_id))).one()


async def add_credit_note(db: Database, invoice: Invoice, number: str, issued: datetime, total: Decimal, *,
                          applied: Decimal = Decimal(0), refunded: Decimal = Decimal(0),
                          status: CreditNoteStatus = CreditNoteStatus.ISSUED) -> CreditNote:
    """A credit note of `total` against `invoice`: `applied` to what it had due, `refunded` in money,
    the rest to the account's credit."""
    credited = total - applied - refunded
    async with db.transaction() as s:
        note = CreditNote(number=number, invoice_id=invoice.id, account_id=invoice.account_id,
                          location_id=invoice.location_id, status=status, reason=CreditNoteReason.CORRECTION,
                          currency=invoice.currency, subtotal=total, tax=Decimal(0), total=total,
                          amount_applied=applied, amount_credited=credited, amount_refunded=refunded,
                          issued_at=issued, created_at=issued)
        s.add(note)
        await s.flush()
        if credited:
            s.add(AccountCreditTransaction(account_id=invoice.account_id, currency=invoice.currency, amount=credited,
                                           kind=AccountCreditKind.CREDIT_NOTE, credit_note_id=note.id,
                                           invoice_id=invoice.id, created_at=issued))
    return note


async def add_credit_movement(db: Database, account: Account, currency: str, kind: AccountCreditKind,
                              amount: Decimal, at: datetime, memo: str | None = None) -> None:
    async with db.transaction() as s:
        s.add(AccountCreditTransaction(account_id=account.id, currency=currency, amount=amount, kind=kind, memo=memo,
                                       created_at=at))


async def add_payment(db: Database, invoice: Invoice, amount: Decimal, at: datetime, reference: str,
                      status: PaymentStatus = PaymentStatus.SUCCEEDED) -> None:
    async with db.transaction() as s:
        s.add(Payment(invoice_id=invoice.id, account_id=invoice.account_id, amount=amount, currency=invoice.currency,
                      method=PaymentMethodKind.WIRE, status=status, reference=reference, created_at=at))
