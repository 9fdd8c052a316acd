"""Ordering rules of an account, and the approval decisions on its orders."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import amount_field, enum_field, utc_field, utcnow


class SpendingLimitPeriod(StrEnum):
    ORDER = "ORDER"  # the limit applies to each order on its own
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


class ApprovalDecision(StrEnum):
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class AccountOrderingSettings(SQLModel, table=True):
    """Per-account ordering rules; an account without a row gets the defaults."""

    __tablename__ = "account_ordering_settings"

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    spending_limit_period: SpendingLimitPeriod = enum_field(SpendingLimitPeriod, default=SpendingLimitPeriod.MONTH)
    # Orders whose total is above this need a second approval, by another approver.
    second_approval_threshold: Decimal | None = amount_field(nullable=True)
    updated_at: datetime = utc_field(default_factory=utcnow)


class OrderApproval(SQLModel, table=True):
    """One decision on an order waiting for approval (step 1, and step 2 above the threshold)."""

    __tablename__ = "order_approval"
    __table_args__ = (sa.UniqueConstraint("order_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="customer_order.id", index=True)
    step: int = Field(default=1)
    decision: ApprovalDecision = enum_field(ApprovalDecision)
    decided_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    comment: str | None = Field(default=None, max_length=2000)
    decided_at: datetime = utc_field()


class OrderApprovalRequest(SQLModel, table=True):
    """Why an order waits for approval, written when it is placed."""

    __tablename__ = "order_approval_request"

    order_id: int = Field(foreign_key="customer_order.id", primary_key=True)
    reasons: list[Any] = Field(default_factory=list, sa_type=sa.JSON)  # codes, e.g. ["SPENDING_LIMIT"]
    approvals_required: int = Field(default=1)
    created_at: datetime = utc_field(default_factory=utcnow)
