"""Batch functions of billing: invoices, their lines and payments, and accounts' open balances."""
from collections.abc import Sequence
from decimal import Decimal

from sqlmodel import func, select

from db.engine import Database
from db.enums import InvoiceStatus
from db.loaders import children, keys_param
from db.models import Invoice, InvoiceLine, Payment
from db.reads import Read

invoices_by_order = children(Invoice, "order_id", Invoice.issued_at)
lines_by_invoice = children(InvoiceLine, "invoice_id", InvoiceLine.position)
payments_by_invoice = children(Payment, "invoice_id", Payment.created_at)

# SUM keeps the column's type, so SQLite's stored ten-thousandths come back as Decimal.
_OPEN_BALANCES = Read(select(Invoice.account_id, func.sum(Invoice.amount_due))
                      .where(Invoice.account_id.in_(keys_param()), Invoice.status == InvoiceStatus.OPEN)
                      .group_by(Invoice.account_id))


async def balance_by_account(db: Database, keys: Sequence[int]) -> list[Decimal]:
    """Unpaid amount of open invoices."""
    async with db.connection() as conn:
        found = {aid: total for aid, total in await _OPEN_BALANCES.rows(conn, keys=keys)}
    return [found.get(k, Decimal("0.0000")) for k in keys]
