"""Tax rates the merchant collects, per country and region."""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import amount_field, utc_field, utcnow


class TaxRate(SQLModel, table=True):
    """The rate in percent of a country (region null) or of one of its regions (an ISO 3166-2
    subdivision: a US state, a Canadian province), in force from `valid_from` until a later row of
    the same place. A region's rate replaces its country's."""

    __tablename__ = "tax_rate"
    # One rate per place and start (by jurisdiction: NULL regions would not collide).
    __table_args__ = (sa.UniqueConstraint("jurisdiction", "valid_from", name="uq_tax_rate_place"),)

    id: int | None = Field(default=None, primary_key=True)
    country: str = Field(max_length=2, index=True)
    region: str | None = Field(default=None, max_length=10)
    jurisdiction: str = Field(max_length=13)  # "US-CA", or "DE" for the whole country
    percent: Decimal = amount_field()
    label: str = Field(max_length=100)
    valid_from: datetime = utc_field()
    created_at: datetime = utc_field(default_factory=utcnow)
