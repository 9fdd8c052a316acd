"""Orders, lines and fulfilments."""
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from db import models
from db.enums import OrderStatus
from db.repositories.orders import OrderFilter as OrderFilterData
from domain.money import Money as MoneyData
from permissions.checks import guarded
from resolvers.globalid import decode_as
from resolvers.within import within
from schema.relations import relation
from schema.common import Connection, MailingAddress, Money, Node, address_from, node_id, rows_of
from schema.fulfilment import OrderLineTracking, OrderTracking
from schema.returns import OrderLineReturns, OrderReturns
from schema.tax import LineTax, line_tax

if TYPE_CHECKING:
    from schema.ordering import OrderApproval
    from schema.accounts import Account, Location, Person
    from schema.billing import Invoice
    from schema.catalog import ProductVariant

OrderStatusEnum = strawberry.enum(OrderStatus, name="OrderStatus")


@strawberry.type
class OrderLine(OrderLineTracking, OrderLineReturns):
    sku: str
    title: str
    quantity: int

    @guarded("OrderLine.unitPrice", description="Unit price captured when the order was placed.")
    def unit_price(self) -> Money | None:
        return MoneyData(self.unit_price, self.currency)  # type: ignore[attr-defined]

    @guarded("OrderLine.total", description="Unit price × quantity: net, or gross when tax.included.")
    def total(self) -> Money | None:
        return MoneyData(self.total, self.currency)  # type: ignore[attr-defined]

    @guarded("OrderLine.tax", description="The line's tax, rounded to the minor unit; the order's tax is their sum.")
    def tax(self) -> LineTax | None:
        return line_tax(self)

    variant = relation(
        Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None, "catalog.variant", "variant_id",
        description="The variant, if it is still in the catalog.")


@strawberry.type
class Order(Node, OrderTracking, OrderReturns):
    id: strawberry.ID = node_id("Order")
    is_type_of = rows_of(models.Order)
    number: str
    status: OrderStatusEnum  # type: ignore[valid-type]
    po_number: str | None
    note: str | None
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    placed_at: datetime
    updated_at: datetime

    @guarded("Order.subtotal")
    def subtotal(self) -> Money | None:
        return MoneyData(self.subtotal, self.currency)  # type: ignore[attr-defined]

    @guarded("Order.tax")
    def tax(self) -> Money | None:
        return MoneyData(self.tax, self.currency)  # type: ignore[attr-defined]

    @guarded("Order.total")
    def total(self) -> Money | None:
        return MoneyData(self.total, self.currency)  # type: ignore[attr-defined]

    @strawberry.field
    def shipping_address(self) -> MailingAddress | None:
        return address_from(self.shipping_address)  # type: ignore[attr-defined]

    lines = relation(list[OrderLine], "orders.lines", shape=within)
    location = relation(
        Annotated["Location", strawberry.lazy("schema.accounts")], "accounts.location", "location_id")
    account = relation(
        Annotated["Account", strawberry.lazy("schema.accounts")], "accounts.account", "account_id")
    placed_by = relation(
        Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user", "placed_by_user_id",
        description="Who placed the order.")
    approvals = relation(
        list[Annotated["OrderApproval", strawberry.lazy("schema.ordering")]], "orders.approvals",
        description="Approval decisions on this order, in order.")

    @strawberry.field(description="Why the order waits (or waited) for approval: ACCOUNT_REQUIRES_APPROVAL, "
                                  "SPENDING_LIMIT.")
    async def approval_reasons(self, info: Info) -> list[str]:
        found = await info.context.loaders.orders.approval_request.load(self.id)
        return list(found.reasons) if found else []

    @strawberry.field(description="How many approvals the order needs (2 above the account's threshold).")
    async def approvals_required(self, info: Info) -> int:
        found = await info.context.loaders.orders.approval_request.load(self.id)
        return found.approvals_required if found else (1 if self.status is OrderStatus.PENDING_APPROVAL else 0)  # type: ignore[attr-defined]

    @guarded("Order.invoices", description="Invoices issued for this order.")
    async def invoices(self, info: Info) -> list[Annotated["Invoice", strawberry.lazy("schema.billing")]] | None:
        return await info.context.loaders.billing.invoices.load(self.id)


OrderConnection = Connection[Order]


@strawberry.input(description="Narrow an order history. All given conditions must hold.")
class OrderFilter:
    status: list[OrderStatusEnum] | None = None  # type: ignore[valid-type]
    placed_after: datetime | None = None
    placed_before: datetime | None = None
    location_id: strawberry.ID | None = None
    po_number: str | None = None
    number: str | None = None

    def to_data(self, **fixed: Any) -> OrderFilterData:
        locations = tuple(fixed.pop("location_ids", ()))
        if self.location_id is not None:
            locations = locations + (decode_as(self.location_id, "Location"),)
        return OrderFilterData(statuses=tuple(self.status or ()), placed_after=self.placed_after,
                               placed_before=self.placed_before, location_ids=locations,
                               po_number=self.po_number, number=self.number, **fixed)


def order_filter(f: OrderFilter | None, **fixed: Any) -> OrderFilterData:
    return (f or OrderFilter()).to_data(**fixed)
