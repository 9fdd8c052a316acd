"""Returns: what may be returned, how a return moves through its states, and its refund."""
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from db.models.returns import ReturnStatus
from domain.money import round_to_minor
from domain.errors import Problem, Rejected

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_TEXT = 2000


class ReturnErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    NO_LINES = "NO_LINES"
    LINE_NOT_IN_ORDER = "LINE_NOT_IN_ORDER"
    DUPLICATE_LINE = "DUPLICATE_LINE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    NOT_SHIPPED = "NOT_SHIPPED"
    QUANTITY_EXCEEDS_RETURNABLE = "QUANTITY_EXCEEDS_RETURNABLE"
    REASON_TEXT_REQUIRED = "REASON_TEXT_REQUIRED"
    NOTE_REQUIRED = "NOTE_REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_MANY_PHOTOS = "TOO_MANY_PHOTOS"
    PHOTO_TOO_LARGE = "PHOTO_TOO_LARGE"
    PHOTO_NOT_AN_IMAGE = "PHOTO_NOT_AN_IMAGE"
    INVALID_STATUS = "INVALID_STATUS"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    AMOUNT_EXCEEDS_REFUNDABLE = "AMOUNT_EXCEEDS_REFUNDABLE"


@dataclass(frozen=True)
class WantedReturn:
    order_line_id: int
    quantity: int


def check_lines(ordered: set[int], shipped: dict[int, int], returned: dict[int, int],
                wanted: list[WantedReturn]) -> None:
    """Each line must be of the order, shipped, and not returned beyond what shipped."""
    E = ReturnErrorCode
    if not wanted:
        raise Rejected(Problem(E.NO_LINES, "Name at least one shipped line to return", ("input", "lines")))
    seen = Counter(w.order_line_id for w in wanted)
    problems = []
    for i, w in enumerate(wanted):
        where = ("input", "lines", str(i))
        left = shipped.get(w.order_line_id, 0) - returned.get(w.order_line_id, 0)
        if w.order_line_id not in ordered:
            problems.append(Problem(E.LINE_NOT_IN_ORDER, "This line is not part of the order", where + ("orderLineId",)))
        elif seen[w.order_line_id] > 1:
            problems.append(Problem(E.DUPLICATE_LINE, "Each order line may appear once", where + ("orderLineId",)))
        elif w.quantity < 1:
            problems.append(Problem(E.INVALID_QUANTITY, "Quantities must be at least 1", where + ("quantity",)))
        elif shipped.get(w.order_line_id, 0) == 0:
            problems.append(Problem(E.NOT_SHIPPED, "Nothing of this line has shipped yet", where + ("orderLineId",)))
        elif w.quantity > left:
            problems.append(Problem(E.QUANTITY_EXCEEDS_RETURNABLE,
                                    f"At most {left} of this line can still be returned", where + ("quantity",)))
    if problems:
        raise Rejected(*problems)


# action -> (the status it needs, the status it leaves)
TRANSITIONS = {
    "approve": (ReturnStatus.REQUESTED, ReturnStatus.APPROVED),
    "decline": (ReturnStatus.REQUESTED, ReturnStatus.DECLINED),
    "receive": (ReturnStatus.APPROVED, ReturnStatus.RECEIVED),
    "refund": (ReturnStatus.RECEIVED, ReturnStatus.REFUNDED),
}


def next_status(current: ReturnStatus, action: str) -> ReturnStatus:
    needed, after = TRANSITIONS[action]
    if current is not needed:
        done = {"approve": "approved", "decline": "declined", "receive": "received", "refund": "refunded"}[action]
        raise Rejected(Problem(ReturnErrorCode.INVALID_STATUS,
                               f"This return is {current.value}; only {needed.value} returns can be {done}",
                               ("input", "id")))
    return after


def default_refund(lines: list[tuple[Decimal, int]], order_subtotal: Decimal, order_tax: Decimal,
                   currency: str) -> Decimal:
    """Unit price times quantity of each returned line, plus the order's tax on that share."""
    goods = sum((price * qty for price, qty in lines), Decimal(0))
    tax = order_tax * goods / order_subtotal if order_subtotal > 0 else Decimal(0)
    return round_to_minor(goods + tax, currency)


def check_refund(amount: Decimal, refundable: Decimal, currency: str) -> Decimal:
    E = ReturnErrorCode
    if refundable <= 0:
        raise Rejected(Problem(E.AMOUNT_EXCEEDS_REFUNDABLE, "The order has been refunded in full already",
                               ("input", "amount")))
    if amount <= 0 or amount != round_to_minor(amount, currency):
        raise Rejected(Problem(E.INVALID_AMOUNT, f"Enter a positive amount in whole {currency} minor units",
                               ("input", "amount")))
    if amount > refundable:
        raise Rejected(Problem(E.AMOUNT_EXCEEDS_REFUNDABLE,
                               f"At most {refundable} {currency} of this order can still be refunded",
                               ("input", "amount")))
    return amount
