"""Carts: what a buyer is about to order for one location, at the prices seen when lines were added."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import amount_field, enum_field, utc_field, utcnow


class CartStatus(StrEnum):
    OPEN = "OPEN"
    ORDERED = "ORDERED"


class Cart(SQLModel, table=True):
    """Carts belong to a location: every buyer of the location may work on them."""

    __table_args__ = (sa.Index("ix_cart_location_updated", "location_id", "updated_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    name: str | None = Field(default=None, max_length=200)
    status: CartStatus = enum_field(CartStatus, default=CartStatus.OPEN)
    currency: str = Field(max_length=3)
    po_number: str | None = Field(default=None, max_length=140)
    note: str | None = Field(default=None, max_length=2000)
    shipping_address_id: int | None = Field(default=None, foreign_key="address.id")
    # Set once, when the cart is placed: a cart becomes at most one order.
    order_id: int | None = Field(default=None, foreign_key="customer_order.id",
                                 sa_column_kwargs={"unique": True})
    created_at: datetime = utc_field(default_factory=utcnow)
    updated_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int | None:
        return self.created_by_user_id


class CartLine(SQLModel, table=True):
    __tablename__ = "cart_line"
    __table_args__ = (sa.UniqueConstraint("cart_id", "variant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="cart.id", index=True)
    variant_id: int = Field(foreign_key="product_variant.id")
    sku: str = Field(max_length=64)
    title: str = Field(max_length=200)
    quantity: int
    # The contracted unit price when the line was added or last changed; re-checked at placement.
    unit_price: Decimal = amount_field()
    currency: str = Field(max_length=3)
    position: int = Field(default=0)
    created_at: datetime = utc_field(default_factory=utcnow)
