"""Customers request returns of shipped lines with photos; staff decide, receive and refund."""
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import (Account, Order, OrderLine, Refund, ReturnLine, ReturnPhoto, ReturnRequest, User)
from db.models.returns import ReturnReason, ReturnStatus
from db.repositories import fulfilment as fulfilment_repo
from db.repositories.base import lock_row
from db.repositories import returns as repo
from db.repositories.orders import OrderRepository
from db.repositories.returns import ReturnFilter, ReturnRepository
from domain import audit, return_mail
from domain.images import sniff_image
from domain.errors import Problem, Rejected, reject
from domain.returns import (MAX_PHOTO_BYTES, MAX_PHOTOS, MAX_TEXT, ReturnErrorCode as E, WantedReturn,
                            check_lines, check_refund, default_refund, next_status)
from permissions.policy import rule
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import forbidden
from resolvers.userrors import (UserErrorData, check_text, decode_or_reject, in_transaction, require_signed_in,
                                require_staff)


@dataclass
class ReturnLineInputData:
    order_line_id: str
    quantity: int


@dataclass
class ReturnPayload:
    return_: ReturnRequest | None = None
    order: Order | None = None
    refund: Refund | None = None
    user_errors: list[UserErrorData] = field(default_factory=list)


@dataclass
class StoredPhoto:
    key: str
    content_type: str
    size: int
    sha256: str


async def _read_photos(uploads: list[Any]) -> list[tuple[bytes, Any]]:
    """Bytes and detected kind of each upload; Rejected for too many, too large or not an image."""
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


async def return_request(ctx: Context, order_id: str, lines: list[ReturnLineInputData], reason: ReturnReason,
                         reason_text: str | None, photos: list[Any]) -> ReturnPayload:
    require_signed_in(ctx)
    allowed = rule("Mutation.returnRequest")
    if not ctx.caller.allows(allowed):  # no BUYER or ADMIN role anywhere: nothing to check further
        raise forbidden("Only a BUYER or ADMIN of the order's location may request a return")
    stored: list[StoredPhoto] = []

    async def work(s: Any) -> dict[str, Any]:
        oid = decode_or_reject(order_id, "Order", E.NOT_FOUND, "input", "orderId")
        wanted = [WantedReturn(decode_or_reject(line.order_line_id, "OrderLine", E.LINE_NOT_IN_ORDER,
                                                "input", "lines", str(i), "orderLineId"), line.quantity)
                  for i, line in enumerate(lines)]
        text = check_text(reason_text, MAX_TEXT, E.TOO_LONG, "input", "reasonText")
        if reason is ReturnReason.OTHER and not text:
            raise reject(E.REASON_TEXT_REQUIRED, "Say why, when the reason is OTHER", "input", "reasonText")
        # Lock first (see lock_row), then check the caller may see the order at all.
        order = await lock_row(s, Order, oid)
        if order is None or await OrderRepository(s, ctx.scope("rows:Order")).get(oid) is None:
            raise reject(E.NOT_FOUND, "No order with that ID", "input", "orderId")
        if not ctx.caller.allows(allowed, order.account_id, order.location_id):
            raise forbidden("Only a BUYER or ADMIN of the order's location may request a return")
        ordered = await fulfilment_repo.ordered_quantities(s, order.id)
        shipped = await fulfilment_repo.fulfilled_quantities(s, order.id)
        returned = await repo.returned_quantities(s, order.id)
        check_lines(set(ordered), shipped, returned, wanted)
        images = await _read_photos(photos)
        n = await repo.count_for_order(s, order.id)
        ret = ReturnRequest(number=f"RMA-{order.number}-{n + 1}", order_id=order.id, account_id=order.account_id,
                            location_id=order.location_id, requested_by_user_id=ctx.caller.user_id,
                            status=ReturnStatus.REQUESTED, reason=reason, reason_text=text, currency=order.currency,
                            created_at=ctx.now, updated_at=ctx.now)
        s.add(ret)
        await s.flush()
        for w in wanted:
            s.add(ReturnLine(return_id=ret.id, order_line_id=w.order_line_id, quantity=w.quantity))
        for data, kind in images:
            photo = StoredPhoto(f"returns/{ret.id}/{uuid.uuid4().hex}.{kind.extension}", kind.content_type,
                                len(data), hashlib.sha256(data).hexdigest())
            await ctx.storage.put(photo.key, data, photo.content_type)
            stored.append(photo)
            s.add(ReturnPhoto(return_id=ret.id, storage_key=photo.key, content_type=photo.content_type,
                              size_bytes=photo.size, sha256=photo.sha256, created_at=ctx.now))
        audit.record(s, ctx.actor, "return.request", ctx.now, account_id=order.account_id, target_type="Return",
                     target_id=ret.id, order_id=order.id, reason=reason.value, photos=len(images),
                     lines={str(w.order_line_id): w.quantity for w in wanted})
        await _notify(s, ret, order, ctx)
        return {"return_": ret, "order": order}

    try:
        result = await in_transaction(ctx, ReturnPayload, work)
    except BaseException:
        await _forget(ctx, stored)
        raise
    if result.user_errors:
        await _forget(ctx, stored)
    return result


async def _forget(ctx: Context, stored: list[StoredPhoto]) -> None:
    """Files of a return that was not written must not stay behind."""
    for photo in stored:
        await ctx.storage.delete(photo.key)


async def _notify(s: Any, ret: ReturnRequest, order: Order, ctx: Context, **kw: Any) -> None:
    account = await s.get(Account, order.account_id)
    user = await s.get(User, ret.requested_by_user_id) if ret.requested_by_user_id else None
    return_mail.notify(s, ret, order, account, user, ctx.now, **kw)


async def _decide(ctx: Context, key: str, action: str, return_id: str, note: str | None,
                  note_required: bool = False, amount: Decimal | None = None) -> ReturnPayload:
    require_staff(ctx, key)

    async def work(s: Any) -> dict[str, Any]:
        rid = decode_or_reject(return_id, "Return", E.NOT_FOUND, "input", "id")
        text = check_text(note, MAX_TEXT, E.TOO_LONG, "input", "note")
        if note_required and not text:
            raise reject(E.NOTE_REQUIRED, "Tell the customer why", "input", "note")
        ret = await repo.lock_return(s, rid)
        if ret is None:
            raise reject(E.NOT_FOUND, "No return with that ID", "input", "id")
        before = ret.status
        ret.status = next_status(ret.status, action)
        ret.updated_at = ctx.now
        order = await lock_row(s, Order, ret.order_id)
        assert order is not None
        refund = None
        extra: dict[str, Any] = {}
        if action in ("approve", "decline"):
            ret.decided_at, ret.decided_by_user_id = ctx.now, ctx.caller.user_id
            ret.decision_note = text
        elif action == "receive":
            ret.received_at = ctx.now
        elif action == "refund":
            lines = await repo.lines_of(s, ret.id)
            order_lines = {ol.id: ol for ol in [await s.get(OrderLine, rl.order_line_id) for rl in lines]}
            suggested = default_refund([(order_lines[rl.order_line_id].unit_price, rl.quantity) for rl in lines],
                                       order.subtotal, order.tax, order.currency)
            refundable = order.total - await repo.refunded_total(s, order.id)
            value = check_refund(amount if amount is not None else min(suggested, refundable), refundable,
                                 order.currency).quantize(Decimal("0.0001"))  # as the database gives it back
            refund = Refund(order_id=order.id, return_id=ret.id, account_id=order.account_id, amount=value,
                            currency=order.currency, note=text, created_by_user_id=ctx.caller.user_id,
                            created_at=ctx.now)
            s.add(refund)
            ret.refunded_at = ctx.now
            extra["refund"] = value
        s.add(ret)
        await s.flush()
        audit.record(s, ctx.actor, f"return.{action}", ctx.now, account_id=ret.account_id, target_type="Return",
                     target_id=ret.id, status=[before.value, ret.status.value],
                     **({"amount": str(extra["refund"]), "refund_id": refund.id} if refund else {}))
        await _notify(s, ret, order, ctx, note=text, **extra)
        return {"return_": ret, "order": order, "refund": refund}
    return await in_transaction(ctx, ReturnPayload, work)


async def return_approve(ctx: Context, return_id: str, note: str | None) -> ReturnPayload:
    return await _decide(ctx, "Mutation.returnApprove", "approve", return_id, note)


async def return_decline(ctx: Context, return_id: str, note: str | None) -> ReturnPayload:
    return await _decide(ctx, "Mutation.returnDecline", "decline", return_id, note, note_required=True)


async def return_receive(ctx: Context, return_id: str, note: str | None) -> ReturnPayload:
    return await _decide(ctx, "Mutation.returnReceive", "receive", return_id, note)


async def return_refund(ctx: Context, return_id: str, amount: Decimal | None, note: str | None) -> ReturnPayload:
    return await _decide(ctx, "Mutation.returnRefund", "refund", return_id, note, amount=amount)


async def returns(ctx: Context, filter_: ReturnFilter, window: Window) -> Connection:
    require_signed_in(ctx)
    scope = ctx.scope("rows:Return")
    return await paginate(ctx, lambda s: ReturnRepository(s, scope), filter_, window)


@dataclass
class PhotoFile:
    data: bytes
    content_type: str
    filename: str


async def photo_download(ctx: Context, photo_id: str) -> PhotoFile | None:
    """The photo's bytes, if the caller may see its return; None otherwise (missing or not yours)."""
    try:
        pk = decode_or_reject(photo_id, "ReturnPhoto", E.NOT_FOUND)
    except Rejected:
        return None
    async with ctx.db.session() as s:
        found = await ReturnRepository(s, ctx.scope("rows:Return")).photo(pk)
    if found is None:
        return None
    photo, ret = found
    data = await ctx.storage.get(photo.storage_key)
    if data is None:
        return None
    ext = photo.storage_key.rsplit(".", 1)[-1]
    return PhotoFile(data, photo.content_type, f"{ret.number}-photo-{photo.id}.{ext}")


__all__ = ["Problem", "photo_download", "return_request", "returns"]
