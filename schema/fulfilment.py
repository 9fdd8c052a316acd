"""Fulfilment tracking: shipments of an order, their lines and carrier events; staff record them."""
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from db import models
from db.enums import FulfilmentStatus
from db.models.shipments import ShipmentEventStatus
from domain.carriers import CARRIERS
from domain.fulfilment import FulfilmentErrorCode
from resolvers import fulfilment as resolve
from resolvers.within import Within
from schema.relations import relation
from schema.common import Node, UserError, node_id, rows_of, user_errors

if TYPE_CHECKING:
    from schema.orders import Order, OrderLine

FulfilmentStatusEnum = strawberry.enum(FulfilmentStatus, name="FulfilmentStatus")
ShipmentEventStatusEnum = strawberry.enum(ShipmentEventStatus, name="ShipmentEventStatus")
FulfilmentErrorCodeEnum = strawberry.enum(FulfilmentErrorCode, name="FulfilmentErrorCode")


@strawberry.type(description="A carrier a fulfilment can name; tracking links are made from its template.")
class Carrier:
    code: str
    name: str
    has_tracking_page: bool = strawberry.field(resolver=lambda root: root.url_template is not None)


@strawberry.type(description="A carrier's status change of a shipment.")
class ShipmentEvent:
    status: ShipmentEventStatusEnum  # type: ignore[valid-type]
    occurred_at: datetime
    location: str | None = strawberry.field(description="Where, as the carrier says it.")
    message: str | None


@strawberry.type(description="How many of one order line a fulfilment ships.")
class FulfilmentLine:
    quantity: int

    @strawberry.field
    async def order_line(self, info: Info) -> Annotated["OrderLine", strawberry.lazy("schema.orders")]:
        line = await info.context.loaders.orders.line.load(self.order_line_id)  # type: ignore[attr-defined]
        return Within(line, self.account_id, self.location_id)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="A shipment of some of an order's lines.")
class Fulfilment(Node):
    id: strawberry.ID = node_id("Fulfilment")
    is_type_of = rows_of(models.Fulfilment)
    status: FulfilmentStatusEnum  # type: ignore[valid-type]
    carrier: str | None = strawberry.field(description="The carrier's name.")
    tracking_number: str | None
    tracking_url: str | None = strawberry.field(description="The carrier's tracking page for this shipment.")
    shipped_at: datetime | None
    estimated_delivery_at: datetime | None
    delivered_at: datetime | None

    @strawberry.field(description="What ships, line by line.")
    async def lines(self, info: Info) -> list[FulfilmentLine]:
        rows = await info.context.loaders.fulfilment.lines.load(self.id)
        order = await info.context.loaders.orders.order.load(self.order_id)  # type: ignore[attr-defined]
        return [Within(r, order.account_id, order.location_id) for r in rows]  # type: ignore[misc]

    events = relation("list[ShipmentEvent]", "fulfilment.events", description="Carrier status changes, newest first.")
    order = relation(Annotated["Order", strawberry.lazy("schema.orders")], "orders.order", "order_id")


@strawberry.type
class OrderLineTracking(Node):
    """Fields of OrderLine about shipping (a base of schema.orders.OrderLine)."""

    id: strawberry.ID = node_id("OrderLine")
    is_type_of = rows_of(models.OrderLine)

    fulfilled_quantity = relation("int", "fulfilment.fulfilled_quantity", description="How many of this line have shipped.")


@strawberry.type
class OrderTracking:
    """Fields of Order about shipping (a base of schema.orders.Order)."""

    fulfilments = relation(list[Fulfilment], "fulfilment.fulfilments",
                           description="Shipments of the order, oldest first, with tracking links.")

    @strawberry.field(description="The latest estimated delivery among shipments still on their way.")
    async def estimated_delivery_at(self, info: Info) -> datetime | None:
        return await resolve.order_estimated_delivery(info.context, self)


@strawberry.type
class FulfilmentError(UserError):
    is_type_of = user_errors()
    code: FulfilmentErrorCodeEnum  # type: ignore[valid-type]


@strawberry.input
class FulfilmentLineInput:
    order_line_id: strawberry.ID
    quantity: int


@strawberry.input
class FulfilmentCreateInput:
    order_id: strawberry.ID
    lines: list[FulfilmentLineInput]
    carrier: str = strawberry.field(description="A carrier code from the carriers query (UPS, FEDEX, DHL, USPS, "
                                                "...; OTHER for one without a tracking page).")
    tracking_number: str | None = None
    shipped_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    estimated_delivery_at: datetime | None = None


@strawberry.type
class FulfilmentCreatePayload:
    fulfilment: Fulfilment | None
    order: Annotated["Order", strawberry.lazy("schema.orders")] | None
    user_errors: list[FulfilmentError]


@strawberry.input
class FulfilmentEventAddInput:
    fulfilment_id: strawberry.ID
    status: ShipmentEventStatusEnum  # type: ignore[valid-type]
    occurred_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    location: str | None = None
    message: str | None = None
    estimated_delivery_at: datetime | None = strawberry.field(default=None,
                                                              description="A new delivery estimate, if the carrier gave one.")


@strawberry.type
class FulfilmentEventAddPayload:
    event: ShipmentEvent | None
    fulfilment: Fulfilment | None
    order: Annotated["Order", strawberry.lazy("schema.orders")] | None
    user_errors: list[FulfilmentError]


@strawberry.type
class FulfilmentQueries:
    @strawberry.field(description="Carriers a fulfilment can name.")
    def carriers(self) -> list[Carrier]:
        return list(CARRIERS.values())  # type: ignore[arg-type]


@strawberry.type
class FulfilmentMutations:
    @strawberry.mutation(description="Record a shipment of order lines (STAFF_ADMIN). The order becomes "
                                     "PARTIALLY_FULFILLED or FULFILLED.")
    async def fulfilment_create(self, info: Info, input: FulfilmentCreateInput) -> FulfilmentCreatePayload:
        return await resolve.fulfilment_create(  # type: ignore[return-value]
            info.context, input.order_id,
            [resolve.FulfilmentLineInputData(line.order_line_id, line.quantity) for line in input.lines],
            input.carrier, input.tracking_number, input.shipped_at, input.estimated_delivery_at)

    @strawberry.mutation(description="Record a carrier status change of a shipment (STAFF_ADMIN).")
    async def fulfilment_event_add(self, info: Info, input: FulfilmentEventAddInput) -> FulfilmentEventAddPayload:
        return await resolve.fulfilment_event_add(  # type: ignore[return-value]
            info.context, input.fulfilment_id, input.status, input.occurred_at, input.location, input.message,
            input.estimated_delivery_at)
