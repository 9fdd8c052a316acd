"""Fulfilments: staff record which order lines ship, the order's status follows, and carrier
events move a shipment along."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import FulfilmentStatus, OrderStatus
from db.models import Fulfilment, FulfilmentLine, Order, ShipmentEvent
from db.models.shipments import ShipmentEventStatus
from db.repositories import fulfilment as repo
from db.repositories import ordering as order_repo
from db.repositories.base import lock_row
from domain import audit, order_mail
from domain.audit import Actor
from domain.carriers import carrier as find_carrier
from domain.carriers import tracking_url, valid_tracking_number
from domain.errors import Problem, Rejected, reject
from domain.invoicing import MerchantSettings, invoice_at_fulfilment
from domain.text import check_text

# Orders that may ship: placed and approved, not finished, not cancelled.
SHIPPABLE = {OrderStatus.OPEN, OrderStatus.PARTIALLY_FULFILLED}
MAX_QUANTITY = 1_000_000
# Dates further than this from now are typing mistakes.
PLAUSIBLE = timedelta(days=366)


class FulfilmentErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    ORDER_NOT_SHIPPABLE = "ORDER_NOT_SHIPPABLE"
    NO_LINES = "NO_LINES"
    LINE_NOT_IN_ORDER = "LINE_NOT_IN_ORDER"
    DUPLICATE_LINE = "DUPLICATE_LINE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    QUANTITY_EXCEEDS_REMAINING = "QUANTITY_EXCEEDS_REMAINING"
    UNKNOWN_CARRIER = "UNKNOWN_CARRIER"
    INVALID_TRACKING_NUMBER = "INVALID_TRACKING_NUMBER"
    INVALID_DATE = "INVALID_DATE"
    TOO_LONG = "TOO_LONG"
    ALREADY_DELIVERED = "ALREADY_DELIVERED"


@dataclass(frozen=True)
class WantedLine:
    order_line_id: int
    quantity: int


def check_lines(status: OrderStatus, ordered: dict[int, int], fulfilled: dict[int, int],
                wanted: list[WantedLine]) -> None:
    """Raise Rejected unless every wanted line is of the order and fits what is left to ship."""
    E = FulfilmentErrorCode
    if status not in SHIPPABLE:
        raise Rejected(Problem(E.ORDER_NOT_SHIPPABLE, f"An order that is {status.value} cannot be fulfilled",
                               ("input", "orderId")))
    if not wanted:
        raise Rejected(Problem(E.NO_LINES, "Name at least one order line to ship", ("input", "lines")))
    problems = []
    seen = Counter(w.order_line_id for w in wanted)
    for i, w in enumerate(wanted):
        where = ("input", "lines", str(i))
        if w.order_line_id not in ordered:
            problems.append(Problem(E.LINE_NOT_IN_ORDER, "This line is not part of the order", where + ("orderLineId",)))
        elif seen[w.order_line_id] > 1:
            problems.append(Problem(E.DUPLICATE_LINE, "Each order line may appear once", where + ("orderLineId",)))
        elif w.quantity < 1 or w.quantity > MAX_QUANTITY:
            problems.append(Problem(E.INVALID_QUANTITY, "Quantities must be at least 1", where + ("quantity",)))
        else:
            left = ordered[w.order_line_id] - fulfilled.get(w.order_line_id, 0)
            if w.quantity > left:
                problems.append(Problem(E.QUANTITY_EXCEEDS_REMAINING,
                                        f"Only {left} of this line are left to ship", where + ("quantity",)))
    if problems:
        raise Rejected(*problems)


def order_status_after(ordered: dict[int, int], fulfilled: dict[int, int]) -> OrderStatus:
    if all(fulfilled.get(line, 0) >= qty for line, qty in ordered.items()):
        return OrderStatus.FULFILLED
    return OrderStatus.PARTIALLY_FULFILLED if any(fulfilled.values()) else OrderStatus.OPEN


EVENT_TO_STATUS = {
    ShipmentEventStatus.IN_TRANSIT: FulfilmentStatus.IN_TRANSIT,
    ShipmentEventStatus.OUT_FOR_DELIVERY: FulfilmentStatus.OUT_FOR_DELIVERY,
    ShipmentEventStatus.DELIVERED: FulfilmentStatus.DELIVERED,
    ShipmentEventStatus.EXCEPTION: FulfilmentStatus.EXCEPTION,
}


def status_after_event(event: ShipmentEventStatus, occurred_at: datetime,
                       latest_before: datetime | None) -> FulfilmentStatus | None:
    """The fulfilment's new status, or None when the event is older than one already recorded
    (carriers send events late and out of order: an old scan must not undo a delivery)."""
    if latest_before is not None and occurred_at < latest_before:
        return None
    return EVENT_TO_STATUS[event]


def estimated_delivery(fulfilments: list) -> datetime | None:  # type: ignore[type-arg]
    """The latest estimate among fulfilments still on their way."""
    open_ = [f.estimated_delivery_at for f in fulfilments
             if f.status not in (FulfilmentStatus.DELIVERED, FulfilmentStatus.FAILED) and f.estimated_delivery_at]
    return max(open_) if open_ else None


def _plausible(now: datetime, when: datetime | None, *where: str) -> datetime | None:
    E = FulfilmentErrorCode
    if when is None:
        return None
    if when.tzinfo is None:
        raise reject(E.INVALID_DATE, "Give a time with its zone (ISO 8601, e.g. 2026-06-15T12:00:00Z)", *where)
    if abs(when - now) > PLAUSIBLE:
        raise reject(E.INVALID_DATE, "This date is more than a year away from today", *where)
    return when


@dataclass(frozen=True)
class Shipment:
    """What staff say ships: lines, carrier, tracking number and dates."""

    lines: list[WantedLine]
    carrier: str
    tracking_number: str | None = None
    shipped_at: datetime | None = None
    estimated_delivery_at: datetime | None = None


async def create(s: AsyncSession, actor: Actor, now: datetime, merchant: MerchantSettings, order_id: int,
                 shipment: Shipment) -> tuple[Fulfilment, Order]:
    """Record a shipment of an order's lines; the order becomes PARTIALLY_FULFILLED or FULFILLED
    (and is invoiced now, if the merchant invoices at fulfilment)."""
    E = FulfilmentErrorCode
    found = find_carrier(shipment.carrier)
    if found is None:
        raise reject(E.UNKNOWN_CARRIER, f"Unknown carrier {shipment.carrier[:40]!r}: use one of the carriers query",
                     "input", "carrier")
    number = check_text(shipment.tracking_number, 60, E.INVALID_TRACKING_NUMBER, "input", "trackingNumber")
    if number is not None and not valid_tracking_number(number):
        raise reject(E.INVALID_TRACKING_NUMBER, "Tracking numbers are 4 to 60 letters, digits, spaces or dashes",
                     "input", "trackingNumber")
    shipped = _plausible(now, shipment.shipped_at, "input", "shippedAt") or now
    eta = _plausible(now, shipment.estimated_delivery_at, "input", "estimatedDeliveryAt")
    if eta is not None and eta < shipped:
        raise reject(E.INVALID_DATE, "Delivery cannot be estimated before shipping", "input", "estimatedDeliveryAt")
    order = await lock_row(s, Order, order_id)
    if order is None:
        raise reject(E.NOT_FOUND, "No order with that ID", "input", "orderId")
    order_lines = {line.id: line for line in await order_repo.order_lines(s, order.id)}
    ordered = {pk: line.quantity for pk, line in order_lines.items()}
    fulfilled = await repo.fulfilled_quantities(s, order.id)
    check_lines(order.status, ordered, fulfilled, shipment.lines)
    f = Fulfilment(order_id=order.id, status=FulfilmentStatus.IN_TRANSIT, carrier=found.name,
                   tracking_number=number, tracking_url=tracking_url(found, number), shipped_at=shipped,
                   estimated_delivery_at=eta, created_at=now)
    s.add(f)
    await s.flush()
    for w in shipment.lines:
        s.add(FulfilmentLine(fulfilment_id=f.id, order_line_id=w.order_line_id, quantity=w.quantity))
        fulfilled[w.order_line_id] = fulfilled.get(w.order_line_id, 0) + w.quantity
    before = order.status
    order.status = order_status_after(ordered, fulfilled)
    order.updated_at = now
    s.add(order)
    await invoice_at_fulfilment(s, order, merchant, now)
    await order_mail.shipped(s, order, f, [(order_lines[w.order_line_id], w.quantity) for w in shipment.lines], now)
    audit.record(s, actor, "fulfilment.create", now, account_id=order.account_id,
                 target_type="Fulfilment", target_id=f.id, order_id=order.id, carrier=found.code,
                 lines={str(w.order_line_id): w.quantity for w in shipment.lines},
                 order_status=[before.value, order.status.value])
    return f, order


@dataclass(frozen=True)
class CarrierEvent:
    status: ShipmentEventStatus
    occurred_at: datetime | None = None
    location: str | None = None
    message: str | None = None
    estimated_delivery_at: datetime | None = None


async def add_event(s: AsyncSession, actor: Actor, now: datetime, fulfilment_id: int,
                    event: CarrierEvent) -> tuple[ShipmentEvent, Fulfilment, Order]:
    """Record a carrier's status change; an event older than the latest one is kept but does not
    move the shipment back."""
    E = FulfilmentErrorCode
    where = check_text(event.location, 200, E.TOO_LONG, "input", "location")
    text = check_text(event.message, 500, E.TOO_LONG, "input", "message")
    at = _plausible(now, event.occurred_at, "input", "occurredAt") or now
    if at > now + timedelta(minutes=5):
        raise reject(E.INVALID_DATE, "An event cannot happen in the future", "input", "occurredAt")
    eta = _plausible(now, event.estimated_delivery_at, "input", "estimatedDeliveryAt")
    f = await lock_row(s, Fulfilment, fulfilment_id)
    if f is None:
        raise reject(E.NOT_FOUND, "No fulfilment with that ID", "input", "fulfilmentId")
    latest = await repo.latest_event_at(s, f.id)
    if f.status is FulfilmentStatus.DELIVERED and event.status is not ShipmentEventStatus.DELIVERED:
        if latest is None or at >= latest:
            raise reject(E.ALREADY_DELIVERED, "This shipment was delivered; a later event cannot follow",
                         "input", "status")
    row = ShipmentEvent(fulfilment_id=f.id, status=event.status, occurred_at=at, location=where, message=text,
                        recorded_by_user_id=actor.user_id, created_at=now)
    s.add(row)
    new = status_after_event(event.status, at, latest)
    delivered_now = new is FulfilmentStatus.DELIVERED and f.status is not FulfilmentStatus.DELIVERED
    if new is not None:
        f.status = new
        if new is FulfilmentStatus.DELIVERED:
            f.delivered_at = at
    if eta is not None:
        f.estimated_delivery_at = eta
    s.add(f)
    order = await s.get(Order, f.order_id)
    await s.flush()
    if delivered_now:  # once: a second DELIVERED scan of the same parcel sends nothing
        await order_mail.delivered(s, order, f, now)
    audit.record(s, actor, "fulfilment.event", now, account_id=order.account_id,
                 target_type="Fulfilment", target_id=f.id, order_id=order.id, event_id=row.id,
                 status=event.status.value, occurred_at=at.isoformat())
    return row, f, order
