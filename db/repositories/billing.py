"""Invoices, payments and credit notes as the caller may see them: the invoice search (filters,
sort, keyset pages), the totals of what is due per currency, the batches the CSV exports stream;
the number series and the account credit ledger."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select
from sqlmodel import func, select, update

from db.engine import statement_connection
from db.enums import CreditNoteStatus, InvoiceStatus
from db.models import (Account, AccountCreditTransaction, CreditNote, CreditNoteLine, DocumentSequence, Invoice,
                       InvoiceLine, Location, Order, ProductVariant, ReturnLine)
from db.pagination import Page, count_rows, keyset_page
from db.reads import select_rows
from db.repositories.base import ScopedRepository, lock_row


class InvoiceSort(StrEnum):
    ISSUED_AT = "ISSUED_AT"
    DUE_DATE = "DUE_DATE"
    TOTAL = "TOTAL"
    NUMBER = "NUMBER"


# Each sort ends with the id, so that keys are unique and a cursor names one position.
SORT_KEYS: dict[InvoiceSort, list[Any]] = {
    InvoiceSort.ISSUED_AT: [Invoice.issued_at, Invoice.id],
    InvoiceSort.DUE_DATE: [Invoice.due_date, Invoice.id],
    InvoiceSort.TOTAL: [Invoice.total, Invoice.id],
    InvoiceSort.NUMBER: [Invoice.number, Invoice.id],
}


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
    order_number: str | None = None
    po_number: str | None = None
    search: str | None = None
    account_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()
    overdue_on: date | None = None
    sort: InvoiceSort = InvoiceSort.ISSUED_AT
    descending: bool = True


@dataclass(frozen=True)
class DueTotals:
    """What is owed in one currency: open invoices and the part of them past due."""
    currency: str
    count: int
    amount_due: Decimal
    overdue_count: int
    amount_overdue: Decimal


class ExportInvoice(NamedTuple):
    """An invoice as an accounting import wants it, with its account, location and order names:
    plain values, made from a row without a model instance (an export reads 100,000)."""
    id: int
    number: str | None
    status: InvoiceStatus
    issued_at: datetime
    due_date: date
    paid_at: datetime | None
    account_id: int
    billing_details: dict[str, Any] | None
    po_number: str | None
    currency: str
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    amount_paid: Decimal
    amount_credited: Decimal
    amount_due: Decimal
    account_name: str
    location_name: str | None
    order_number: str | None


class ExportLine(NamedTuple):
    invoice_id: int
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal  # gross when tax_included
    tax_percent: Decimal
    tax_amount: Decimal
    tax_included: bool
    sku: str | None  # None for a line of no catalog variant


_EXPORTED = [getattr(Invoice, name) for name in ExportInvoice._fields[:-3]]


def _orders_numbered(condition: Any) -> Any:
    # Not correlated: the export joins orders as well, for their numbers.
    return Invoice.order_id.in_(select(Order.id).where(condition).correlate(None))


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
        if f.order_number:
            stmt = stmt.where(_orders_numbered(Order.number == f.order_number))
        if f.po_number:
            stmt = stmt.where(Invoice.po_number == f.po_number)
        if f.search:
            # Part of an invoice, order or PO number, in any case; % and _ are matched as themselves.
            text = f.search.strip()
            stmt = stmt.where(sa.or_(Invoice.number.icontains(text, autoescape=True),
                                     Invoice.po_number.icontains(text, autoescape=True),
                                     _orders_numbered(Order.number.icontains(text, autoescape=True))))
        if f.account_ids:
            stmt = stmt.where(Invoice.account_id.in_(f.account_ids))
        if f.location_ids:
            stmt = stmt.where(Invoice.location_id.in_(f.location_ids))
        if f.overdue_on:
            stmt = stmt.where(Invoice.status == InvoiceStatus.OPEN, Invoice.due_date < f.overdue_on)
        return stmt

    def sorted(self, f: InvoiceFilter) -> Select:
        """The invoices `f` finds, those the sort can place: a draft has no number to sort by."""
        stmt = self.filtered(f)
        return stmt.where(Invoice.number.is_not(None)) if f.sort is InvoiceSort.NUMBER else stmt

    async def page(self, f: InvoiceFilter, **window: Any) -> Page[Invoice]:
        return await keyset_page(self.session, self.sorted(f), SORT_KEYS[f.sort], descending=f.descending,
                                 **window)

    async def count(self, f: InvoiceFilter) -> int:
        return await count_rows(self.session, self.sorted(f))

    async def due_totals(self, f: InvoiceFilter, today: date) -> list[DueTotals]:
        """Per currency, the open invoices among those `f` finds and what they still owe, and the
        part past its due date: one statement."""
        late = Invoice.due_date < today
        stmt = self.filtered(f).with_only_columns(
            Invoice.currency, sa.func.count(), sa.func.sum(Invoice.amount_due),
            sa.func.sum(sa.case((late, 1), else_=0)),
            sa.func.sum(sa.case((late, Invoice.amount_due), else_=sa.literal(Decimal(0), Invoice.amount_due.type))),
            maintain_column_froms=True,
        ).where(Invoice.status == InvoiceStatus.OPEN).group_by(Invoice.currency).order_by(Invoice.currency)
        async with statement_connection(self.session) as conn:
            rows = await select_rows(conn, stmt)
        return [DueTotals(currency, count, Decimal(due or 0), int(late_count or 0), Decimal(overdue or 0))
                for currency, count, due, late_count, overdue in rows]

    async def export_batch(self, f: InvoiceFilter, size: int, after: tuple[Any, ...] | None) -> list[ExportInvoice]:
        """The next `size` invoices `f` finds in its sort order after the keys `after` (the sort
        keys of the last row of the batch before), with their account, location and order names:
        one statement, whatever the position."""
        keys = SORT_KEYS[f.sort]
        stmt = (self.sorted(f).with_only_columns(*_EXPORTED, Account.name, Location.name, Order.number)
                .join(Account, Account.id == Invoice.account_id)
                .outerjoin(Location, Location.id == Invoice.location_id)
                .outerjoin(Order, Order.id == Invoice.order_id))
        if after is not None:
            bound = sa.tuple_(*[sa.literal(v, k.type) for v, k in zip(after, keys)])
            stmt = stmt.where(sa.tuple_(*keys) < bound if f.descending else sa.tuple_(*keys) > bound)
        stmt = stmt.order_by(*[k.desc() if f.descending else k.asc() for k in keys]).limit(size)
        async with statement_connection(self.session) as conn:
            return [ExportInvoice(*r) for r in await select_rows(conn, stmt)]

    async def lines_of(self, batch: list[ExportInvoice]) -> list[ExportLine]:
        """The lines of a batch this repository read (export_batch: scoped already, so by the
        invoices' ids alone, which SQLite then reads by index whatever its statistics), with
        their variants' SKUs, by invoice and position: one statement."""
        stmt = (select(InvoiceLine.invoice_id, InvoiceLine.description, InvoiceLine.quantity, InvoiceLine.unit_price,
                       InvoiceLine.amount, InvoiceLine.tax_percent, InvoiceLine.tax_amount,
                       InvoiceLine.tax_included, ProductVariant.sku)
                .outerjoin(ProductVariant, ProductVariant.id == InvoiceLine.variant_id)
                .where(InvoiceLine.invoice_id.in_([b.id for b in batch]))
                .order_by(InvoiceLine.invoice_id, InvoiceLine.position, InvoiceLine.id))
        async with statement_connection(self.session) as conn:
            return [ExportLine(*r) for r in await select_rows(conn, stmt)]


def sort_key_values(invoice: Any, sort: InvoiceSort) -> tuple[Any, ...]:
    return tuple(getattr(invoice, k.key) for k in SORT_KEYS[sort])


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
    stmt = (update(DocumentSequence).where(DocumentSequence.series == series, DocumentSequence.year == year)
            .values(last_value=DocumentSequence.last_value + 1).returning(DocumentSequence.last_value))
    taken = (await conn.execute(stmt)).scalar_one_or_none()
    if taken is not None:
        return int(taken)
    # The series' first number of the year: its row is made (by one of two racing transactions).
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    await conn.execute(insert(DocumentSequence).values(series=series, year=year, last_value=0)
                       .on_conflict_do_nothing(index_elements=["series", "year"]))
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
