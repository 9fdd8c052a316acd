"""Saved payment methods: what the gateway tokenized, and what a person needs to tell cards apart.

Nothing of the card but its brand, last four digits and expiry is kept; the gateway holds the rest
behind `gateway_method_id` (PCI DSS scope stays with the gateway)."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field, utcnow


class PaymentMethod(SQLModel, table=True):
    __tablename__ = "payment_method"
    # A gateway's method is saved once (two accounts cannot share a card's token).
    __table_args__ = (sa.UniqueConstraint("gateway", "gateway_method_id", name="uq_payment_method_gateway_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    gateway: str = Field(max_length=32)  # "test" or "stripe": the adapter that saved it
    gateway_method_id: str = Field(max_length=255)  # the gateway's token (Stripe: pm_...)
    # The gateway's customer the method is attached to (Stripe charges a saved card only with it).
    gateway_customer_id: str | None = Field(default=None, max_length=255)
    brand: str = Field(max_length=32)
    last4: str = Field(max_length=4)
    exp_month: int
    exp_year: int
    is_default: bool = Field(default=False)
    created_at: datetime = utc_field(default_factory=utcnow)
    # The expiry ("2027-03") its 'card expiring' email was sent for: once per card and expiry.
    expiry_notified_for: str | None = Field(default=None, max_length=7)
