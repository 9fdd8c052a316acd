"""Invoices and payments made on the spot for the search, statement and export tests, and the
invoices of an account as the database holds them (to compare an answer with)."""
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import select

from db.engine import Database
from db.enums import InvoiceStatus, PaymentMethodKind, PaymentStatus
from db.models import Account, Invoice, InvoiceLine, Order, Payment


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
