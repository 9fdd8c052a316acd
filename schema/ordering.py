"""Placing orders, approvals, reorder, changes and cancelling; the account's ordering settings."""
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from db.models.ordering import ApprovalDecision, SpendingLimitPeriod
from domain.money import Money as MoneyData
from domain.ordering import LineRequest
from resolvers import ordering as resolve
from resolvers.globalid import decode_as
from schema.relations import relation
from schema.carts import user_errors, Cart, OrderingErrorCodeEnum, PriceChange
from schema.common import Money, UserError

if TYPE_CHECKING:
    from schema.accounts import Person
    from schema.orders import Order

SpendingLimitPeriodEnum = strawberry.enum(SpendingLimitPeriod, name="SpendingLimitPeriod")
ApprovalDecisionEnum = strawberry.enum(ApprovalDecision, name="ApprovalDecision")

OrderRef = Annotated["Order", strawberry.lazy("schema.orders")]


@strawberry.type
class OrderError(UserError):
    code: OrderingErrorCodeEnum  # type: ignore[valid-type]
    is_type_of = user_errors()


@strawberry.type(description="One approver's decision on an order.")
class OrderApproval:
    step: int
    decision: ApprovalDecisionEnum  # type: ignore[valid-type]
    comment: str | None
    decided_at: datetime

    decided_by = relation(Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user", "decided_by_user_id")


@strawberry.type(description="How the account's orders are held to spending limits and approvals.")
class OrderingSettings:
    spending_limit_period: SpendingLimitPeriodEnum = strawberry.field(  # type: ignore[valid-type]
        description="ORDER: each order on its own; otherwise the member's orders of the current period count.")
    requires_approval: bool = strawberry.field(description="Every order waits for an approver.")

    @strawberry.field(description="Orders above this total need a second approval by another approver.")
    def second_approval_threshold(self) -> Money | None:
        if self.second_approval_threshold is None:
            return None
        return MoneyData(self.second_approval_threshold, self.currency)  # type: ignore[attr-defined,return-value]


@strawberry.type
class OrderPlacePayload:
    order: OrderRef | None
    replayed: bool = strawberry.field(description="True when the idempotency key was seen before: this is the "
                                                  "order the first request placed.")
    price_changes: list[PriceChange] = strawberry.field(description="Cart lines whose price changed since they "
                                                                    "were added (then nothing is placed).")
    user_errors: list[OrderError]


@strawberry.type
class OrderPayload:
    order: OrderRef | None
    user_errors: list[OrderError]


@strawberry.type
class OrderDecisionPayload:
    order: OrderRef | None
    approval_complete: bool = strawberry.field(description="False after a first approval when a second is needed.")
    user_errors: list[OrderError]


@strawberry.type
class ReorderLine:
    sku: str
    title: str
    quantity: int
    code: OrderingErrorCodeEnum  # type: ignore[valid-type]
    message: str


@strawberry.type
class OrderReorderPayload:
    cart: Cart | None
    unavailable_lines: list[ReorderLine] = strawberry.field(description="Lines not added (no longer sold, ...).")
    repriced_lines: list[PriceChange] = strawberry.field(description="Lines added at another price than ordered.")
    user_errors: list[OrderError]


@strawberry.type
class OrderCancelPayload:
    order: OrderRef | None
    cancelled_whole_order: bool = strawberry.field(description="False when fulfilment had started: what had not "
                                                               "shipped was cancelled.")
    user_errors: list[OrderError]


@strawberry.type
class OrderingSettingsPayload:
    settings: OrderingSettings | None
    user_errors: list[OrderError]


@strawberry.input
class OrderLineInput:
    variant_id: strawberry.ID | None = None
    sku: str | None = None
    quantity: int
    expected_unit_price: Decimal | None = strawberry.field(
        default=None, description="The unit price the integration expects; PRICE_CHANGED when it differs.")


@strawberry.input(description="Place a cart (cartId), or lines at a location (locationId and lines).")
class OrderPlaceInput:
    idempotency_key: str = strawberry.field(description="New for each new order; a retry with the same key "
                                                        "returns the first order.")
    cart_id: strawberry.ID | None = None
    location_id: strawberry.ID | None = None
    lines: list[OrderLineInput] | None = None
    po_number: str | None = strawberry.field(default=None, description="At most 140 characters; the cart's "
                                             "when not given.")
    note: str | None = None
    shipping_address_id: strawberry.ID | None = strawberry.field(
        default=None, description="A shipping address of the location (Address), or of your own address book "
        "(UserAddress); the location's default when not given. The order keeps a copy of it.")
    payment_method_id: strawberry.ID | None = strawberry.field(
        default=None, description="A saved card of the account to pay the order with now (when approved, if it "
        "waits for approval). Accounts that pay when they order use their default card when none is given.")


@strawberry.input
class OrderDecisionInput:
    order_id: strawberry.ID
    comment: str | None = None


@strawberry.input
class OrderReorderInput:
    order_id: strawberry.ID
    cart_id: strawberry.ID | None = strawberry.field(default=None, description="Add to this cart instead of a "
                                                     "new one.")


@strawberry.input
class OrderLineQuantityInput:
    line_id: strawberry.ID
    quantity: int = strawberry.field(description="0 removes what has not shipped of the line.")


@strawberry.input
class OrderUpdateInput:
    order_id: strawberry.ID
    lines: list[OrderLineQuantityInput] | None = None
    po_number: str | None = None
    note: str | None = None


@strawberry.input
class OrderCancelInput:
    order_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class AccountOrderingSettingsUpdateInput:
    account_id: strawberry.ID
    spending_limit_period: SpendingLimitPeriodEnum | None = None  # type: ignore[valid-type]
    second_approval_threshold: Decimal | None = None
    clear_second_approval_threshold: bool = False
    requires_approval: bool | None = None


def _requests(lines: list[OrderLineInput] | None) -> list[LineRequest]:
    return [LineRequest(quantity=x.quantity, sku=x.sku, expected_unit_price=x.expected_unit_price,
                        variant_id=decode_as(x.variant_id, "ProductVariant") if x.variant_id else None,
                        field=["input", "lines", str(i)]) for i, x in enumerate(lines or [])]


@strawberry.type
class OrderingMutations:
    @strawberry.mutation(description="Place an order from a cart or from lines. Prices are re-checked: a changed "
                                     "price is reported (PRICE_CHANGED), never silently charged. Net-terms orders "
                                     "respect the credit limit; orders over the buyer's spending limit, or of an "
                                     "account that requires approval, wait in PENDING_APPROVAL.")
    async def order_place(self, info: Info, input: OrderPlaceInput) -> OrderPlacePayload:
        req = resolve.PlaceRequest(input.idempotency_key, input.cart_id, input.location_id, _requests(input.lines),
                                   input.po_number, input.note, input.shipping_address_id, input.payment_method_id)
        return await resolve.order_place(info.context, req)  # type: ignore[return-value]

    @strawberry.mutation(description="Approve an order waiting for approval at your locations (not your own).")
    async def order_approve(self, info: Info, input: OrderDecisionInput) -> OrderDecisionPayload:
        return await resolve.order_approve(info.context, input.order_id, input.comment)  # type: ignore[return-value]

    @strawberry.mutation(description="Reject an order waiting for approval; the buyer is told why by email.")
    async def order_reject(self, info: Info, input: OrderDecisionInput) -> OrderDecisionPayload:
        return await resolve.order_reject(info.context, input.order_id, input.comment)  # type: ignore[return-value]

    @strawberry.mutation(description="A cart from a past order at today's contracted prices.")
    async def order_reorder(self, info: Info, input: OrderReorderInput) -> OrderReorderPayload:
        return await resolve.order_reorder(info.context, input.order_id, input.cart_id)  # type: ignore[return-value]

    @strawberry.mutation(description="Change quantities, PO number or note. After fulfilment started, only what "
                                     "has not shipped can change.")
    async def order_update(self, info: Info, input: OrderUpdateInput) -> OrderPayload:
        return await resolve.order_update(info.context, input.order_id,  # type: ignore[return-value]
                                          [(x.line_id, x.quantity) for x in input.lines or []],
                                          input.po_number, input.note)

    @strawberry.mutation(description="Cancel an order; after fulfilment started, what has not shipped.")
    async def order_cancel(self, info: Info, input: OrderCancelInput) -> OrderCancelPayload:
        return await resolve.order_cancel(info.context, input.order_id, input.reason)  # type: ignore[return-value]

    @strawberry.mutation(description="ADMIN: the spending limit period, second approval threshold and whether "
                                     "every order needs approval.")
    async def account_ordering_settings_update(self, info: Info,
                                               input: AccountOrderingSettingsUpdateInput) -> OrderingSettingsPayload:
        return await resolve.ordering_settings_update(  # type: ignore[return-value]
            info.context, input.account_id, input.spending_limit_period, input.second_approval_threshold,
            input.clear_second_approval_threshold, input.requires_approval)
