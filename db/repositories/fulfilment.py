"""Fulfilments and their shipment events, scoped like the orders they ship."""
from sqlalchemy.sql import Select
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Fulfilment, FulfilmentLine, Order, OrderLine, ShipmentEvent
from db.repositories.base import ScopedRepository


class FulfilmentRepository(ScopedRepository[Fulfilment]):
    model = Fulfilment

    def visible(self) -> Select:
        return (select(Fulfilment).join(Order, Order.id == Fulfilment.order_id)
                .where(self.scope.where(Order.account_id, Order.location_id, Order.placed_by_user_id)))


async def ordered_quantities(session: AsyncSession, order_id: int) -> dict[int, int]:
    rows = (await session.exec(select(OrderLine.id, OrderLine.quantity).where(OrderLine.order_id == order_id))).all()
    return {line_id: qty for line_id, qty in rows}


async def fulfilled_quantities(session: AsyncSession, order_id: int) -> dict[int, int]:
    """Shipped quantity per order line of one order (lines with none shipped are absent)."""
    stmt = (select(FulfilmentLine.order_line_id, func.sum(FulfilmentLine.quantity))
            .join(Fulfilment, Fulfilment.id == FulfilmentLine.fulfilment_id)
            .where(Fulfilment.order_id == order_id).group_by(FulfilmentLine.order_line_id))
    return {line_id: int(qty) for line_id, qty in (await session.exec(stmt)).all()}


async def latest_event_at(session: AsyncSession, fulfilment_id: int):  # type: ignore[no-untyped-def]
    stmt = select(func.max(ShipmentEvent.occurred_at)).where(ShipmentEvent.fulfilment_id == fulfilment_id)
    return (await session.exec(stmt)).one()


async def order_lines_visible(session: AsyncSession, scope, ids: list[int]) -> list[tuple[OrderLine, Order]]:  # type: ignore[no-untyped-def]
    """Order lines among `ids` whose order the caller may see, each with its order."""
    stmt = (select(OrderLine, Order).join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.id.in_(ids), scope.where(Order.account_id, Order.location_id, Order.placed_by_user_id)))
    return [(line, order) for line, order in (await session.exec(stmt)).all()]
