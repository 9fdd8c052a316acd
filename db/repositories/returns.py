"""Returns and refunds as the caller may see them."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Refund, ReturnLine, ReturnPhoto, ReturnRequest
from db.models.orders import OrderLine
from db.models.returns import ReturnStatus
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository

# Returns that hold quantities: a declined return gives them back.
HOLDING = [s for s in ReturnStatus if s is not ReturnStatus.DECLINED]


@dataclass(frozen=True)
class ReturnFilter:
    statuses: tuple[ReturnStatus, ...] = ()
    account_ids: tuple[int, ...] = ()
    order_ids: tuple[int, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None


class ReturnRepository(ScopedRepository[ReturnRequest]):
    model = ReturnRequest

    def visible(self) -> Select:
        return select(ReturnRequest).where(self.scope.where(ReturnRequest.account_id, ReturnRequest.location_id,
                                                            ReturnRequest.requested_by_user_id))

    def filtered(self, f: ReturnFilter) -> Select:
        stmt = self.visible()
        if f.statuses:
            stmt = stmt.where(ReturnRequest.status.in_(f.statuses))
        if f.account_ids:
            stmt = stmt.where(ReturnRequest.account_id.in_(f.account_ids))
        if f.order_ids:
            stmt = stmt.where(ReturnRequest.order_id.in_(f.order_ids))
        if f.created_after:
            stmt = stmt.where(ReturnRequest.created_at >= f.created_after)
        if f.created_before:
            stmt = stmt.where(ReturnRequest.created_at < f.created_before)
        return stmt

    async def page(self, f: ReturnFilter, **window: Any) -> Page[ReturnRequest]:
        return await keyset_page(self.session, self.filtered(f), [ReturnRequest.created_at, ReturnRequest.id],
                                 **window)

    async def count(self, f: ReturnFilter) -> int:
        return await count_rows(self.session, self.filtered(f))

    async def photo(self, photo_id: int) -> tuple[ReturnPhoto, ReturnRequest] | None:
        """A photo with its return, if the caller may see the return."""
        stmt = (select(ReturnPhoto, ReturnRequest).join(ReturnRequest, ReturnRequest.id == ReturnPhoto.return_id)
                .where(ReturnPhoto.id == photo_id,
                       self.scope.where(ReturnRequest.account_id, ReturnRequest.location_id,
                                        ReturnRequest.requested_by_user_id)))
        row = (await self.session.exec(stmt)).first()
        return (row[0], row[1]) if row else None


async def returned_quantities(session: AsyncSession, order_id: int) -> dict[int, int]:
    """Quantity per order line held by the order's returns that were not declined."""
    stmt = (select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
            .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
            .where(ReturnRequest.order_id == order_id, ReturnRequest.status.in_(HOLDING))
            .group_by(ReturnLine.order_line_id))
    return {line_id: int(qty) for line_id, qty in (await session.exec(stmt)).all()}


async def count_for_order(session: AsyncSession, order_id: int) -> int:
    return (await session.exec(select(func.count()).select_from(ReturnRequest)
                               .where(ReturnRequest.order_id == order_id))).one()


@dataclass(frozen=True)
class ReturnedLine:
    """An order line's price, quantity and tax, and how many of it a return gives back."""

    unit_price: Decimal
    returned: int
    quantity: int
    tax_amount: Decimal
    tax_included: bool


async def priced_lines(session: AsyncSession, return_id: int) -> list[ReturnedLine]:
    """Order price, quantity and tax, and the returned quantity, of each line of a return."""
    stmt = (select(OrderLine.unit_price, ReturnLine.quantity, OrderLine.quantity, OrderLine.tax_amount,
                   OrderLine.tax_included).join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
            .where(ReturnLine.return_id == return_id).order_by(ReturnLine.id))
    return [ReturnedLine(*r) for r in (await session.exec(stmt)).all()]


async def refunded_total(session: AsyncSession, order_id: int) -> Decimal:
    total = (await session.exec(select(func.sum(Refund.amount)).where(Refund.order_id == order_id))).one()
    return total if total is not None else Decimal("0.0000")


# Batch functions for the dataloaders (keys are ids of rows the caller already sees).

