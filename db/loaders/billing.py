"""Batch functions of billing: invoices, their lines, payments and credit notes, and accounts' open
balances, credit balances and what they owe per currency."""
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, bindparam, case, literal
from sqlmodel import func, select

from db.engine import Database
from db.enums import InvoiceStatus
from db.loaders import children, keys_param, many_each, one_by
from db.models import AccountCreditTransaction, CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from db.reads import Read
from db.repositories.billing import DueTotals

# An order's issued invoices (a draft is found through the account's invoices, by staff).
invoices_by_order = children(Invoice, "order_id", Invoice.issued_at, where=Invoice.status != InvoiceStatus.DRAFT)
lines_by_invoice = children(InvoiceLine, "invoice_id", InvoiceLine.position)
payments_by_invoice = children(Payment, "invoice_id", Payment.created_at)
invoice_by_id = one_by(Invoice)
invoice_replacing = one_by(Invoice, "reissued_from_id")
credit_notes_by_invoice = children(CreditNote, "invoice_id", CreditNote.issued_at)
lines_by_credit_note = children(CreditNoteLine, "credit_note_id", CreditNoteLine.position)

_CREDIT_BALANCES = Read(select(AccountCreditTransaction.account_id, AccountCreditTransaction.currency,
                               func.sum(AccountCreditTransaction.amount))
                        .where(AccountCreditTransaction.account_id.in_(keys_param()))
                        .group_by(AccountCreditTransaction.account_id, AccountCreditTransaction.currency)
                        .order_by(AccountCreditTransaction.account_id, AccountCreditTransaction.currency))


async def credit_balances_by_account(db: Database, keys: Sequence[int]) -> list[list[tuple[str, Decimal]]]:
    """The account's credit balance per currency it has had credit in (zero balances included)."""
    async with db.connection() as conn:
        rows = list(await _CREDIT_BALANCES.rows(conn, keys=keys))
    return [[(currency, amount) for _, currency, amount in found]
            for found in many_each(keys, rows, lambda r: r[0])]

# SUM keeps the column's type, so SQLite's stored ten-thousandths come back as Decimal.
_OPEN_BALANCES = Read(select(Invoice.account_id, func.sum(Invoice.amount_due))
                      .where(Invoice.account_id.in_(keys_param()), Invoice.status == InvoiceStatus.OPEN)
                      .group_by(Invoice.account_id))


async def balance_by_account(db: Database, keys: Sequence[int]) -> list[Decimal]:
    """Unpaid amount of open invoices."""
    async with db.connection() as conn:
        found = {aid: total for aid, total in await _OPEN_BALANCES.rows(conn, keys=keys)}
    return [found.get(k, Decimal("0.0000")) for k in keys]


_LATE = Invoice.due_date < bindparam("today", type_=Date)
_DUE_TOTALS = Read(select(Invoice.account_id, Invoice.currency, func.count(), func.sum(Invoice.amount_due),
                          func.sum(case((_LATE, 1), else_=0)),
                          func.sum(case((_LATE, Invoice.amount_due), else_=literal(Decimal(0), Invoice.amount_due.type))))
                   .where(Invoice.account_id.in_(keys_param()), Invoice.status == InvoiceStatus.OPEN)
                   .group_by(Invoice.account_id, Invoice.currency).order_by(Invoice.account_id, Invoice.currency))


def due_totals_by_account(today: date) -> Callable[[Database, Sequence[int]], Any]:
    """Per account, what its open invoices owe per currency and the part past due on `today`:
    one statement for any number of accounts."""

    async def load(db: Database, keys: Sequence[int]) -> list[list[DueTotals]]:
        async with db.connection() as conn:
            rows = await _DUE_TOTALS.rows(conn, keys=keys, today=today)
        found: dict[int, list[DueTotals]] = {}
        for account_id, currency, count, due, late_count, overdue in rows:
            found.setdefault(account_id, []).append(
                DueTotals(currency, count, Decimal(due or 0), int(late_count or 0), Decimal(overdue or 0)))
        return [found.get(k, []) for k in keys]
    return load
