"""Customers request returns of shipped lines with photos; staff decide, receive and refund."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import Order, Refund, ReturnRequest
from db.models.returns import ReturnReason
from db.repositories.returns import ReturnFilter, ReturnRepository
from domain import returns
from domain.errors import Rejected
from domain.returns import ReturnAsked, ReturnErrorCode as E, WantedReturn
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError, unauthenticated
from resolvers.globalid import decode_or_reject
from resolvers.mutation import mutation, require


@dataclass
class ReturnLineInputData:
    order_line_id: str
    quantity: int


@dataclass
class ReturnPayload:
    return_: ReturnRequest | None = None
    order: Order | None = None
    refund: Refund | None = None
    user_errors: list[UserError] = field(default_factory=list)


@mutation("returnRequest", ReturnPayload, audit="return.request")
async def _request(ctx: Context, s: Any, order_id: str, lines: list[ReturnLineInputData], reason: ReturnReason,
                   reason_text: str | None, photos: list[Any], written: list[str]) -> dict[str, Any]:
    oid = decode_or_reject(order_id, "Order", E.NOT_FOUND, "input", "orderId")
    wanted = [WantedReturn(decode_or_reject(line.order_line_id, "OrderLine", E.LINE_NOT_IN_ORDER,
                                            "input", "lines", str(i), "orderLineId"), line.quantity)
              for i, line in enumerate(lines)]
    ret, order = await returns.request(
        s, ctx.actor, ctx.now, ctx.storage, ctx.scope("rows:Order"),
        lambda account_id, location_id: require(ctx, "Mutation.returnRequest", account_id, location_id),
        ReturnAsked(oid, wanted, reason, reason_text, photos), written)
    return {"return_": ret, "order": order}


async def return_request(ctx: Context, order_id: str, lines: list[ReturnLineInputData], reason: ReturnReason,
                         reason_text: str | None, photos: list[Any]) -> ReturnPayload:
    """The photos stored for a return that was not written are removed again."""
    written: list[str] = []
    try:
        result = await _request(ctx, order_id, lines, reason, reason_text, photos, written)
    except BaseException:
        await returns.forget_photos(ctx.storage, written)
        raise
    if result.user_errors:
        await returns.forget_photos(ctx.storage, written)
    return result


async def _decide(ctx: Context, s: Any, action: str, return_id: str, note: str | None,
                  amount: Decimal | None = None) -> dict[str, Any]:
    rid = decode_or_reject(return_id, "Return", E.NOT_FOUND, "input", "id")
    ret, order, refund = await returns.decide(s, ctx.actor, ctx.now, action, rid, note, amount, ctx.merchant)
    return {"return_": ret, "order": order, "refund": refund}


@mutation("returnApprove", ReturnPayload, audit="return.approve")
async def return_approve(ctx: Context, s: Any, return_id: str, note: str | None) -> dict[str, Any]:
    return await _decide(ctx, s, "approve", return_id, note)


@mutation("returnDecline", ReturnPayload, audit="return.decline")
async def return_decline(ctx: Context, s: Any, return_id: str, note: str | None) -> dict[str, Any]:
    return await _decide(ctx, s, "decline", return_id, note)


@mutation("returnReceive", ReturnPayload, audit="return.receive")
async def return_receive(ctx: Context, s: Any, return_id: str, note: str | None) -> dict[str, Any]:
    return await _decide(ctx, s, "receive", return_id, note)


@mutation("returnRefund", ReturnPayload, audit="return.refund")
async def return_refund(ctx: Context, s: Any, return_id: str, amount: Decimal | None,
                        note: str | None) -> dict[str, Any]:
    return await _decide(ctx, s, "refund", return_id, note, amount)


async def returns_list(ctx: Context, filter_: ReturnFilter, window: Window) -> Connection:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
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
