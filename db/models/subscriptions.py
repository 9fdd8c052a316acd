"""Recurring orders and service subscriptions."""
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import BillingInterval, CollectionMethod, SubscriptionKind, SubscriptionStatus
from db.types import amount_field, enum_field, utc_field, utcnow


# The billing worker's claims (db/repositories/subscriptions.py) read these partial indexes in
# billing-date order, so a claim costs the same whatever the number of subscriptions not due (the
# cancelled ones, those billed already). The claim queries repeat the predicates literally: the
# planner uses a partial index only when the query's WHERE implies its predicate.
BILLING_AT = "coalesce(next_billing_at, current_period_end)"
LIVE = "status IN ('ACTIVE', 'TRIALING')"
PAUSED = "status = 'PAUSED'"
NOT_NOTIFIED = f"(notified_for IS NULL OR notified_for < {BILLING_AT})"


def _partial(name: str, key: Any, where: str) -> sa.Index:
    return sa.Index(name, key, "id", postgresql_where=sa.text(where), sqlite_where=sa.text(where))


class Subscription(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_subscription_account_created", "account_id", "created_at", "id"),
                      _partial("ix_subscription_billing_due", sa.text(BILLING_AT), LIVE),
                      _partial("ix_subscription_pause_end", "paused_until", PAUSED),
                      _partial("ix_subscription_notice_due", sa.text(BILLING_AT), f"{LIVE} AND {NOT_NOTIFIED}"))

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    account_id: int = Field(foreign_key="account.id")
    location_id: int | None = Field(default=None, foreign_key="location.id", index=True)
    status: SubscriptionStatus = enum_field(SubscriptionStatus, index=True)
    kind: SubscriptionKind = enum_field(SubscriptionKind, default=SubscriptionKind.PLAN,
                                        sa_column_kwargs={"server_default": "PLAN"})
    interval: BillingInterval = enum_field(BillingInterval)
    interval_count: int = Field(default=1)
    currency: str = Field(max_length=3)
    current_period_start: datetime = utc_field()
    current_period_end: datetime = utc_field()
    next_billing_at: datetime | None = utc_field(nullable=True, default=None)
    cancel_at_period_end: bool = Field(default=False)
    # A paused subscription bills again from this instant (the worker resumes it then).
    paused_until: datetime | None = utc_field(nullable=True, default=None)
    # Charged to a saved payment method, or invoiced: an account keeps one method while any of its
    # live subscriptions is charged automatically (domain/payments.py).
    collection_method: CollectionMethod = enum_field(CollectionMethod, default=CollectionMethod.SEND_INVOICE,
                                                     sa_column_kwargs={"server_default": "SEND_INVOICE"})
    cancelled_at: datetime | None = utc_field(nullable=True, default=None)
    created_at: datetime = utc_field(default_factory=utcnow)
    # Counts committed changes: a change's payment is keyed by it, so a retried change charges once.
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # An accepted retention discount: this percentage off the next `discount_cycles_left` renewals.
    discount_percent: Decimal | None = amount_field(nullable=True, default=None)
    discount_cycles_left: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A recurring order's orders are placed in this buyer's name: their spending limit applies.
    placed_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    # The billing date whose notices (upcoming renewal, card expiring) the worker has sent.
    notified_for: datetime | None = utc_field(nullable=True, default=None)


class SubscriptionItem(SQLModel, table=True):
    __tablename__ = "subscription_item"

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    variant_id: int = Field(foreign_key="product_variant.id")
    quantity: int
    unit_price: Decimal = amount_field()
    currency: str = Field(max_length=3)
    # A downgrade scheduled for the period end: the renewal applies it (the customer may cancel it).
    pending_variant_id: int | None = Field(default=None, foreign_key="product_variant.id")
    pending_quantity: int | None = Field(default=None)
    pending_unit_price: Decimal | None = amount_field(nullable=True, default=None)


class SubscriptionEvent(SQLModel, table=True):
    """The history of a subscription's changes, oldest first: what changed, by whom, and the
    invoice it produced."""

    __tablename__ = "subscription_event"
    __table_args__ = (sa.Index("ix_subscription_event_subscription", "subscription_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id")
    account_id: int = Field(foreign_key="account.id")
    kind: str = Field(max_length=40)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = utc_field(default_factory=utcnow)


class SubscriptionCycle(SQLModel, table=True):
    """One billing cycle of a subscription, written by the renewal that bills it: its unique key
    makes each cycle billed once, whichever worker gets there first. A cycle whose charge failed
    carries the dunning state (the next retry, the attempts so far)."""

    __tablename__ = "subscription_cycle"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "period_start", name="uq_subscription_cycle_period"),
                      sa.Index("ix_subscription_cycle_retry", "next_retry_at"))

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id")
    period_start: datetime = utc_field()
    period_end: datetime = utc_field()
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    # A recurring order's order of this cycle (placed, or waiting for approval).
    order_id: int | None = Field(default=None, foreign_key="customer_order.id", sa_column_kwargs={"unique": True})
    amount: Decimal = amount_field()
    attempts: int = Field(default=0)  # charges tried (0: invoiced by terms, nothing charged)
    next_retry_at: datetime | None = utc_field(nullable=True, default=None)
    created_at: datetime = utc_field(default_factory=utcnow)


class SubscriptionAddon(SQLModel, table=True):
    """A one-time add-on to a recurring order's next order: billed (and delivered) once by the
    renewal that bills the cycle starting at `cycle_start`, or the first one after it; that renewal
    sets `invoice_id` (a plan's invoice) or `order_id` (a recurring order's order): consumed."""

    __tablename__ = "subscription_addon"
    __table_args__ = (sa.Index("ix_subscription_addon_open", "subscription_id", "invoice_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id")
    account_id: int = Field(foreign_key="account.id")
    variant_id: int = Field(foreign_key="product_variant.id")
    title: str = Field(max_length=200)
    quantity: int
    unit_price: Decimal = amount_field()  # the location's contracted price when added
    currency: str = Field(max_length=3)
    cycle_start: datetime = utc_field()  # the billing date of the order it joins
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    order_id: int | None = Field(default=None, foreign_key="customer_order.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)


class SubscriptionPortalSetting(SQLModel, table=True):
    """The merchant's subscription portal as staff set it (one row, id 1); without it the
    environment's preset applies (server/settings.py)."""

    __tablename__ = "subscription_portal_setting"

    id: int | None = Field(default=None, primary_key=True)
    preset: str = Field(max_length=32)
    actions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    cancel_mode: str = Field(max_length=32)
    prorate_upgrades: bool = Field(default=True)
    max_pause_cycles: int
    cancel_by_admin_only: bool = Field(default=False)
    # The retention offer shown before a cancellation: DISCOUNT (percent for cycles), CHEAPER_PLAN, PAUSE.
    offer_kind: str | None = Field(default=None, max_length=32)
    offer_percent: Decimal | None = amount_field(nullable=True, default=None)
    offer_cycles: int | None = Field(default=None)
    updated_at: datetime = utc_field(default_factory=utcnow)


class SubscriptionRetentionOffer(SQLModel, table=True):
    """The retention offer a subscription was shown before cancelling (once per subscription) and
    whether it was accepted."""

    __tablename__ = "subscription_retention_offer"
    __table_args__ = (sa.UniqueConstraint("subscription_id", name="uq_subscription_retention_offer"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id")
    account_id: int = Field(foreign_key="account.id")
    kind: str = Field(max_length=32)
    percent: Decimal | None = amount_field(nullable=True, default=None)
    cycles: int | None = Field(default=None)
    variant_id: int | None = Field(default=None, foreign_key="product_variant.id")  # the cheaper plan
    period_amount: Decimal | None = amount_field(nullable=True, default=None)  # the cheaper plan's, when shown
    shown_at: datetime = utc_field()
    accepted: bool | None = Field(default=None)  # None: not yet decided
    decided_at: datetime | None = utc_field(nullable=True, default=None)
