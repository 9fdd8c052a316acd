"""Quotes: buyers request, accept or decline; merchant staff respond. The quote is read under lock
through the caller's scope; domain/quotes.py decides."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models import Order, Quote
from db.repositories import ordering as repo
from db.repositories.quotes import QuoteFilter, QuoteRepository
from domain import idempotency
from domain import quotes as domain
from domain.ordering import LineRequest
from domain.quotes import QuoteErrorCode as Q
from resolvers.carts import find_location
from resolvers.rows import find_row
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError
from resolvers.globalid import decode_as
from resolvers.mutation import mutation, require
from resolvers.ordering import owner, ship_to


@dataclass
class QuotePayload:
    quote: Quote | None = None
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class QuoteAcceptPayload:
    quote: Quote | None = None
    order: Order | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def find_quote(ctx: Context, s: Any, gid: str) -> Quote:
    """The quote locked for this transaction, if the caller sees it: two decisions on one quote run
    one after the other."""
    return await find_row(QuoteRepository(s, ctx.scope("rows:Quote")), gid, "Quote", Q.QUOTE_NOT_FOUND,
                          "quoteId")


async def quotes(ctx: Context, statuses: tuple[str, ...], window: Window) -> Connection:
    """Statuses as the schema names them: stored ones and EXPIRED."""
    scope = ctx.scope("rows:Quote")
    f = QuoteFilter(statuses=tuple(str(s) for s in statuses), now=ctx.now)
    return await paginate(ctx, lambda s: QuoteRepository(s, scope), f, window)


@mutation("quoteRequest", QuotePayload, audit="quote.request")
async def quote_request(ctx: Context, s: Any, location_gid: str, lines: list[LineRequest],
                        note: str | None) -> dict[str, Any]:
    location = await find_location(ctx, s, location_gid, "Mutation.quoteRequest")
    account = await repo.account(s, location.account_id)
    return {"quote": await domain.request(s, account.id, account.currency, location, ctx.caller.user_id, lines,  # type: ignore[arg-type]
                                          note, ctx.loaders.pricing.pricer_in(s), ctx.now, ctx.actor, ctx.merchant)}


@mutation("quoteRespond", QuotePayload, audit="quote.respond")
async def quote_respond(ctx: Context, s: Any, quote_gid: str, prices: list[tuple[str, Any]], expires_at: datetime,
                        note: str | None) -> dict[str, Any]:
    quote = await find_quote(ctx, s, quote_gid)
    require(ctx, "Mutation.quoteRespond", quote.account_id, quote.location_id)
    answers = [domain.PriceAnswer(decode_as(gid, "QuoteLine"), price, ["input", "lines", str(i)])
               for i, (gid, price) in enumerate(prices)]
    return {"quote": await domain.respond(s, quote, answers, expires_at, note, ctx.caller.user_id, ctx.now,
                                          ctx.actor)}


@mutation("quoteAccept", QuoteAcceptPayload, audit="quote.accept")
async def quote_accept(ctx: Context, s: Any, quote_gid: str, idempotency_key: str | None, po_number: str | None,
                       note: str | None, address_gid: str | None) -> dict[str, Any]:
    quote = await find_quote(ctx, s, quote_gid)

    async def accept() -> Order:
        require(ctx, "Mutation.quoteAccept", quote.account_id, quote.location_id, quote.requested_by_user_id)
        require(ctx, "Mutation.orderPlace", quote.account_id, quote.location_id)
        address, book_address = ship_to(address_gid)
        return await domain.accept(s, quote, ctx.caller.user_id, po_number, note, address, ctx.now, ctx.actor,
                                   ctx.merchant, book_address)
    if idempotency_key is None:
        return {"quote": quote, "order": await accept()}
    body = {"quote": quote_gid, "po": po_number, "note": note, "address": address_gid}
    order, _replayed = await idempotency.once(s, owner(ctx), "quoteAccept", idempotency_key, body, ctx.now, accept,
                                              lambda order_id: repo.order(s, order_id))
    return {"quote": quote, "order": order}


@mutation("quoteDecline", QuotePayload, audit="quote.decline")
async def quote_decline(ctx: Context, s: Any, quote_gid: str, reason: str | None) -> dict[str, Any]:
    quote = await find_quote(ctx, s, quote_gid)
    require(ctx, "Mutation.quoteDecline", quote.account_id, quote.location_id, quote.requested_by_user_id)
    return {"quote": await domain.decline(s, quote, reason, ctx.now, ctx.actor)}
