"""Returns: what may be returned, how a return moves through its states, and its refund."""
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Order, Refund, ReturnLine, ReturnPhoto, ReturnRequest
from db.models.returns import ReturnReason, ReturnStatus
from db.repositories import fulfilment as fulfilment_repo
from db.repositories import returns as repo
from db.repositories.base import lock_row
from db.repositories.orders import OrderRepository
from db.repositories.returns import ReturnedLine
from db.scope import RowScope
from domain import audit, return_mail
from domain.audit import Actor
from domain.errors import Problem, Rejected, reject
from domain.file_types import FileKind, sniff_image
from domain.invoicing import MerchantSettings, credit_notes
from domain.money import round_to_minor
from domain.storage import FileStorage
from domain.text import check_text

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


def default_refund(lines: list[ReturnedLine], currency: str) -> Decimal:
    """Unit price times quantity of each returned line, plus that share of the line's own tax (none
    to add where the price held it: a tax-inclusive price list)."""
    goods = sum((line.unit_price * line.returned for line in lines), Decimal(0))
    tax = sum((line.tax_amount * line.returned / line.quantity for line in lines
               if not line.tax_included and line.quantity > 0), Decimal(0))
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


class PhotoUpload(Protocol):
    async def read(self, size: int = -1) -> bytes:
        """At most `size` bytes of the uploaded file."""


async def read_photos(uploads: list[PhotoUpload]) -> list[tuple[bytes, FileKind]]:
    """Bytes and detected kind of each upload; Rejected for too many, too large or not an image."""
    E = ReturnErrorCode
    if len(uploads) > MAX_PHOTOS:
        raise reject(E.TOO_MANY_PHOTOS, f"At most {MAX_PHOTOS} photos", "input", "photos")
    out = []
    for i, upload in enumerate(uploads):
        data = await upload.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise reject(E.PHOTO_TOO_LARGE, f"A photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB",
                         "input", "photos", str(i))
        kind = sniff_image(data)
        if kind is None:
            raise reject(E.PHOTO_NOT_AN_IMAGE, "Photos must be JPEG, PNG, GIF or WebP images", "input", "photos", str(i))
        out.append((data, kind))
    return out


# The caller's policy check on the order it read (account, location): raises when not allowed.
Guard = Callable[[int, int | None], None]


@dataclass
class ReturnAsked:
    """What a customer asks to return, and the photos it sends."""

    order_id: int
    lines: list[WantedReturn]
    reason: ReturnReason
    reason_text: str | None = None
    photos: list[PhotoUpload] = field(default_factory=list)


async def request(s: AsyncSession, actor: Actor, now: datetime, storage: FileStorage, scope: RowScope,
                  guard: Guard, asked: ReturnAsked, written: list[str]) -> tuple[ReturnRequest, Order]:
    """Record a REQUESTED return of shipped lines with its photos; the keys of the files stored
    go into `written`, so the caller can remove them when the transaction does not commit."""
    E = ReturnErrorCode
    text = check_text(asked.reason_text, MAX_TEXT, E.TOO_LONG, "input", "reasonText")
    if asked.reason is ReturnReason.OTHER and not text:
        raise reject(E.REASON_TEXT_REQUIRED, "Say why, when the reason is OTHER", "input", "reasonText")
    # Lock first (see lock_row), then check the caller may see the order at all.
    order = await lock_row(s, Order, asked.order_id)
    if order is None or await OrderRepository(s, scope).get(asked.order_id) is None:
        raise reject(E.NOT_FOUND, "No order with that ID", "input", "orderId")
    guard(order.account_id, order.location_id)
    ordered = await fulfilment_repo.ordered_quantities(s, order.id)
    shipped = await fulfilment_repo.fulfilled_quantities(s, order.id)
    returned = await repo.returned_quantities(s, order.id)
    check_lines(set(ordered), shipped, returned, asked.lines)
    images = await read_photos(asked.photos)
    n = await repo.count_for_order(s, order.id)
    ret = ReturnRequest(number=f"RMA-{order.number}-{n + 1}", order_id=order.id, account_id=order.account_id,
                        location_id=order.location_id, requested_by_user_id=actor.user_id,
                        status=ReturnStatus.REQUESTED, reason=asked.reason, reason_text=text, currency=order.currency,
                        created_at=now, updated_at=now)
    s.add(ret)
    await s.flush()
    for w in asked.lines:
        s.add(ReturnLine(return_id=ret.id, order_line_id=w.order_line_id, quantity=w.quantity))
    for data, kind in images:
        key = f"returns/{ret.id}/{uuid.uuid4().hex}.{kind.extension}"
        await storage.put(key, data, kind.content_type)
        written.append(key)
        s.add(ReturnPhoto(return_id=ret.id, storage_key=key, content_type=kind.content_type, size_bytes=len(data),
                          sha256=hashlib.sha256(data).hexdigest(), created_at=now))
    audit.record(s, actor, "return.request", now, account_id=order.account_id, target_type="Return",
                 target_id=ret.id, order_id=order.id, reason=asked.reason.value, photos=len(images),
                 lines={str(w.order_line_id): w.quantity for w in asked.lines})
    await return_mail.notify(s, ret, order, now)
    return ret, order


async def forget_photos(storage: FileStorage, keys: list[str]) -> None:
    """Files of a return that was not written must not stay behind."""
    for key in keys:
        await storage.delete(key)


async def decide(s: AsyncSession, actor: Actor, now: datetime, action: str, return_id: int, note: str | None,
                 amount: Decimal | None = None,
                 merchant: MerchantSettings | None = None) -> tuple[ReturnRequest, Order, Refund | None]:
    """Move a return on (approve, decline, receive, refund). The return is read under a lock, so of
    two staff deciding at once the second sees the first's decision and gets INVALID_STATUS. A
    refund of an invoiced order is a credit note against its invoice too."""
    E = ReturnErrorCode
    text = check_text(note, MAX_TEXT, E.TOO_LONG, "input", "note")
    if action == "decline" and not text:
        raise reject(E.NOTE_REQUIRED, "Tell the customer why", "input", "note")
    ret = await lock_row(s, ReturnRequest, return_id)
    if ret is None:
        raise reject(E.NOT_FOUND, "No return with that ID", "input", "id")
    before = ret.status
    ret.status = next_status(ret.status, action)
    ret.updated_at = now
    order = await lock_row(s, Order, ret.order_id)
    refund, credit_note = None, None
    if action in ("approve", "decline"):
        ret.decided_at, ret.decided_by_user_id = now, actor.user_id
        ret.decision_note = text
    elif action == "receive":
        ret.received_at = now
    elif action == "refund":
        suggested = default_refund(await repo.priced_lines(s, ret.id), order.currency)
        refundable = order.total - await repo.refunded_total(s, order.id)
        value = check_refund(amount if amount is not None else min(suggested, refundable), refundable,
                             order.currency).quantize(Decimal("0.0001"))  # as the database gives it back
        refund = Refund(order_id=order.id, return_id=ret.id, account_id=order.account_id, amount=value,
                        currency=order.currency, note=text, created_by_user_id=actor.user_id, created_at=now)
        s.add(refund)
        ret.refunded_at = now
        credit_note = await credit_notes.credit_for_return(s, order, ret, value, merchant or MerchantSettings(), now,
                                                           actor.user_id)
    s.add(ret)
    await s.flush()
    audit.record(s, actor, f"return.{action}", now, account_id=ret.account_id, target_type="Return",
                 target_id=ret.id, status=[before.value, ret.status.value],
                 **({"amount": str(refund.amount), "refund_id": refund.id} if refund else {}),
                 **({"credit_note_id": credit_note.id} if credit_note else {}))
    await return_mail.notify(s, ret, order, now, note=text, refund=refund.amount if refund else None)
    return ret, order, refund
