"""The merchant's catalog and the contracted prices of its customers."""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import amount_field, utc_field, utcnow


class Product(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200, index=True)
    description: str | None = Field(default=None)
    vendor: str | None = Field(default=None, max_length=100)
    is_active: bool = Field(default=True)
    is_digital: bool = Field(default=False)
    created_at: datetime = utc_field(default_factory=utcnow)


class ProductVariant(SQLModel, table=True):
    __tablename__ = "product_variant"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    sku: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    title: str = Field(max_length=200)
    list_price: Decimal = amount_field()
    currency: str = Field(max_length=3)
    is_active: bool = Field(default=True)
    position: int = Field(default=0)


class PriceList(SQLModel, table=True):
    """Prices contracted with an account, or with one of its locations (location_id set).

    A fixed price in an entry wins; other variants get `adjustment_percent` on their list price
    (-10 is ten percent off) when it is set, rounded to `price_precision` decimals (0 to 4) or,
    when that is null, to the currency's minor unit."""

    __tablename__ = "price_list"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    account_id: int = Field(foreign_key="account.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id", index=True)
    currency: str = Field(max_length=3)
    adjustment_percent: Decimal | None = amount_field(nullable=True)
    price_precision: int | None = Field(default=None)
    # Its prices are gross: a line's tax is extracted from them, not added.
    prices_include_tax: bool = Field(default=False)
    valid_from: datetime | None = utc_field(nullable=True, default=None)
    valid_until: datetime | None = utc_field(nullable=True, default=None)
    created_at: datetime = utc_field(default_factory=utcnow)


class PriceListEntry(SQLModel, table=True):
    """A fixed unit price from `min_quantity` on (1 for the base price; more rows are breaks)."""

    __tablename__ = "price_list_entry"
    __table_args__ = (sa.UniqueConstraint("price_list_id", "variant_id", "min_quantity"),)

    id: int | None = Field(default=None, primary_key=True)
    price_list_id: int = Field(foreign_key="price_list.id", index=True)
    variant_id: int = Field(foreign_key="product_variant.id", index=True)
    min_quantity: int = Field(default=1)
    price: Decimal = amount_field()


class QuantityRule(SQLModel, table=True):
    __tablename__ = "quantity_rule"
    __table_args__ = (sa.UniqueConstraint("price_list_id", "variant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    price_list_id: int = Field(foreign_key="price_list.id", index=True)
    variant_id: int = Field(foreign_key="product_variant.id", index=True)
    minimum: int = Field(default=1)
    maximum: int | None = Field(default=None)
    increment: int = Field(default=1)
