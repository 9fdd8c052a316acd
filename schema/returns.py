"""Returns of shipped lines, their photos, and refunds on orders."""
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from db import models
from db.models.returns import ReturnReason, ReturnStatus
from db.repositories.returns import ReturnFilter as ReturnFilterData
from domain.money import Money as MoneyData
from domain.returns import ReturnErrorCode
from permissions.checks import guarded
from resolvers import returns as resolve
from resolvers.connections import Window
from resolvers.globalid import decode_as, encode
from resolvers.within import Within, within
from schema.relations import relation
from schema.common import Connection, Money, Node, UserError, node_id, rows_of, user_errors

if TYPE_CHECKING:
    from schema.orders import Order, OrderLine

ReturnStatusEnum = strawberry.enum(ReturnStatus, name="ReturnStatus")
ReturnReasonEnum = strawberry.enum(ReturnReason, name="ReturnReason")
ReturnErrorCodeEnum = strawberry.enum(ReturnErrorCode, name="ReturnErrorCode")

PHOTO_ROUTE = "/downloads/return-photos/"


@strawberry.type(description="How many of one order line are returned.")
class ReturnLine:
    quantity: int

    @strawberry.field
    async def order_line(self, info: Info) -> Annotated["OrderLine", strawberry.lazy("schema.orders")]:
        line = await info.context.loaders.orders.line.load(self.order_line_id)  # type: ignore[attr-defined]
        return Within(line, self.account_id, self.location_id)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="A photo of a return. Download it from `url` with the same bearer token.")
class ReturnPhoto:
    id: strawberry.ID = node_id("ReturnPhoto")
    content_type: str
    size_bytes: int
    created_at: datetime

    @strawberry.field(description="Path of the authenticated download, relative to the API's origin.")
    def url(self) -> str:
        return PHOTO_ROUTE + encode("ReturnPhoto", self.id)  # type: ignore[attr-defined]


@strawberry.type(description="Money given back on an order.")
class Refund:
    note: str | None
    created_at: datetime

    @guarded("Refund.amount")
    def amount(self) -> Money | None:
        return MoneyData(self.amount, self.currency)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="A request to send back shipped goods: REQUESTED, then APPROVED or DECLINED, "
                             "then RECEIVED and REFUNDED.")
class Return(Node):
    id: strawberry.ID = node_id("Return")
    is_type_of = rows_of(models.ReturnRequest)
    number: str
    status: ReturnStatusEnum  # type: ignore[valid-type]
    reason: ReturnReasonEnum  # type: ignore[valid-type]
    reason_text: str | None
    decision_note: str | None = strawberry.field(description="The merchant's comment on its decision.")
    created_at: datetime
    decided_at: datetime | None
    received_at: datetime | None
    refunded_at: datetime | None

    lines = relation("list[ReturnLine]", "returns.lines", shape=within)
    photos = relation("list[ReturnPhoto]", "returns.photos")
    refunds = relation("list[Refund]", "returns.refunds", shape=within)
    order = relation(Annotated["Order", strawberry.lazy("schema.orders")], "orders.order", "order_id")
    requested_by = relation(
        Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user", "requested_by_user_id",
        description="Who asked for the return.")


if TYPE_CHECKING:
    from schema.accounts import Person

ReturnConnection = Connection[Return]


@strawberry.type
class OrderLineReturns:
    """Fields of OrderLine about returns (a base of schema.orders.OrderLine)."""

    returned_quantity = relation(
        "int", "returns.returned_quantity",
        description="How many of this line are in returns that were not declined.")


@strawberry.type
class OrderReturns:
    """Fields of Order about returns and refunds (a base of schema.orders.Order)."""

    returns = relation("list[Return]", "returns.returns", description="Returns of this order, oldest first.")

    @strawberry.field(description="Refunds given on this order. Credit notes on invoices will follow; "
                                  "until then this is the record of money given back.")
    async def refunds(self, info: Info) -> list[Refund]:
        return within(await info.context.loaders.returns.order_refunds.load(self.id), self)  # type: ignore[return-value]

    @guarded("Order.refunded", description="The sum of the refunds on this order.")
    async def refunded(self, info: Info) -> Money | None:
        refunds = await info.context.loaders.returns.order_refunds.load(self.id)  # type: ignore[attr-defined]
        return MoneyData(sum((r.amount for r in refunds), Decimal("0.0000")), self.currency)  # type: ignore[attr-defined,return-value]


@strawberry.input
class ReturnFilter:
    status: list[ReturnStatusEnum] | None = None  # type: ignore[valid-type]
    account_id: strawberry.ID | None = None
    order_id: strawberry.ID | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def to_data(self) -> ReturnFilterData:
        return ReturnFilterData(
            statuses=tuple(self.status or ()),
            account_ids=(decode_as(self.account_id, "Account"),) if self.account_id else (),
            order_ids=(decode_as(self.order_id, "Order"),) if self.order_id else (),
            created_after=self.created_after, created_before=self.created_before)


@strawberry.type
class ReturnError(UserError):
    is_type_of = user_errors()
    code: ReturnErrorCodeEnum  # type: ignore[valid-type]


@strawberry.input
class ReturnLineInput:
    order_line_id: strawberry.ID
    quantity: int


@strawberry.input
class ReturnRequestInput:
    order_id: strawberry.ID
    lines: list[ReturnLineInput]
    reason: ReturnReasonEnum  # type: ignore[valid-type]
    reason_text: str | None = strawberry.field(default=None, description="Required when the reason is OTHER.")
    photos: list[Upload] | None = strawberry.field(
        default=None, description="Up to 6 JPEG, PNG, GIF or WebP images of 8 MB each, sent as a GraphQL "
                                  "multipart request.")


@strawberry.input
class ReturnDecisionInput:
    id: strawberry.ID
    note: str | None = strawberry.field(default=None, description="Shown to the customer; required to decline.")


@strawberry.input
class ReturnRefundInput:
    id: strawberry.ID
    amount: Decimal | None = strawberry.field(
        default=None, description="Default: the returned lines at their order prices plus their share of tax.")
    note: str | None = None


@strawberry.type
class ReturnPayload:
    return_: Return | None = strawberry.field(name="return")
    order: Annotated["Order", strawberry.lazy("schema.orders")] | None
    user_errors: list[ReturnError]


@strawberry.type
class ReturnRefundPayload:
    return_: Return | None = strawberry.field(name="return")
    order: Annotated["Order", strawberry.lazy("schema.orders")] | None
    refund: Refund | None
    user_errors: list[ReturnError]


def _in_order(payload: Any) -> Any:
    if payload.refund is not None and payload.order is not None:
        payload.refund = Within(payload.refund, payload.order.account_id, payload.order.location_id)
    return payload


@strawberry.type
class ReturnQueries:
    @strawberry.field(description="Returns the caller may see, newest first. Staff see all: the returns queue.")
    async def returns(self, info: Info, filter: ReturnFilter | None = None, first: int | None = None,
                      after: str | None = None, last: int | None = None,
                      before: str | None = None) -> ReturnConnection:  # type: ignore[valid-type]
        return await resolve.returns_list(info.context, (filter or ReturnFilter()).to_data(),  # type: ignore[return-value]
                                          Window(first, after, last, before))


@strawberry.type
class ReturnMutations:
    @strawberry.mutation(description="Ask to return shipped lines of an order (BUYER or ADMIN of its location).")
    async def return_request(self, info: Info, input: ReturnRequestInput) -> ReturnPayload:
        return await resolve.return_request(  # type: ignore[return-value]
            info.context, input.order_id,
            [resolve.ReturnLineInputData(line.order_line_id, line.quantity) for line in input.lines],
            input.reason, input.reason_text, list(input.photos or []))

    @strawberry.mutation(description="Approve a requested return (STAFF_ADMIN).")
    async def return_approve(self, info: Info, input: ReturnDecisionInput) -> ReturnPayload:
        return await resolve.return_approve(info.context, input.id, input.note)  # type: ignore[return-value]

    @strawberry.mutation(description="Decline a requested return, saying why (STAFF_ADMIN).")
    async def return_decline(self, info: Info, input: ReturnDecisionInput) -> ReturnPayload:
        return await resolve.return_decline(info.context, input.id, input.note)  # type: ignore[return-value]

    @strawberry.mutation(description="Record that the goods of an approved return arrived (STAFF_ADMIN).")
    async def return_receive(self, info: Info, input: ReturnDecisionInput) -> ReturnPayload:
        return await resolve.return_receive(info.context, input.id, input.note)  # type: ignore[return-value]

    @strawberry.mutation(description="Refund a received return on its order (STAFF_ADMIN).")
    async def return_refund(self, info: Info, input: ReturnRefundInput) -> ReturnRefundPayload:
        return _in_order(await resolve.return_refund(info.context, input.id, input.amount, input.note))
