"""Staff record fulfilments and shipment events; customers read them through their orders."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models import Fulfilment, Order, ShipmentEvent
from db.models.shipments import ShipmentEventStatus
from db.repositories import fulfilment as repo
from domain import fulfilment
from domain.fulfilment import CarrierEvent, FulfilmentErrorCode as E, Shipment, WantedLine, estimated_delivery
from resolvers.context import Context
from resolvers.errors import UserError
from resolvers.globalid import decode_or_reject
from resolvers.mutation import mutation
from resolvers.within import Within


@dataclass
class FulfilmentLineInputData:
    order_line_id: str
    quantity: int


@dataclass
class FulfilmentPayload:
    fulfilment: Fulfilment | None = None
    order: Order | None = None
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class ShipmentEventPayload:
    event: ShipmentEvent | None = None
    fulfilment: Fulfilment | None = None
    order: Order | None = None
    user_errors: list[UserError] = field(default_factory=list)


@mutation("fulfilmentCreate", FulfilmentPayload, audit="fulfilment.create")
async def fulfilment_create(ctx: Context, s: Any, order_id: str, lines: list[FulfilmentLineInputData], carrier: str,
                            tracking_number: str | None, shipped_at: datetime | None,
                            estimated_delivery_at: datetime | None) -> dict[str, Any]:
    oid = decode_or_reject(order_id, "Order", E.NOT_FOUND, "input", "orderId")
    wanted = [WantedLine(decode_or_reject(line.order_line_id, "OrderLine", E.LINE_NOT_IN_ORDER,
                                          "input", "lines", str(i), "orderLineId"), line.quantity)
              for i, line in enumerate(lines)]
    shipment = Shipment(wanted, carrier, tracking_number, shipped_at, estimated_delivery_at)
    f, order = await fulfilment.create(s, ctx.actor, ctx.now, ctx.merchant, oid, shipment)
    return {"fulfilment": f, "order": order}


@mutation("fulfilmentEventAdd", ShipmentEventPayload, audit="fulfilment.event")
async def fulfilment_event_add(ctx: Context, s: Any, fulfilment_id: str, status: ShipmentEventStatus,
                               occurred_at: datetime | None, location: str | None, message: str | None,
                               estimated_delivery_at: datetime | None) -> dict[str, Any]:
    fid = decode_or_reject(fulfilment_id, "Fulfilment", E.NOT_FOUND, "input", "fulfilmentId")
    event, f, order = await fulfilment.add_event(
        s, ctx.actor, ctx.now, fid, CarrierEvent(status, occurred_at, location, message, estimated_delivery_at))
    return {"event": event, "fulfilment": f, "order": order}


async def order_estimated_delivery(ctx: Context, order: Any) -> datetime | None:
    return estimated_delivery(await ctx.loaders.fulfilment.fulfilments.load(order.id))


class OrderLineFetcher:
    """node(id:) for order lines: lines of the orders the caller sees, seen through their order."""

    def __init__(self, session: Any, ctx: Context) -> None:
        self.session = session
        self.scope = ctx.scope("rows:Order")

    async def get_many(self, ids: list[int]) -> dict[int, Any]:
        return {line.id: Within(line, order.account_id, order.location_id)
                for line, order in await repo.order_lines_visible(self.session, self.scope, ids)}
