"""Invoicing of orders: when a net-terms order gets its invoice (a merchant setting), the tax on it,
its number and due date, and keeping an unpaid invoice equal to its order when the order changes."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from db.enums import InvoiceStatus
from db.models import Account, Invoice, InvoiceLine, Order, OrderLine
from db.repositories import billing as repo
from db.repositories import ordering as order_repo
from domain import invoice_mail
from domain.errors import reject

# A flat sales tax per currency until a tax engine exists (the demo history uses the same rates).
TAX_RATES = {"USD": Decimal("0.0725"), "EUR": Decimal("0.19")}
UNPAID = (InvoiceStatus.OPEN, InvoiceStatus.DRAFT)


class InvoicingErrorCode(StrEnum):
    INVOICE_PAID = "INVOICE_PAID"


class InvoiceOn(StrEnum):
    """When a net-terms order gets its invoice: a merchant setting."""

    PLACEMENT = "PLACEMENT"
    FULFILMENT = "FULFILMENT"


@dataclass(frozen=True)
class MerchantSettings:
    invoice_on: InvoiceOn = InvoiceOn.PLACEMENT
    # Invoice emails: the server's address as its users reach it (links to PDFs), and how many
    # days before the due date the reminder goes out.
    public_url: str = "http://localhost:8000"
    reminder_days: int = 3


def tax_rate(currency: str) -> Decimal:
    return TAX_RATES.get(currency, Decimal(0))


def due_date(now: datetime, terms_days: int) -> date:
    return (now + timedelta(days=max(terms_days, 0))).date()


async def invoice_order(session: Any, order: Order, account: Account, merchant: MerchantSettings,
                        now: datetime) -> Invoice:
    """An open invoice for the whole order, due after the account's payment terms.

    Called at placement or approval, or by fulfilment when the merchant invoices then. The
    database holds one invoice per order (uq_invoice_order): a second one cannot be written."""
    lines = await order_repo.order_lines(session, order.id)  # type: ignore[arg-type]
    invoice = Invoice(number=f"tmp-{uuid.uuid4().hex[:24]}", account_id=account.id, location_id=order.location_id,  # type: ignore[arg-type]
                      order_id=order.id, status=InvoiceStatus.OPEN, currency=order.currency,
                      subtotal=order.subtotal, tax=order.tax, total=order.total, amount_paid=Decimal("0.0000"),
                      amount_due=order.total, po_number=order.po_number, issued_at=now,
                      due_date=due_date(now, account.payment_terms_days),
                      billing_details={"name": account.name, "country": account.billing_country,
                                       "region": account.billing_region,
                                       "postal_code": account.billing_postal_code,
                                       "business_name": account.billing_business_name,
                                       "tax_id": account.billing_tax_id, "is_business": account.billing_is_business},
                      created_at=now)
    session.add(invoice)
    await session.flush()
    invoice.number = f"INV-{200000 + invoice.id}"  # type: ignore[operator]
    _write_lines(session, invoice, lines)
    await invoice_mail.issued(session, invoice, merchant, now)
    return invoice


async def invoice_when_accepted(session: Any, order: Order, account: Account, merchant: MerchantSettings,
                                now: datetime) -> Invoice | None:
    """An order placed or approved: invoiced now, if the merchant invoices at placement."""
    if merchant.invoice_on is not InvoiceOn.PLACEMENT:
        return None
    return await invoice_order(session, order, account, merchant, now)


async def invoice_at_fulfilment(session: Any, order: Order, merchant: MerchantSettings, now: datetime) -> Invoice | None:
    """When the merchant invoices at fulfilment: the order's invoice, at its first shipment."""
    if merchant.invoice_on is not InvoiceOn.FULFILMENT or await repo.has_invoice(session, order.id):  # type: ignore[arg-type]
        return None
    account = await order_repo.account(session, order.account_id)
    return await invoice_order(session, order, account, merchant, now)


def _write_lines(session: Any, invoice: Invoice, lines: list[OrderLine]) -> None:
    for position, line in enumerate(lines):
        session.add(InvoiceLine(invoice_id=invoice.id, variant_id=line.variant_id, description=line.title,  # type: ignore[arg-type]
                                quantity=line.quantity, unit_price=line.unit_price, amount=line.total,
                                currency=line.currency, position=position))


async def follow_order(session: Any, order: Order, lines: list[OrderLine]) -> None:
    """Keep an unpaid invoice equal to the changed order; a paid one cannot silently change."""
    for invoice in await repo.invoices_of(session, order.id):  # type: ignore[arg-type]
        if invoice.status not in UNPAID:
            continue
        if invoice.amount_paid > order.total:
            raise reject(InvoicingErrorCode.INVOICE_PAID, f"Invoice {invoice.number} has payments above the new "
                         "total: ask the merchant for a credit", "input")
        for old in await repo.invoice_lines(session, invoice.id):  # type: ignore[arg-type]
            await session.delete(old)
        await session.flush()
        _write_lines(session, invoice, [line for line in lines if line.quantity > 0])
        invoice.subtotal, invoice.tax, invoice.total = order.subtotal, order.tax, order.total
        invoice.amount_due = order.total - invoice.amount_paid
        session.add(invoice)


async def void_for_cancelled(session: Any, order: Order) -> None:
    """The unpaid invoices of an order cancelled as a whole become VOID; one with payments stops the cancel."""
    for invoice in await repo.invoices_of(session, order.id):  # type: ignore[arg-type]
        if invoice.status not in UNPAID:
            continue
        if invoice.amount_paid > 0:
            raise reject(InvoicingErrorCode.INVOICE_PAID, f"Invoice {invoice.number} has payments: ask the "
                         "merchant for a refund", "input", "orderId")
        invoice.status = InvoiceStatus.VOID
        invoice.amount_due = Decimal("0.0000")
        session.add(invoice)
