"""Carts, their lines, quick order, and the cart mutations."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from db import models
from db.models.carts import CartStatus
from domain.money import Money as MoneyData
from domain.money import round_to_minor
from domain.carts import CSV_MAX_BYTES, CartErrorCode
from domain.checkout import CheckoutErrorCode
from domain.idempotency import IdempotencyErrorCode
from domain.ordering import LineRequest, OrderErrorCode
from domain.quotes import QuoteErrorCode
from resolvers import carts as resolve
from resolvers.globalid import decode_as
from schema.relations import relation
from schema.common import MailingAddress, Money, Node, UserError, address_from, node_id, rows_of, user_errors

if TYPE_CHECKING:
    from schema.accounts import Location, Person
    from schema.catalog import ProductVariant
    from schema.orders import Order

CartStatusEnum = strawberry.enum(CartStatus, name="CartStatus")
# One GraphQL enum for the codes of carts, orders, approvals and quotes, in the order
# clients have always seen; each code is kept by its domain.
ORDERING_CODES = """INVALID_INPUT ACCOUNT_NOT_FOUND LOCATION_NOT_FOUND CART_NOT_FOUND LIST_NOT_FOUND ORDER_NOT_FOUND
    QUOTE_NOT_FOUND ADDRESS_NOT_FOUND LINE_NOT_FOUND CART_ORDERED NAME_TOO_LONG PO_NUMBER_TOO_LONG NOTE_TOO_LONG
    COMMENT_TOO_LONG REASON_TOO_LONG MISSING_VARIANT UNKNOWN_SKU VARIANT_NOT_FOUND NOT_SOLD INVALID_QUANTITY
    QUANTITY_RULE DUPLICATE_LINE CURRENCY_MISMATCH PRICE_CHANGED TOO_MANY_LINES CSV_TOO_LARGE CSV_NOT_TEXT EMPTY
    CREDIT_LIMIT_EXCEEDED SPENDING_LIMIT INVALID_IDEMPOTENCY_KEY IDEMPOTENCY_KEY_REUSED IDEMPOTENCY_KEY_IN_USE
    NOT_PENDING_APPROVAL OWN_ORDER ALREADY_DECIDED NOT_CHANGEABLE ALREADY_SHIPPED CANNOT_INCREASE
    QUOTE_EXPIRED QUOTE_NOT_OPEN QUOTE_CLOSED INVALID_EXPIRY INVALID_PRICE MISSING_PRICE
    PAYMENT_METHOD_REQUIRED PAYMENT_METHOD_NOT_FOUND METHOD_EXPIRED CARD_DECLINED INSUFFICIENT_FUNDS EXPIRED_CARD
    REQUIRES_ACTION GATEWAY_ERROR""".split()
_DOMAIN_CODES = {c.value for e in (OrderErrorCode, CartErrorCode, QuoteErrorCode, IdempotencyErrorCode,
                                   CheckoutErrorCode) for c in e}
if set(ORDERING_CODES) != _DOMAIN_CODES:
    raise RuntimeError(f"OrderingErrorCode and the domain codes differ: {set(ORDERING_CODES) ^ _DOMAIN_CODES}")
OrderingErrorCode = StrEnum("OrderingErrorCode", [(c, c) for c in ORDERING_CODES])  # type: ignore[misc]
OrderingErrorCodeEnum = strawberry.enum(OrderingErrorCode, name="OrderingErrorCode",
                                        description="Why a cart, order, approval or quote mutation failed.")


@strawberry.type
class CartError(UserError):
    code: OrderingErrorCodeEnum  # type: ignore[valid-type]
    is_type_of = user_errors()


@strawberry.type
class CartLine:
    id: strawberry.ID = node_id("CartLine")
    sku: str
    title: str
    quantity: int

    @strawberry.field(description="The contracted unit price when the line was added or its quantity changed.")
    def unit_price(self) -> Money:
        return MoneyData(self.unit_price, self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field
    def total(self) -> Money:
        return MoneyData(round_to_minor(self.unit_price * self.quantity, self.currency), self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="Today's contracted unit price. When it differs from unitPrice, placing the "
                                  "cart reports PRICE_CHANGED until cartPricesRefresh accepts it.")
    async def current_unit_price(self, info: Info) -> Money:
        cart = await info.context.loaders.carts.cart.load(self.cart_id)  # type: ignore[attr-defined]
        variant = await info.context.loaders.catalog.variant.load(self.variant_id)  # type: ignore[attr-defined]
        price, _rule = await info.context.loaders.pricing.pricer(cart.location_id, variant, self.quantity)  # type: ignore[attr-defined]
        return MoneyData(price.amount, price.currency)  # type: ignore[return-value]

    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None, "catalog.variant", "variant_id")


@strawberry.type(description="What a buyer is about to order for one location. Every buyer of the location "
                             "may work on it.")
class Cart(Node):
    id: strawberry.ID = node_id("Cart")
    is_type_of = rows_of(models.Cart)
    name: str | None
    status: CartStatusEnum  # type: ignore[valid-type]
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    po_number: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime

    lines = relation("list[CartLine]", "carts.lines")

    @strawberry.field(description="Sum of the lines at their cart prices, before tax.")
    async def subtotal(self, info: Info) -> Money:
        lines = await info.context.loaders.carts.lines.load(self.id)
        amount = sum((round_to_minor(x.unit_price * x.quantity, x.currency) for x in lines), Decimal(0))
        return MoneyData(round_to_minor(amount, self.currency), self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The chosen shipping address, else the location's default.")
    async def shipping_address(self, info: Info) -> MailingAddress | None:
        if self.shipping_address_id is not None:  # type: ignore[attr-defined]
            return address_from(_as_dict(await info.context.loaders.accounts.address.load(self.shipping_address_id)))  # type: ignore[attr-defined]
        found = await info.context.loaders.accounts.addresses.load(self.location_id)  # type: ignore[attr-defined]
        default = next((a for a in found if a.kind.value == "SHIPPING"), None)
        return address_from(_as_dict(default))

    location = relation(Annotated["Location", strawberry.lazy("schema.accounts")], "accounts.location", "location_id")
    created_by = relation(Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user", "created_by_user_id")
    order = relation(
        Annotated["Order", strawberry.lazy("schema.orders")] | None, "orders.order", "order_id",
        description="The order this cart became.")


def _as_dict(a: object) -> dict | None:
    if a is None:
        return None
    return {k: getattr(a, k) for k in ("recipient", "line1", "line2", "city", "region", "postal_code", "country")}


@strawberry.type
class CartPayload:
    cart: Cart | None
    user_errors: list[CartError]


@strawberry.type
class CartDeletePayload:
    deleted_cart_id: strawberry.ID | None
    user_errors: list[CartError]


@strawberry.input
class CartDeleteInput:
    cart_id: strawberry.ID


@strawberry.type(description="A line whose contracted price changed.")
class PriceChange:
    sku: str
    title: str
    quantity: int

    @strawberry.field
    def previous_unit_price(self) -> Money:
        return MoneyData(self.previous_unit_price, self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field
    def unit_price(self) -> Money:
        return MoneyData(self.unit_price, self.currency)  # type: ignore[attr-defined,return-value]


@strawberry.type
class CartPricesRefreshPayload:
    cart: Cart | None
    price_changes: list[PriceChange]
    user_errors: list[CartError]


@strawberry.type(description="What happened to one row of a quick order.")
class QuickOrderLineResult:
    row: int = strawberry.field(description="1-based: the position in `lines`, or the CSV line number.")
    sku: str
    quantity: int | None
    added: bool
    code: OrderingErrorCodeEnum | None  # type: ignore[valid-type]
    message: str | None


@strawberry.type
class CartQuickOrderPayload:
    cart: Cart | None
    results: list[QuickOrderLineResult]
    user_errors: list[CartError]


@strawberry.input(description="A line by variant ID or by SKU.")
class CartLineInput:
    variant_id: strawberry.ID | None = None
    sku: str | None = None
    quantity: int


def line_requests(lines: list[CartLineInput] | None, *path: str) -> list[LineRequest]:
    return [LineRequest(quantity=x.quantity, sku=x.sku,
                        variant_id=decode_as(x.variant_id, "ProductVariant") if x.variant_id else None,
                        field=[*path, str(i)]) for i, x in enumerate(lines or [])]


@strawberry.input
class CartCreateInput:
    location_id: strawberry.ID
    name: str | None = None
    po_number: str | None = strawberry.field(default=None, description="At most 140 characters.")
    note: str | None = None
    shipping_address_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the location's shipping addresses; its default when not given.")
    lines: list[CartLineInput] | None = None


@strawberry.input(description="Given fields change; an empty string clears a text.")
class CartUpdateInput:
    cart_id: strawberry.ID
    name: str | None = None
    po_number: str | None = None
    note: str | None = None
    shipping_address_id: strawberry.ID | None = None


@strawberry.input
class CartLinesAddInput:
    cart_id: strawberry.ID
    lines: list[CartLineInput]


@strawberry.input
class RequisitionListAddToCartInput:
    requisition_list_id: strawberry.ID
    cart_id: strawberry.ID


@strawberry.input
class CartLineQuantityInput:
    line_id: strawberry.ID
    quantity: int


@strawberry.input
class CartLinesUpdateInput:
    cart_id: strawberry.ID
    lines: list[CartLineQuantityInput]


@strawberry.input
class CartLinesRemoveInput:
    cart_id: strawberry.ID
    line_ids: list[strawberry.ID]


@strawberry.input
class CartPricesRefreshInput:
    cart_id: strawberry.ID


@strawberry.input
class QuickOrderLineInput:
    sku: str
    quantity: int


@strawberry.input(description="Rows by SKU into a cart: give cartId, or locationId for a new cart.")
class CartQuickOrderInput:
    cart_id: strawberry.ID | None = None
    location_id: strawberry.ID | None = None
    lines: list[QuickOrderLineInput] | None = None
    csv: str | None = strawberry.field(default=None, description="CSV text: SKU and quantity per row (an optional "
                                       "header row 'sku,quantity'; ',' ';' or tab separated), at most 500 rows.")
    csv_file: Upload | None = strawberry.field(default=None, description="The same as a file (a multipart "
                                               "request, with the Authorization header), UTF-8, at most 512 KB.")
    atomic: bool = strawberry.field(default=False, description="Add nothing unless every row can be added.")


@strawberry.type
class CartMutations:
    @strawberry.mutation(description="Start a cart for a location (optionally with lines).")
    async def cart_create(self, info: Info, input: CartCreateInput) -> CartPayload:
        return await resolve.cart_create(info.context, input.location_id, input.name, input.po_number, input.note,  # type: ignore[return-value]
                                         input.shipping_address_id, line_requests(input.lines, "input", "lines"))

    @strawberry.mutation(description="Change a cart's name, PO number, note or shipping address.")
    async def cart_update(self, info: Info, input: CartUpdateInput) -> CartPayload:
        return await resolve.cart_update(info.context, input.cart_id, input.name, input.po_number, input.note,  # type: ignore[return-value]
                                         input.shipping_address_id)

    @strawberry.mutation(description="Add lines at the contracted prices; a variant already in the cart gets the "
                                     "quantities added. Any bad line adds nothing.")
    async def cart_lines_add(self, info: Info, input: CartLinesAddInput) -> CartPayload:
        return await resolve.cart_lines_add(info.context, input.cart_id,  # type: ignore[return-value]
                                            line_requests(input.lines, "input", "lines"))

    @strawberry.mutation(description="Add a saved requisition list's items at today's contracted prices. Items no "
                                     "longer sold or off their quantity rules are left out and reported in "
                                     "userErrors (field input.items.N); the others are added.")
    async def requisition_list_add_to_cart(self, info: Info, input: RequisitionListAddToCartInput) -> CartPayload:
        return await resolve.requisition_list_add_to_cart(info.context, input.requisition_list_id,  # type: ignore[return-value]
                                                          input.cart_id)

    @strawberry.mutation(description="Change quantities (re-priced for price breaks). Any bad line changes nothing.")
    async def cart_lines_update(self, info: Info, input: CartLinesUpdateInput) -> CartPayload:
        return await resolve.cart_lines_update(info.context, input.cart_id,  # type: ignore[return-value]
                                               [(x.line_id, x.quantity) for x in input.lines])

    @strawberry.mutation
    async def cart_lines_remove(self, info: Info, input: CartLinesRemoveInput) -> CartPayload:
        return await resolve.cart_lines_remove(info.context, input.cart_id, list(input.line_ids))  # type: ignore[return-value]

    @strawberry.mutation(description="Delete an open cart and its lines.")
    async def cart_delete(self, info: Info, input: CartDeleteInput) -> CartDeletePayload:
        return await resolve.cart_delete(info.context, input.cart_id)  # type: ignore[return-value]

    @strawberry.mutation(description="Accept today's contracted prices for the cart's lines; lists each change.")
    async def cart_prices_refresh(self, info: Info, input: CartPricesRefreshInput) -> CartPricesRefreshPayload:
        return await resolve.cart_prices_refresh(info.context, input.cart_id)  # type: ignore[return-value]

    @strawberry.mutation(description="Quick order: SKU and quantity rows (and/or a CSV) into a cart, with a "
                                     "result per row.")
    async def cart_quick_order(self, info: Info, input: CartQuickOrderInput) -> CartQuickOrderPayload:
        csv_file = await input.csv_file.read(CSV_MAX_BYTES + 1) if input.csv_file is not None else None  # type: ignore[attr-defined]
        return await resolve.cart_quick_order(info.context, input.cart_id, input.location_id,  # type: ignore[return-value]
                                              [(x.sku, x.quantity) for x in input.lines or []], input.csv,
                                              input.atomic, csv_file)
