"""The movements of an account's statement, as the caller may see them: issued invoices and
successful payments (each through its invoice, so the invoice's account and location scope both),
summed before a period and listed in it in date order."""
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import statement_connection
from db.enums import InvoiceStatus, PaymentStatus
from db.models import Invoice, Payment
from db.reads import select_rows
from db.scope import RowScope

# Drafts were never issued and a voided invoice is as if never issued: neither is owed.
NOT_ISSUED = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)
# Of movements at one instant: invoices, then credit notes, then payments (domain.statements.ORDER).
INVOICE, CREDIT_NOTE, PAYMENT = 0, 1, 2


def _movement(kind: int, *columns: Any) -> Any:
    names = ("id", "at", "reference", "invoice_number", "amount")
    return select(sa.literal(kind).label("kind"), *(c.label(n) for c, n in zip(columns, names, strict=True)))


class StatementRepository:
    def __init__(self, session: AsyncSession, scope: RowScope) -> None:
        self.session = session
        self.scope = scope

    def _movements(self, account_id: int, currency: str) -> list[Any]:
        """One select per kind of movement: (kind, id, at, reference, invoice number, amount)."""
        visible = self.scope.where(Invoice.account_id, Invoice.location_id)
        invoices = (_movement(INVOICE, Invoice.id, Invoice.issued_at, Invoice.number, Invoice.number, Invoice.total)
                    .where(visible, Invoice.account_id == account_id, Invoice.currency == currency,
                           Invoice.status.not_in(NOT_ISSUED)))
        payments = (_movement(PAYMENT, Payment.id, Payment.created_at, sa.func.coalesce(Payment.reference, ""),
                              Invoice.number, Payment.amount)
                    .join(Invoice, Invoice.id == Payment.invoice_id)
                    .where(visible, Payment.account_id == account_id, Payment.currency == currency,
                           Payment.status == PaymentStatus.SUCCEEDED))
        return [invoices, payments]

    async def sums_before(self, account_id: int, currency: str, before: datetime) -> dict[int, Decimal]:
        """Per kind, the sum of the movements before `before`: one statement."""
        parts = []
        for stmt in self._movements(account_id, currency):
            moved = stmt.selected_columns
            parts.append(stmt.with_only_columns(moved.kind, sa.func.sum(moved.amount), maintain_column_froms=True)
                         .where(moved.at < before).group_by(moved.kind))
        return await self._sums(sa.union_all(*parts))

    async def _sums(self, stmt: Any) -> dict[int, Decimal]:
        async with statement_connection(self.session) as conn:
            return {kind: Decimal(total or 0) for kind, total in await select_rows(conn, stmt)}

    async def movements(self, account_id: int, currency: str, start: datetime, end: datetime,
                        after: tuple[datetime, int, int] | None = None, limit: int | None = None) -> list[list[Any]]:
        """The movements from `start` until before `end`, by time, kind and id: (kind, id, at,
        reference, invoice number, amount). `after` (the last one's at, kind and id) and `limit`
        read them in batches: one statement each."""
        parts = []
        for stmt in self._movements(account_id, currency):
            at = stmt.selected_columns.at
            parts.append(stmt.where(at >= start, at < end))
        moved = sa.union_all(*parts).subquery("moved")
        keys = (moved.c.at, moved.c.kind, moved.c.id)
        stmt = select(moved.c.kind, moved.c.id, moved.c.at, moved.c.reference, moved.c.invoice_number,
                      moved.c.amount).order_by(*keys)
        if after is not None:
            stmt = stmt.where(sa.tuple_(*keys) > sa.tuple_(*[sa.literal(v, k.type) for v, k in zip(after, keys)]))
        if limit is not None:
            stmt = stmt.limit(limit)
        async with statement_connection(self.session) as conn:
            return await select_rows(conn, stmt)
