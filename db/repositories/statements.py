"""The movements of an account's statement, as the caller may see them, summed before a period
and listed in it in date order: issued invoices, successful payments (scoped through their
invoice), issued credit notes and their refunded parts, and the account credit ledger's payouts
and adjustments. Each movement is (kind, id, at, reference, invoice number, amount), its amount
what it adds to what the account owes (domain.statements)."""
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import statement_connection
from db.enums import AccountCreditKind, CreditNoteStatus, InvoiceStatus, PaymentStatus
from db.models import AccountCreditTransaction, CreditNote, Invoice, Payment
from db.reads import select_rows
from db.scope import RowScope

# Drafts were never issued and a voided invoice is as if never issued: neither is owed.
NOT_ISSUED = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)
# The kinds as stored in a movement, in the order of domain.statements.EntryKind (their rank at
# one instant); CREDIT_PAID_OUT is a REFUND too, from the account credit ledger (apart, so that
# kind and id name one movement).
INVOICE, CREDIT_NOTE, REFUND, PAYMENT, ADJUSTMENT, CREDIT_PAID_OUT = range(6)
_NAMES = ("id", "at", "reference", "invoice_number", "amount")
# Made once: an alias made per request costs more than the statement's reads.
_CREDITED = aliased(Invoice, name="credited")  # the invoice a credit note credits
_NOTED = CreditNote.__table__.alias("noted")  # the credit note a refund of credit came from, if any


def _movement(kind: int, *columns: Any) -> Any:
    return select(sa.literal(kind).label("kind"), *(c.label(n) for c, n in zip(columns, _NAMES, strict=True)))


class StatementRepository:
    def __init__(self, session: AsyncSession, scope: RowScope) -> None:
        self.session = session
        self.scope = scope

    def _movements(self, account_id: int, currency: str) -> list[Any]:
        """One select per kind of movement."""
        invoice_visible = self.scope.where(Invoice.account_id, Invoice.location_id)
        note_visible = (self.scope.where(CreditNote.account_id, CreditNote.location_id),
                        CreditNote.account_id == account_id, CreditNote.currency == currency,
                        CreditNote.status == CreditNoteStatus.ISSUED)
        ledger = (AccountCreditTransaction.account_id == account_id, AccountCreditTransaction.currency == currency,
                  self.scope.where(AccountCreditTransaction.account_id))
        return [
            _movement(INVOICE, Invoice.id, Invoice.issued_at, Invoice.number, Invoice.number, Invoice.total)
            .where(invoice_visible, Invoice.account_id == account_id, Invoice.currency == currency,
                   Invoice.status.not_in(NOT_ISSUED)),
            _movement(CREDIT_NOTE, CreditNote.id, CreditNote.issued_at, CreditNote.number, _CREDITED.number,
                      -CreditNote.total)
            .join(_CREDITED, _CREDITED.id == CreditNote.invoice_id).where(*note_visible),
            # What a credit note gave back in money at once.
            _movement(REFUND, CreditNote.id, CreditNote.issued_at, CreditNote.number, _CREDITED.number,
                      CreditNote.amount_refunded)
            .join(_CREDITED, _CREDITED.id == CreditNote.invoice_id)
            .where(*note_visible, CreditNote.amount_refunded > 0),
            # Account credit paid out (negative in the ledger: it raises what the account owes).
            _movement(CREDIT_PAID_OUT, AccountCreditTransaction.id, AccountCreditTransaction.created_at,
                      sa.func.coalesce(_NOTED.c.number, ""), sa.null(), -AccountCreditTransaction.amount)
            .outerjoin(_NOTED, _NOTED.c.id == AccountCreditTransaction.credit_note_id)
            .where(*ledger, AccountCreditTransaction.kind == AccountCreditKind.REFUNDED),
            _movement(PAYMENT, Payment.id, Payment.created_at, sa.func.coalesce(Payment.reference, ""),
                      Invoice.number, -Payment.amount)
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .where(invoice_visible, Payment.account_id == account_id, Payment.currency == currency,
                   Payment.status == PaymentStatus.SUCCEEDED),
            _movement(ADJUSTMENT, AccountCreditTransaction.id, AccountCreditTransaction.created_at,
                      sa.func.coalesce(AccountCreditTransaction.memo, ""), sa.null(), -AccountCreditTransaction.amount)
            .where(*ledger, AccountCreditTransaction.kind == AccountCreditKind.ADJUSTMENT),
        ]

    async def sums_before(self, account_id: int, currency: str, before: datetime) -> dict[int, Decimal]:
        """Per kind, the sum of the movements before `before`: one statement."""
        moved = sa.union_all(*(stmt.where(stmt.selected_columns.at < before)
                               for stmt in self._movements(account_id, currency))).subquery("moved")
        stmt = select(moved.c.kind, sa.func.sum(moved.c.amount)).group_by(moved.c.kind)
        async with statement_connection(self.session) as conn:
            return {kind: Decimal(total or 0) for kind, total in await select_rows(conn, stmt)}

    async def movements(self, account_id: int, currency: str, start: datetime, end: datetime,
                        after: tuple[datetime, int, int] | None = None, limit: int | None = None) -> list[list[Any]]:
        """The movements from `start` until before `end`, by time, kind and id. `after` (the last
        one's at, kind and id) and `limit` read them in batches: one statement each, which reads
        at most `limit` rows of each kind (by its index), whatever the batch's position."""
        parts = []
        for stmt in self._movements(account_id, currency):
            c = stmt.selected_columns
            stmt = stmt.where(c.at >= start, c.at < end)
            if after is not None:
                stmt = stmt.where(_after(c, after))
            if limit is not None:
                # The first `limit` of the whole are among the first `limit` of each kind.
                stmt = select(stmt.order_by(c.at, c.id).limit(limit).subquery())
            parts.append(stmt)
        moved = sa.union_all(*parts).subquery("moved")
        stmt = select(moved.c.kind, moved.c.id, moved.c.at, moved.c.reference, moved.c.invoice_number,
                      moved.c.amount).order_by(moved.c.at, moved.c.kind, moved.c.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        async with statement_connection(self.session) as conn:
            return await select_rows(conn, stmt)


def _after(c: Any, after: tuple[datetime, int, int]) -> Any:
    """(at, kind, id) > `after`, for a select of one kind: a range on (at, id)."""
    at, kind, id_ = after
    own = c.kind.element.value  # the select's kind (a literal)
    bound = sa.literal(at, c.at.type)
    if own > kind:
        return c.at >= bound
    if own < kind:
        return c.at > bound
    return sa.tuple_(c.at, c.id) > sa.tuple_(bound, sa.literal(id_))
