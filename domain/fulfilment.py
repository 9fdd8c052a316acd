"""Fulfilments: which order lines ship, and what the order's status becomes; shipment events."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from db.enums import FulfilmentStatus, OrderStatus
from db.models.shipments import ShipmentEventStatus
from domain.problems import Problem, Rejected

# Orders that may ship: placed and approved, not finished, not cancelled.
SHIPPABLE = {OrderStatus.OPEN, OrderStatus.PARTIALLY_FULFILLED}
MAX_QUANTITY = 1_000_000


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
