"""Invoices, payments and credit notes as the caller may see them, with the invoice search filters;
the number series and the account credit ledger."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select
from sqlmodel import func, select, update

from db.enums import CreditNoteStatus, InvoiceStatus
from db.models import (AccountCreditTransaction, CreditNote, CreditNoteLine, DocumentSequence, Invoice, InvoiceLine,
                       ReturnLine)
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository, lock_row


@dataclass(frozen=True)
class InvoiceFilter:
    statuses: tuple[InvoiceStatus, ...] = ()
    issued_after: datetime | None = None
    issued_before: datetime | None = None
    due_after: date | None = None
    due_before: date | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    number: str | None = None
    po_number: str | None = None
    account_ids: tuple[int, ...] = ()
    overdue_on: date | None = None


class InvoiceRepository(ScopedRepository[Invoice]):
    model = Invoice

    def visible(self) -> Select:
        stmt = select(Invoice).where(self.scope.where(Invoice.account_id, Invoice.location_id))
        # A draft is the merchant's work in progress: customers see an invoice once it is finalised.
        return stmt if self.scope.everything else stmt.where(Invoice.status != InvoiceStatus.DRAFT)

    def filtered(self, f: InvoiceFilter) -> Select:
        stmt = self.visible()
        if f.statuses:
            stmt = stmt.where(Invoice.status.in_(f.statuses))
        if f.issued_after:
            stmt = stmt.where(Invoice.issued_at >= f.issued_after)
        if f.issued_before:
            stmt = stmt.where(Invoice.issued_at < f.issued_before)
        if f.due_after:
            stmt = stmt.where(Invoice.due_date >= f.due_after)
        if f.due_before:
            stmt = stmt.where(Invoice.due_date < f.due_before)
        if f.min_total is not None:
            stmt = stmt.where(Invoice.total >= f.min_total)
        if f.max_total is not None:
            stmt = stmt.where(Invoice.total <= f.max_total)
        if f.number:
            stmt = stmt.where(Invoice.number == f.number)
        if f.po_number:
            stmt = stmt.where(Invoice.po_number == f.po_number)
        if f.account_ids:
            stmt = stmt.where(Invoice.account_id.in_(f.account_ids))
        if f.overdue_on:
            stmt = stmt.where(Invoice.status == InvoiceStatus.OPEN, Invoice.due_date < f.overdue_on)
        return stmt

    async def page(self, f: InvoiceFilter, **window: Any) -> Page[Invoice]:
        return await keyset_page(self.session, self.filtered(f), [Invoice.issued_at, Invoice.id], **window)

    async def count(self, f: InvoiceFilter) -> int:
        return await count_rows(self.session, self.filtered(f))


class CreditNoteRepository(ScopedRepository[CreditNote]):
    model = CreditNote

    def visible(self) -> Select:
        return select(CreditNote).where(self.scope.where(CreditNote.account_id, CreditNote.location_id))

    def filtered(self, f: "CreditNoteFilter") -> Select:
        stmt = self.visible()
        if f.account_ids:
            stmt = stmt.where(CreditNote.account_id.in_(f.account_ids))
        if f.invoice_ids:
            stmt = stmt.where(CreditNote.invoice_id.in_(f.invoice_ids))
        return stmt

    async def page(self, f: "CreditNoteFilter", **window: Any) -> Page[CreditNote]:
        return await keyset_page(self.session, self.filtered(f), [CreditNote.issued_at, CreditNote.id], **window)

    async def count(self, f: "CreditNoteFilter") -> int:
        return await count_rows(self.session, self.filtered(f))


@dataclass(frozen=True)
class CreditNoteFilter:
    account_ids: tuple[int, ...] = ()
    invoice_ids: tuple[int, ...] = ()


async def take_sequence_value(session: Any, series: str, year: int) -> int:
    """The next value of a number series, taken under the row's lock until the transaction ends."""
    conn = await session.connection()
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    await conn.execute(insert(DocumentSequence).values(series=series, year=year, last_value=0)
                       .on_conflict_do_nothing(index_elements=["series", "year"]))
    stmt = (update(DocumentSequence).where(DocumentSequence.series == series, DocumentSequence.year == year)
            .values(last_value=DocumentSequence.last_value + 1).returning(DocumentSequence.last_value))
    return int((await conn.execute(stmt)).scalar_one())


async def lock_invoice(session: Any, invoice_id: int) -> Invoice | None:
    """The invoice, locked (lock_row), read afresh even when the session holds it already: a
    flow that listed an order's invoices before locking one decides on what is committed now."""
    await lock_row(session, Invoice, invoice_id)
    stmt = select(Invoice).where(Invoice.id == invoice_id).execution_options(populate_existing=True)
    return (await session.exec(stmt)).first()


async def next_order_sequence(session: Any, order_id: int) -> int:
    """The next `order_sequence` of an order's invoices (its order is locked by the caller)."""
    last = (await session.exec(select(func.max(Invoice.order_sequence)).where(Invoice.order_id == order_id))).one()
    return 0 if last is None else last + 1


async def replacement_of(session: Any, invoice_id: int) -> Invoice | None:
    return (await session.exec(select(Invoice).where(Invoice.reissued_from_id == invoice_id))).first()


async def credited_quantities(session: Any, invoice_line_ids: list[int]) -> dict[int, int]:
    """How many of each invoice line issued credit notes have credited."""
    if not invoice_line_ids:
        return {}
    stmt = (select(CreditNoteLine.invoice_line_id, func.sum(CreditNoteLine.quantity))
            .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
            .where(CreditNoteLine.invoice_line_id.in_(invoice_line_ids), CreditNote.status == CreditNoteStatus.ISSUED)
            .group_by(CreditNoteLine.invoice_line_id))
    return {line_id: int(qty) for line_id, qty in (await session.exec(stmt)).all()}


async def credited_tax(session: Any, invoice_ids: list[int]) -> Decimal:
    if not invoice_ids:
        return Decimal("0.0000")
    stmt = select(func.sum(CreditNote.tax)).where(CreditNote.invoice_id.in_(invoice_ids),
                                                  CreditNote.status == CreditNoteStatus.ISSUED)
    total = (await session.exec(stmt)).one()
    return total if total is not None else Decimal("0.0000")


async def lines_of_order_lines(session: Any, order_line_ids: list[int]) -> list[tuple[Invoice, InvoiceLine]]:
    """Lines of finalised, not void invoices that bill these order lines, newest invoice first."""
    if not order_line_ids:
        return []
    stmt = (select(Invoice, InvoiceLine).join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .where(InvoiceLine.order_line_id.in_(order_line_ids),
                   Invoice.status.notin_([InvoiceStatus.DRAFT, InvoiceStatus.VOID]))
            .order_by(Invoice.id.desc(), InvoiceLine.position))
    return list((await session.exec(stmt)).all())


async def returned_invoice_lines(session: Any, return_id: int, invoice_id: int) -> list[tuple[int, int]]:
    """(invoice line id, returned quantity) of the lines of a return that the invoice bills."""
    stmt = (select(InvoiceLine.id, ReturnLine.quantity)
            .join(ReturnLine, ReturnLine.order_line_id == InvoiceLine.order_line_id)
            .where(ReturnLine.return_id == return_id, InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position))
    return [(line_id, qty) for line_id, qty in (await session.exec(stmt)).all()]


async def credit_balance(session: Any, account_id: int, currency: str) -> Decimal:
    stmt = select(func.sum(AccountCreditTransaction.amount)).where(
        AccountCreditTransaction.account_id == account_id, AccountCreditTransaction.currency == currency)
    total = (await session.exec(stmt)).one()
    return total if total is not None else Decimal("0.0000")


async def credit_notes_of(session: Any, invoice_id: int) -> list[CreditNote]:
    stmt = select(CreditNote).where(CreditNote.invoice_id == invoice_id).order_by(CreditNote.id)
    return list((await session.exec(stmt)).all())


async def invoices_of(session: Any, order_id: int) -> list[Invoice]:
    return list((await session.exec(select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.id))).all())


async def invoice_lines(session: Any, invoice_id: int) -> list[InvoiceLine]:
    stmt = select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.position)
    return list((await session.exec(stmt)).all())


async def has_invoice(session: Any, order_id: int) -> bool:
    stmt = select(Invoice.id).where(Invoice.order_id == order_id).limit(1)
    return (await session.exec(stmt)).first() is not None
