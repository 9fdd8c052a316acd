"""What an invoice and a credit note count in: amounts rounded to the currency's minor unit, and
what an invoice has due."""
from datetime import datetime
from decimal import Decimal
from typing import Any

from db.enums import PAYABLE_INVOICE_STATUSES, InvoiceStatus
from db.models import Invoice
from domain.money import round_to_minor
from domain.webhooks import outbox as webhooks
from i18n.formatting import format_money

ZERO = Decimal("0.0000")
FOUR_PLACES = Decimal("0.0001")


def charged(amount: Decimal, currency: str) -> Decimal:
    return round_to_minor(amount, currency).quantize(FOUR_PLACES)


def shown(amount: Decimal, currency: str) -> str:
    """An amount as a message shows it: $562.93."""
    return format_money(round_to_minor(amount, currency), currency)


def settle(invoice: Invoice, now: datetime, session: Any) -> None:
    """What is due after payments and credit notes; nothing left due makes an open invoice PAID."""
    invoice.amount_due = max(invoice.total - invoice.amount_paid - invoice.amount_credited, ZERO)
    if invoice.amount_due == 0 and invoice.status in PAYABLE_INVOICE_STATUSES:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = now
        webhooks.note(session, "invoice.paid", invoice, now, account_id=invoice.account_id)
