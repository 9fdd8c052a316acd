"""Fulfilments and their shipment events, scoped like the orders they ship."""
from collections.abc import Sequence

from sqlalchemy.sql import Select
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import Database
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


# Batch functions for the dataloaders (keys are ids of rows the caller already sees).

async def events_by_fulfilment(db: Database, keys: Sequence[int]) -> list[list[ShipmentEvent]]:
    async with db.session() as s:
        rows = (await s.exec(select(ShipmentEvent).where(ShipmentEvent.fulfilment_id.in_(keys))
                             .order_by(ShipmentEvent.fulfilment_id, ShipmentEvent.occurred_at.desc(),
                                       ShipmentEvent.id.desc()))).all()
    out: dict[int, list[ShipmentEvent]] = {k: [] for k in keys}
    for e in rows:
        out[e.fulfilment_id].append(e)
    return [out[k] for k in keys]


async def fulfilled_by_order_line(db: Database, keys: Sequence[int]) -> list[int]:
    async with db.session() as s:
        rows = (await s.exec(select(FulfilmentLine.order_line_id, func.sum(FulfilmentLine.quantity))
                             .where(FulfilmentLine.order_line_id.in_(keys))
                             .group_by(FulfilmentLine.order_line_id))).all()
    found = {line_id: int(qty) for line_id, qty in rows}
    return [found.get(k, 0) for k in keys]


async def order_line_by_id(db: Database, keys: Sequence[int]) -> list[OrderLine | None]:
    async with db.session() as s:
        rows = (await s.exec(select(OrderLine).where(OrderLine.id.in_(keys)))).all()
    found = {r.id: r for r in rows}
    return [found.get(k) for k in keys]


async def order_lines_visible(session: AsyncSession, scope, ids: list[int]) -> list[tuple[OrderLine, Order]]:  # type: ignore[no-untyped-def]
    """Order lines among `ids` whose order the caller may see, each with its order."""
    stmt = (select(OrderLine, Order).join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.id.in_(ids), scope.where(Order.account_id, Order.location_id, Order.placed_by_user_id)))
    return [(line, order) for line, order in (await session.exec(stmt)).all()]
