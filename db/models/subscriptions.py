"""Recurring orders and service subscriptions."""
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import BillingInterval, CollectionMethod, SubscriptionKind, SubscriptionStatus
from db.types import amount_field, enum_field, utc_field, utcnow


class Subscription(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_subscription_account_created", "account_id", "created_at", "id"),)

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
