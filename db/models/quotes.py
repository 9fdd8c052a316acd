"""Quotes: a buyer asks for prices on lines; staff answer with prices and an expiry."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import amount_field, enum_field, utc_field, utcnow


class QuoteStatus(StrEnum):
    REQUESTED = "REQUESTED"
    QUOTED = "QUOTED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


class Quote(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_quote_account_created", "account_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    account_id: int = Field(foreign_key="account.id")
    location_id: int = Field(foreign_key="location.id", index=True)
    requested_by_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    status: QuoteStatus = enum_field(QuoteStatus, index=True)
    currency: str = Field(max_length=3)
    note: str | None = Field(default=None, max_length=2000)
    response_note: str | None = Field(default=None, max_length=2000)
    responded_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    responded_at: datetime | None = utc_field(nullable=True, default=None)
    expires_at: datetime | None = utc_field(nullable=True, default=None)
    order_id: int | None = Field(default=None, foreign_key="customer_order.id")
    created_at: datetime = utc_field(default_factory=utcnow)
    updated_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int | None:
        return self.requested_by_user_id


class QuoteLine(SQLModel, table=True):
    __tablename__ = "quote_line"

    id: int | None = Field(default=None, primary_key=True)
    quote_id: int = Field(foreign_key="quote.id", index=True)
    variant_id: int = Field(foreign_key="product_variant.id")
    sku: str = Field(max_length=64)
    title: str = Field(max_length=200)
    quantity: int
    # Set by staff when they answer.
    unit_price: Decimal | None = amount_field(nullable=True)
    position: int = Field(default=0)
