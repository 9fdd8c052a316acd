"""Orders as the caller may see them, with the history filters."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import select

from db.enums import OrderStatus
from db.models import Order
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


@dataclass(frozen=True)
class OrderFilter:
    statuses: tuple[OrderStatus, ...] = ()
    placed_after: datetime | None = None
    placed_before: datetime | None = None
    account_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()
    placed_by_user_id: int | None = None
    po_number: str | None = None
    number: str | None = None


class OrderRepository(ScopedRepository[Order]):
    model = Order

    def visible(self) -> Select:
        return select(Order).where(self.scope.where(Order.account_id, Order.location_id,
                                                    Order.placed_by_user_id))

    def filtered(self, f: OrderFilter) -> Select:
        stmt = self.visible()
        if f.statuses:
            stmt = stmt.where(Order.status.in_(f.statuses))
        if f.placed_after:
            stmt = stmt.where(Order.placed_at >= f.placed_after)
        if f.placed_before:
            stmt = stmt.where(Order.placed_at < f.placed_before)
        if f.account_ids:
            stmt = stmt.where(Order.account_id.in_(f.account_ids))
        if f.location_ids:
            stmt = stmt.where(Order.location_id.in_(f.location_ids))
        if f.placed_by_user_id is not None:
            stmt = stmt.where(Order.placed_by_user_id == f.placed_by_user_id)
        if f.po_number:
            stmt = stmt.where(Order.po_number == f.po_number)
        if f.number:
            stmt = stmt.where(Order.number == f.number)
        return stmt

    async def page(self, f: OrderFilter, **window: Any) -> Page[Order]:
        return await keyset_page(self.session, self.filtered(f), [Order.placed_at, Order.id], **window)

    async def count(self, f: OrderFilter) -> int:
        return await count_rows(self.session, self.filtered(f))
