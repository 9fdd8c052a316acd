"""Orders, their lines, and the shipments that fulfil them."""
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import FulfilmentStatus, OrderStatus
from db.types import amount_field, enum_field, utc_field, utcnow


class Order(SQLModel, table=True):
    __tablename__ = "customer_order"  # "order" is an SQL keyword
    __table_args__ = (
        sa.Index("ix_order_account_placed", "account_id", "placed_at", "id"),
        sa.Index("ix_order_location_placed", "location_id", "placed_at", "id"),
        sa.Index("ix_order_placed_by", "placed_by_user_id", "placed_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    account_id: int = Field(foreign_key="account.id")
    location_id: int = Field(foreign_key="location.id")
    placed_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    status: OrderStatus = enum_field(OrderStatus, index=True)
    po_number: str | None = Field(default=None, max_length=140, index=True)
    note: str | None = Field(default=None, max_length=2000)
    currency: str = Field(max_length=3)
    subtotal: Decimal = amount_field()
    tax: Decimal = amount_field()
    total: Decimal = amount_field()
    shipping_address: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # The card chosen at placement of an order paid when placed; charged at approval when it waits for one.
    payment_method_id: int | None = Field(default=None, sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("payment_method.id", ondelete="SET NULL"), nullable=True))
    placed_at: datetime = utc_field()
    updated_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int | None:
        return self.placed_by_user_id


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="customer_order.id", index=True)
    variant_id: int | None = Field(default=None, foreign_key="product_variant.id")
    sku: str = Field(max_length=64)
    title: str = Field(max_length=200)
    quantity: int
    unit_price: Decimal = amount_field()
    total: Decimal = amount_field()
    currency: str = Field(max_length=3)
    position: int = Field(default=0)
    # Tax of the line (domain/tax.py): the rate in percent, the amount rounded to the minor unit,
    # where it is due, or why there is none; `tax_included`: the line's price already holds it.
    tax_percent: Decimal = amount_field(default=Decimal(0))
    tax_amount: Decimal = amount_field(default=Decimal(0))
    tax_label: str | None = Field(default=None, max_length=100)
    tax_jurisdiction: str | None = Field(default=None, max_length=10)
    tax_reason: str | None = Field(default=None, max_length=20)  # a db.enums.TaxReason
    tax_included: bool = Field(default=False)


class Fulfilment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="customer_order.id", index=True)
    status: FulfilmentStatus = enum_field(FulfilmentStatus)
    carrier: str | None = Field(default=None, max_length=50)
    tracking_number: str | None = Field(default=None, max_length=100)
    tracking_url: str | None = Field(default=None, max_length=500)
    shipped_at: datetime | None = utc_field(nullable=True, default=None)
    estimated_delivery_at: datetime | None = utc_field(nullable=True, default=None)
    delivered_at: datetime | None = utc_field(nullable=True, default=None)
    created_at: datetime = utc_field(default_factory=utcnow)


class FulfilmentLine(SQLModel, table=True):
    __tablename__ = "fulfilment_line"

    id: int | None = Field(default=None, primary_key=True)
    fulfilment_id: int = Field(foreign_key="fulfilment.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    quantity: int
