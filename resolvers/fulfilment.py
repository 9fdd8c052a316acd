"""Staff record fulfilments and shipment events; customers read them through their orders."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from db.enums import FulfilmentStatus
from db.models import Fulfilment, FulfilmentLine, Order, ShipmentEvent
from db.models.shipments import ShipmentEventStatus
from db.repositories import fulfilment as repo
from domain import audit
from domain.carriers import carrier as find_carrier
from domain.carriers import tracking_url, valid_tracking_number
from domain.fulfilment import (FulfilmentErrorCode as E, WantedLine, check_lines, estimated_delivery,
                               order_status_after, status_after_event)
from domain.problems import reject
from domain.ordering import invoice_at_fulfilment
from resolvers.context import Context
from resolvers.ordering_common import merchant
from resolvers.userrors import UserErrorData, check_text, decode_or_reject, in_transaction, require_staff

# Dates further than this from now are typing mistakes.
PLAUSIBLE = timedelta(days=366)


@dataclass
class FulfilmentLineInputData:
    order_line_id: str
    quantity: int


@dataclass
class FulfilmentPayload:
    fulfilment: Fulfilment | None = None
    order: Order | None = None
    user_errors: list[UserErrorData] = field(default_factory=list)


@dataclass
class ShipmentEventPayload:
    event: ShipmentEvent | None = None
    fulfilment: Fulfilment | None = None
    order: Order | None = None
    user_errors: list[UserErrorData] = field(default_factory=list)


def _plausible(ctx: Context, when: datetime | None, *where: str) -> datetime | None:
    if when is None:
        return None
    if when.tzinfo is None:
        raise reject(E.INVALID_DATE, "Give a time with its zone (ISO 8601, e.g. 2026-06-15T12:00:00Z)", *where)
    if abs(when - ctx.now) > PLAUSIBLE:
        raise reject(E.INVALID_DATE, "This date is more than a year away from today", *where)
    return when


async def fulfilment_create(ctx: Context, order_id: str, lines: list[FulfilmentLineInputData], carrier: str,
                            tracking_number: str | None, shipped_at: datetime | None,
                            estimated_delivery_at: datetime | None) -> FulfilmentPayload:
    require_staff(ctx, "Mutation.fulfilmentCreate")

    async def work(s: Any) -> dict[str, Any]:
        oid = decode_or_reject(order_id, "Order", E.NOT_FOUND, "input", "orderId")
        wanted = [WantedLine(decode_or_reject(line.order_line_id, "OrderLine", E.LINE_NOT_IN_ORDER,
                                              "input", "lines", str(i), "orderLineId"), line.quantity)
                  for i, line in enumerate(lines)]
        found = find_carrier(carrier)
        if found is None:
            raise reject(E.UNKNOWN_CARRIER, f"Unknown carrier {carrier[:40]!r}: use one of the carriers query",
                         "input", "carrier")
        number = check_text(tracking_number, 60, E.INVALID_TRACKING_NUMBER, "input", "trackingNumber")
        if number is not None and not valid_tracking_number(number):
            raise reject(E.INVALID_TRACKING_NUMBER, "Tracking numbers are 4 to 60 letters, digits, spaces or dashes",
                         "input", "trackingNumber")
        shipped = _plausible(ctx, shipped_at, "input", "shippedAt") or ctx.now
        eta = _plausible(ctx, estimated_delivery_at, "input", "estimatedDeliveryAt")
        if eta is not None and eta < shipped:
            raise reject(E.INVALID_DATE, "Delivery cannot be estimated before shipping", "input", "estimatedDeliveryAt")
        order = await repo.lock_order(s, oid)
        if order is None:
            raise reject(E.NOT_FOUND, "No order with that ID", "input", "orderId")
        ordered = await repo.ordered_quantities(s, order.id)
        fulfilled = await repo.fulfilled_quantities(s, order.id)
        check_lines(order.status, ordered, fulfilled, wanted)
        f = Fulfilment(order_id=order.id, status=FulfilmentStatus.IN_TRANSIT, carrier=found.name,
                       tracking_number=number, tracking_url=tracking_url(found, number), shipped_at=shipped,
                       estimated_delivery_at=eta, created_at=ctx.now)
        s.add(f)
        await s.flush()
        for w in wanted:
            s.add(FulfilmentLine(fulfilment_id=f.id, order_line_id=w.order_line_id, quantity=w.quantity))
            fulfilled[w.order_line_id] = fulfilled.get(w.order_line_id, 0) + w.quantity
        before = order.status
        order.status = order_status_after(ordered, fulfilled)
        order.updated_at = ctx.now
        s.add(order)
        await invoice_at_fulfilment(s, order, merchant(ctx), ctx.now)
        audit.record(s, ctx.actor, "fulfilment.create", ctx.now, account_id=order.account_id,
                     target_type="Fulfilment", target_id=f.id, order_id=order.id, carrier=found.code,
                     lines={str(w.order_line_id): w.quantity for w in wanted},
                     order_status=[before.value, order.status.value])
        return {"fulfilment": f, "order": order}
    return await in_transaction(ctx, FulfilmentPayload, work)


async def fulfilment_event_add(ctx: Context, fulfilment_id: str, status: ShipmentEventStatus,
                               occurred_at: datetime | None, location: str | None, message: str | None,
                               estimated_delivery_at: datetime | None) -> ShipmentEventPayload:
    require_staff(ctx, "Mutation.fulfilmentEventAdd")

    async def work(s: Any) -> dict[str, Any]:
        fid = decode_or_reject(fulfilment_id, "Fulfilment", E.NOT_FOUND, "input", "fulfilmentId")
        where = check_text(location, 200, E.TOO_LONG, "input", "location")
        text = check_text(message, 500, E.TOO_LONG, "input", "message")
        at = _plausible(ctx, occurred_at, "input", "occurredAt") or ctx.now
        if at > ctx.now + timedelta(minutes=5):
            raise reject(E.INVALID_DATE, "An event cannot happen in the future", "input", "occurredAt")
        eta = _plausible(ctx, estimated_delivery_at, "input", "estimatedDeliveryAt")
        f = await repo.lock_fulfilment(s, fid)
        if f is None:
            raise reject(E.NOT_FOUND, "No fulfilment with that ID", "input", "fulfilmentId")
        if f.status is FulfilmentStatus.DELIVERED and status is not ShipmentEventStatus.DELIVERED:
            latest = await repo.latest_event_at(s, f.id)
            if latest is None or at >= latest:
                raise reject(E.ALREADY_DELIVERED, "This shipment was delivered; a later event cannot follow",
                             "input", "status")
        latest = await repo.latest_event_at(s, f.id)
        event = ShipmentEvent(fulfilment_id=f.id, status=status, occurred_at=at, location=where, message=text,
                              recorded_by_user_id=ctx.caller.user_id, created_at=ctx.now)
        s.add(event)
        new = status_after_event(status, at, latest)
        if new is not None:
            f.status = new
            if new is FulfilmentStatus.DELIVERED:
                f.delivered_at = at
        if eta is not None:
            f.estimated_delivery_at = eta
        s.add(f)
        order = await s.get(Order, f.order_id)
        await s.flush()
        audit.record(s, ctx.actor, "fulfilment.event", ctx.now, account_id=order.account_id,
                     target_type="Fulfilment", target_id=f.id, event_id=event.id, status=status.value,
                     occurred_at=at.isoformat())
        return {"event": event, "fulfilment": f, "order": order}
    return await in_transaction(ctx, ShipmentEventPayload, work)


async def order_estimated_delivery(ctx: Context, order: Any) -> datetime | None:
    return estimated_delivery(await ctx.loaders.fulfilments.load(order.id))


class OrderLineFetcher:
    """node(id:) for order lines: lines of the orders the caller sees, seen through their order."""

    def __init__(self, session: Any, ctx: Context) -> None:
        self.session = session
        self.scope = ctx.scope("rows:Order")

    async def get_many(self, ids: list[int]) -> dict[int, Any]:
        from resolvers.within import Within  # noqa: PLC0415
        return {line.id: Within(line, order.account_id, order.location_id)
                for line, order in await repo.order_lines_visible(self.session, self.scope, ids)}
