"""Returns of shipped order lines, their photos, and the refunds recorded on orders."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import amount_field, enum_field, utc_field, utcnow


class ReturnStatus(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"


class ReturnReason(StrEnum):
    DAMAGED = "DAMAGED"
    DEFECTIVE = "DEFECTIVE"
    WRONG_ITEM = "WRONG_ITEM"
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
    ORDERED_BY_MISTAKE = "ORDERED_BY_MISTAKE"
    NO_LONGER_NEEDED = "NO_LONGER_NEEDED"
    OTHER = "OTHER"


class ReturnRequest(SQLModel, table=True):
    __tablename__ = "return_request"
    __table_args__ = (sa.Index("ix_return_account_created", "account_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    order_id: int = Field(foreign_key="customer_order.id", index=True)
    # Copied from the order, so returns are scoped like orders without a join.
    account_id: int = Field(foreign_key="account.id")
    location_id: int = Field(foreign_key="location.id", index=True)
    requested_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    status: ReturnStatus = enum_field(ReturnStatus, index=True)
    reason: ReturnReason = enum_field(ReturnReason)
    reason_text: str | None = Field(default=None, max_length=2000)
    # The merchant's comment on its decision, shown to the customer.
    decision_note: str | None = Field(default=None, max_length=2000)
    decided_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = utc_field(nullable=True, default=None)
    received_at: datetime | None = utc_field(nullable=True, default=None)
    refunded_at: datetime | None = utc_field(nullable=True, default=None)
    currency: str = Field(max_length=3)
    created_at: datetime = utc_field(default_factory=utcnow)
    updated_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int | None:
        return self.requested_by_user_id


class ReturnLine(SQLModel, table=True):
    __tablename__ = "return_line"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="return_request.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    quantity: int


class ReturnPhoto(SQLModel, table=True):
    """A photo of a return. The file is in the file storage under `storage_key`, a name we made."""

    __tablename__ = "return_photo"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="return_request.id", index=True)
    storage_key: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    content_type: str = Field(max_length=64)
    size_bytes: int
    sha256: str = Field(max_length=64)
    created_at: datetime = utc_field(default_factory=utcnow)


class Refund(SQLModel, table=True):
    """Money given back on an order. Until invoices issue credit notes, this is the record."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="customer_order.id", index=True)
    return_id: int | None = Field(default=None, foreign_key="return_request.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    amount: Decimal = amount_field()
    currency: str = Field(max_length=3)
    note: str | None = Field(default=None, max_length=2000)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)
