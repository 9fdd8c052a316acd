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
from db.enums import AccountCreditKind, CreditNoteStatus, InvoiceStatus, PaymentMethodKind, PaymentStatus
from db.models import AccountCreditTransaction, CreditNote, Invoice, Payment
from db.reads import Read
from db.recent import Recent
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


# The statements are built once per scope and shape, with these parameters (db.reads.Read): building
# six joined selects and their union per request cost more than running them.
_ACCOUNT = sa.bindparam("account_id", type_=sa.Integer)
_CURRENCY = sa.bindparam("currency", type_=sa.String)
_START, _END, _BEFORE, _AFTER_AT = (sa.bindparam(name, type_=Invoice.issued_at.type)
                                    for name in ("start", "end", "before", "after_at"))
_AFTER_KIND = sa.bindparam("after_kind", type_=sa.Integer)
_AFTER_ID = sa.bindparam("after_id", type_=sa.Integer)
_READS: Recent[tuple[Any, ...], Read] = Recent(256)


def _movements(scope: RowScope) -> list[Any]:
    """One select per kind of movement, of the account and currency given as parameters."""
    invoice_visible = scope.where(Invoice.account_id, Invoice.location_id)
    note_visible = (scope.where(CreditNote.account_id, CreditNote.location_id), CreditNote.account_id == _ACCOUNT,
                    CreditNote.currency == _CURRENCY, CreditNote.status == CreditNoteStatus.ISSUED)
    ledger = (AccountCreditTransaction.account_id == _ACCOUNT, AccountCreditTransaction.currency == _CURRENCY,
              scope.where(AccountCreditTransaction.account_id))
    return [
        _movement(INVOICE, Invoice.id, Invoice.issued_at, Invoice.number, Invoice.number, Invoice.total)
        .where(invoice_visible, Invoice.account_id == _ACCOUNT, Invoice.currency == _CURRENCY,
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
        .where(invoice_visible, Payment.account_id == _ACCOUNT, Payment.currency == _CURRENCY,
               Payment.status == PaymentStatus.SUCCEEDED,
               # Account credit applied moves no money: its credit note counted already.
               Payment.method != PaymentMethodKind.ACCOUNT_CREDIT),
        _movement(ADJUSTMENT, AccountCreditTransaction.id, AccountCreditTransaction.created_at,
                  sa.func.coalesce(AccountCreditTransaction.memo, ""), sa.null(), -AccountCreditTransaction.amount)
        .where(*ledger, AccountCreditTransaction.kind == AccountCreditKind.ADJUSTMENT),
    ]


def _sums_read(scope: RowScope) -> Read:
    key = ("sums", scope)
    found = _READS.recall(key)
    if found is None:
        moved = sa.union_all(*(stmt.where(stmt.selected_columns.at < _BEFORE)
                               for stmt in _movements(scope))).subquery("moved")
        found = _READS.keep(key, Read(select(moved.c.kind, sa.func.sum(moved.c.amount)).group_by(moved.c.kind)))
    return found


def _movements_read(scope: RowScope, after: bool, limit: int | None) -> Read:
    key = ("movements", scope, after, limit)
    found = _READS.recall(key)
    if found is not None:
        return found
    parts = []
    for stmt in _movements(scope):
        c = stmt.selected_columns
        stmt = stmt.where(c.at >= _START, c.at < _END)
        if after:
            # (at, kind, id) after the last one read; `at >= ...` alone is what an index reads by.
            stmt = stmt.where(c.at >= _AFTER_AT, sa.tuple_(c.at, c.kind, c.id) > sa.tuple_(_AFTER_AT, _AFTER_KIND,
                                                                                           _AFTER_ID))
        if limit is not None:
            # The first `limit` of the whole are among the first `limit` of each kind.
            stmt = select(stmt.order_by(c.at, c.id).limit(limit).subquery())
        parts.append(stmt)
    moved = sa.union_all(*parts).subquery("moved")
    stmt = select(moved.c.kind, moved.c.id, moved.c.at, moved.c.reference, moved.c.invoice_number,
                  moved.c.amount).order_by(moved.c.at, moved.c.kind, moved.c.id)
    return _READS.keep(key, Read(stmt if limit is None else stmt.limit(limit)))


class StatementRepository:
    def __init__(self, session: AsyncSession, scope: RowScope) -> None:
        self.session = session
        self.scope = scope

    async def sums_before(self, account_id: int, currency: str, before: datetime) -> dict[int, Decimal]:
        """Per kind, the sum of the movements before `before`: one statement."""
        async with statement_connection(self.session) as conn:
            rows = await _sums_read(self.scope).rows(conn, account_id=account_id, currency=currency, before=before)
        return {kind: Decimal(total or 0) for kind, total in rows}

    async def movements(self, account_id: int, currency: str, start: datetime, end: datetime,
                        after: tuple[datetime, int, int] | None = None, limit: int | None = None) -> list[list[Any]]:
        """The movements from `start` until before `end`, by time, kind and id: (kind, id, at,
        reference, invoice number, amount). `after` (the last one's at, kind and id) and `limit`
        read them in batches: one statement each, which reads at most `limit` rows of each kind
        (by its index), whatever the batch's position."""
        params: dict[str, Any] = {"account_id": account_id, "currency": currency, "start": start, "end": end}
        if after is not None:
            params.update(after_at=after[0], after_kind=after[1], after_id=after[2])
        async with statement_connection(self.session) as conn:
            return await _movements_read(self.scope, after is not None, limit).rows(conn, **params)
