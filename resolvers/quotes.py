"""Quotes: buyers request, accept or decline; merchant staff respond."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models import Order, Quote
from db.repositories import ordering as repo
from db.repositories.quotes import QuoteFilter, QuoteRepository
from domain import idempotency
from domain import quotes as domain
from domain.ordering import LineRequest
from resolvers.connections import Connection, Window, paginate
from permissions.policy import rule
from resolvers.context import Context
from resolvers.errors import forbidden
from resolvers.ordering_common import (UserError, error, in_transaction, merchant, pk, principal, require,
                                       visible_location)


@dataclass
class QuotePayload:
    quote: Quote | None = None
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class QuoteAcceptPayload:
    quote: Quote | None = None
    order: Order | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def visible_quote(ctx: Context, session: Any, gid: str) -> Quote:
    quote = await QuoteRepository(session, ctx.scope("rows:Quote")).get_for_update(pk(gid, "Quote"))
    if quote is None:
        raise error("QUOTE_NOT_FOUND", "No quote with that ID", "input", "quoteId")
    return quote


async def quotes(ctx: Context, statuses: tuple[str, ...], window: Window) -> Connection:
    """Statuses as the schema names them: stored ones and EXPIRED."""
    scope = ctx.scope("rows:Quote")
    f = QuoteFilter(statuses=tuple(str(s) for s in statuses), now=ctx.now)
    return await paginate(ctx, lambda s: QuoteRepository(s, scope), f, window)


async def quote_request(ctx: Context, location_gid: str, lines: list[LineRequest], note: str | None) -> QuotePayload:
    async def work(s: Any) -> Quote:
        location = await visible_location(ctx, s, location_gid, "input", "locationId")
        require(ctx, "Mutation.quoteRequest", location.account_id, location.id)
        account = await repo.account(s, location.account_id)
        return await domain.request(s, account.id, account.currency, location, ctx.caller.user_id, lines,  # type: ignore[arg-type]
                                    note, ctx.loaders.ordering.pricer_in(s), ctx.now, ctx.actor)
    quote, errors = await in_transaction(ctx, work, "quote.request")
    return QuotePayload(quote, errors)


async def quote_respond(ctx: Context, quote_gid: str, prices: list[tuple[str, Any]], expires_at: datetime,
                        note: str | None) -> QuotePayload:
    async def work(s: Any) -> Quote:
        # Checked before the quote is looked up: STAFF_SUPPORT learns nothing about which quotes exist.
        if not ctx.caller.allows(rule("Mutation.quoteRespond")):
            raise forbidden("Only merchant staff with STAFF_ADMIN answer quotes")
        quote = await visible_quote(ctx, s, quote_gid)
        require(ctx, "Mutation.quoteRespond", quote.account_id, quote.location_id)
        answers = [domain.PriceAnswer(pk(gid, "QuoteLine"), price, ["input", "lines", str(i)])
                   for i, (gid, price) in enumerate(prices)]
        return await domain.respond(s, quote, answers, expires_at, note, ctx.caller.user_id, ctx.now, ctx.actor)
    quote, errors = await in_transaction(ctx, work, "quote.respond")
    return QuotePayload(quote, errors)


async def quote_accept(ctx: Context, quote_gid: str, idempotency_key: str | None, po_number: str | None,
                       note: str | None, address_gid: str | None) -> QuoteAcceptPayload:
    holder: dict[str, Any] = {}

    async def work(s: Any) -> Order:
        if idempotency_key is not None and not 0 < len(idempotency_key.strip()) <= idempotency.KEY_MAX:
            raise error("INVALID_IDEMPOTENCY_KEY", "An idempotency key has 1 to 255 characters",
                        "input", "idempotencyKey")
        claim = None
        if idempotency_key:
            body = {"quote": quote_gid, "po": po_number, "note": note, "address": address_gid}
            try:
                claim = await idempotency.claim(s, principal(ctx), "quoteAccept", idempotency_key.strip(), body,
                                                ctx.now)
            except idempotency.KeyReused:
                raise error("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for another request",
                            "input", "idempotencyKey") from None
            except idempotency.KeyInFlight:
                raise error("IDEMPOTENCY_KEY_IN_USE", "A request with this key is running: retry in a moment",
                            "input", "idempotencyKey") from None
        quote = await visible_quote(ctx, s, quote_gid)
        holder["quote"] = quote
        if claim is not None and claim.replay:
            return await repo.order(s, claim.result_id)  # type: ignore[arg-type]
        require(ctx, "Mutation.quoteAccept", quote.account_id, quote.location_id, quote.requested_by_user_id)
        require(ctx, "Mutation.orderPlace", quote.account_id, quote.location_id)
        location = await repo.location(s, quote.location_id)
        address_id = None
        if address_gid is not None:
            found = await repo.shipping_address(s, location.id, pk(address_gid, "Address"))  # type: ignore[arg-type]
            if found is None:
                raise error("ADDRESS_NOT_FOUND", "The shipping address is not one of the location's",
                            "input", "shippingAddressId")
            address_id = found.id
        order = await domain.accept(s, quote, location, ctx.caller.user_id, po_number, note, address_id, ctx.now,
                                    ctx.actor, merchant(ctx))
        if claim is not None:
            idempotency.complete(claim, "Order", order.id)  # type: ignore[arg-type]
        return order
    order, errors = await in_transaction(ctx, work, "quote.accept")
    if order is None:
        return QuoteAcceptPayload(None, None, errors)
    return QuoteAcceptPayload(holder.get("quote"), order, [])


async def quote_decline(ctx: Context, quote_gid: str, reason: str | None) -> QuotePayload:
    async def work(s: Any) -> Quote:
        quote = await visible_quote(ctx, s, quote_gid)
        require(ctx, "Mutation.quoteDecline", quote.account_id, quote.location_id, quote.requested_by_user_id)
        return await domain.decline(s, quote, reason, ctx.now, ctx.actor)
    quote, errors = await in_transaction(ctx, work, "quote.decline")
    return QuotePayload(quote, errors)
