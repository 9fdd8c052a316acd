"""Subscriptions and recurring orders (read side)."""
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from db import models
from db.enums import BillingInterval, SubscriptionStatus
from db.repositories.subscriptions import SubscriptionFilter as SubscriptionFilterData
from domain.money import Money as MoneyData
from permissions.checks import guarded
from resolvers.globalid import decode_as
from resolvers.within import within
from schema.relations import relation
from schema.common import Connection, Money, Node, node_id, rows_of

if TYPE_CHECKING:
    from schema.accounts import Account, Location
    from schema.catalog import ProductVariant

SubscriptionStatusEnum = strawberry.enum(SubscriptionStatus, name="SubscriptionStatus")
BillingIntervalEnum = strawberry.enum(BillingInterval, name="BillingInterval")


@strawberry.type
class SubscriptionItem:
    quantity: int

    @guarded("SubscriptionItem.unitPrice")
    def unit_price(self) -> Money | None:
        return MoneyData(self.unit_price, self.currency)  # type: ignore[attr-defined]

    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None, "catalog.variant", "variant_id")


@strawberry.type
class Subscription(Node):
    id: strawberry.ID = node_id("Subscription")
    is_type_of = rows_of(models.Subscription)
    number: str
    status: SubscriptionStatusEnum  # type: ignore[valid-type]
    interval: BillingIntervalEnum  # type: ignore[valid-type]
    interval_count: int
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    current_period_start: datetime
    current_period_end: datetime
    next_billing_at: datetime | None
    cancel_at_period_end: bool
    cancelled_at: datetime | None
    created_at: datetime

    items = relation("list[SubscriptionItem]", "subscriptions.items", shape=within)

    @guarded("Subscription.total", description="Price of one billing period.")
    async def total(self, info: Info) -> Money | None:
        items = await info.context.loaders.subscriptions.items.load(self.id)
        amount = sum((i.unit_price * i.quantity for i in items), Decimal("0.0000"))
        return MoneyData(amount, self.currency)  # type: ignore[return-value,attr-defined]

    location = relation(Annotated["Location", strawberry.lazy("schema.accounts")] | None, "accounts.location", "location_id")
    account = relation(Annotated["Account", strawberry.lazy("schema.accounts")], "accounts.account", "account_id")


SubscriptionConnection = Connection[Subscription]


@strawberry.input
class SubscriptionFilter:
    status: list[SubscriptionStatusEnum] | None = None  # type: ignore[valid-type]
    created_after: datetime | None = None
    created_before: datetime | None = None
    next_billing_after: datetime | None = None
    next_billing_before: datetime | None = None
    location_id: strawberry.ID | None = None
    number: str | None = None

    def to_data(self, **fixed: Any) -> SubscriptionFilterData:
        locations = tuple(fixed.pop("location_ids", ()))
        if self.location_id is not None:
            locations = locations + (decode_as(self.location_id, "Location"),)
        return SubscriptionFilterData(statuses=tuple(self.status or ()), created_after=self.created_after,
                                      created_before=self.created_before,
                                      next_billing_after=self.next_billing_after,
                                      next_billing_before=self.next_billing_before,
                                      location_ids=locations, number=self.number, **fixed)


def subscription_filter(f: SubscriptionFilter | None, **fixed: Any) -> SubscriptionFilterData:
    return (f or SubscriptionFilter()).to_data(**fixed)
