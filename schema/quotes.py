"""Quotes: requested by buyers, answered by merchant staff, accepted or declined."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from db import models
from domain.money import Money as MoneyData
from domain.money import round_to_minor
from domain.quotes import is_expired
from resolvers import quotes as resolve
from schema.relations import relation
from schema.carts import user_errors, CartLineInput, OrderingErrorCodeEnum, line_requests
from schema.common import Connection, Money, Node, UserError, node_id, rows_of

if TYPE_CHECKING:
    from schema.accounts import Account, Location, Person
    from schema.catalog import ProductVariant
    from schema.orders import Order


class QuoteState(StrEnum):
    REQUESTED = "REQUESTED"
    QUOTED = "QUOTED"
    EXPIRED = "EXPIRED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


QuoteStatusEnum = strawberry.enum(QuoteState, name="QuoteStatus",
                                  description="EXPIRED: quoted, and past its expiry; it cannot be accepted.")


@strawberry.type
class QuoteError(UserError):
    code: OrderingErrorCodeEnum  # type: ignore[valid-type]
    is_type_of = user_errors()


@strawberry.type
class QuoteLine:
    id: strawberry.ID = node_id("QuoteLine")
    sku: str
    title: str
    quantity: int

    @strawberry.field(description="The quoted unit price; null until staff answer.")
    async def unit_price(self, info: Info) -> Money | None:
        if self.unit_price is None:  # type: ignore[attr-defined]
            return None
        quote = await info.context.loaders.quotes.quote.load(self.quote_id)  # type: ignore[attr-defined]
        return MoneyData(self.unit_price, quote.currency)  # type: ignore[attr-defined,return-value]

    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None, "catalog.variant", "variant_id")


@strawberry.type
class Quote(Node):
    id: strawberry.ID = node_id("Quote")
    is_type_of = rows_of(models.Quote)
    number: str
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    note: str | None
    response_note: str | None
    expires_at: datetime | None
    responded_at: datetime | None
    created_at: datetime

    @strawberry.field
    def status(self, info: Info) -> QuoteStatusEnum:  # type: ignore[valid-type]
        if is_expired(self, info.context.now):  # type: ignore[arg-type]
            return QuoteState.EXPIRED
        return QuoteState(self.status.value)  # type: ignore[attr-defined]

    lines = relation("list[QuoteLine]", "quotes.lines")

    @strawberry.field(description="Sum of the quoted lines, before tax; null until staff answer.")
    async def total(self, info: Info) -> Money | None:
        lines = await info.context.loaders.quotes.lines.load(self.id)
        if not lines or any(x.unit_price is None for x in lines):
            return None
        amount = sum((round_to_minor(x.unit_price * x.quantity, self.currency) for x in lines), Decimal(0))  # type: ignore[attr-defined]
        return MoneyData(amount, self.currency)  # type: ignore[attr-defined,return-value]

    location = relation(Annotated["Location", strawberry.lazy("schema.accounts")], "accounts.location", "location_id")
    account = relation(Annotated["Account", strawberry.lazy("schema.accounts")], "accounts.account", "account_id")
    requested_by = relation(
        Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user", "requested_by_user_id")
    order = relation(
        Annotated["Order", strawberry.lazy("schema.orders")] | None, "orders.order", "order_id",
        description="The order made when the quote was accepted.")


QuoteConnection = Connection[Quote]


@strawberry.type
class QuotePayload:
    quote: Quote | None
    user_errors: list[QuoteError]


@strawberry.type
class QuoteAcceptPayload:
    quote: Quote | None
    order: Annotated["Order", strawberry.lazy("schema.orders")] | None
    user_errors: list[QuoteError]


@strawberry.input
class QuoteRequestInput:
    location_id: strawberry.ID
    lines: list[CartLineInput]
    note: str | None = None


@strawberry.input
class QuoteLinePriceInput:
    line_id: strawberry.ID
    unit_price: Decimal


@strawberry.input
class QuoteRespondInput:
    quote_id: strawberry.ID
    lines: list[QuoteLinePriceInput]
    expires_at: datetime
    note: str | None = None


@strawberry.input
class QuoteAcceptInput:
    quote_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description="A retry with the same key returns "
                                                   "the first order.")
    po_number: str | None = None
    note: str | None = None
    shipping_address_id: strawberry.ID | None = strawberry.field(
        default=None, description="A shipping address of the location (Address), or of your own address book "
        "(UserAddress); the location's default when not given. The order keeps a copy of it.")


@strawberry.input
class QuoteDeclineInput:
    quote_id: strawberry.ID
    reason: str | None = None


@strawberry.type
class QuoteMutations:
    @strawberry.mutation(description="Ask the merchant for prices on lines, with a note.")
    async def quote_request(self, info: Info, input: QuoteRequestInput) -> QuotePayload:
        return await resolve.quote_request(info.context, input.location_id,  # type: ignore[return-value]
                                           line_requests(input.lines, "input", "lines"), input.note)

    @strawberry.mutation(description="Merchant staff (STAFF_ADMIN): a price for every line and an expiry.")
    async def quote_respond(self, info: Info, input: QuoteRespondInput) -> QuotePayload:
        return await resolve.quote_respond(info.context, input.quote_id,  # type: ignore[return-value]
                                           [(x.line_id, x.unit_price) for x in input.lines], input.expires_at,
                                           input.note)

    @strawberry.mutation(description="Accept a quoted, unexpired quote: an order at the quoted prices, through "
                                     "approvals and credit checks like any order.")
    async def quote_accept(self, info: Info, input: QuoteAcceptInput) -> QuoteAcceptPayload:
        return await resolve.quote_accept(info.context, input.quote_id, input.idempotency_key,  # type: ignore[return-value]
                                          input.po_number, input.note, input.shipping_address_id)

    @strawberry.mutation
    async def quote_decline(self, info: Info, input: QuoteDeclineInput) -> QuotePayload:
        return await resolve.quote_decline(info.context, input.quote_id, input.reason)  # type: ignore[return-value]
