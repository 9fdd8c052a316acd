"""Invoices and payments as the caller may see them, with the invoice search filters."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import select

from db.enums import InvoiceStatus
from db.models import Invoice, InvoiceLine
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


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
        return select(Invoice).where(self.scope.where(Invoice.account_id, Invoice.location_id))

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


async def invoices_of(session: Any, order_id: int) -> list[Invoice]:
    return list((await session.exec(select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.id))).all())


async def invoice_lines(session: Any, invoice_id: int) -> list[InvoiceLine]:
    return list((await session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id))).all())


async def has_invoice(session: Any, order_id: int) -> bool:
    stmt = select(Invoice.id).where(Invoice.order_id == order_id).limit(1)
    return (await session.exec(stmt)).first() is not None
