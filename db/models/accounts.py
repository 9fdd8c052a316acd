"""Customer accounts, their locations and addresses, and who belongs to them."""
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import AccountKind, AddressKind, Role
from db.types import amount_field, enum_field, utc_field, utcnow


class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: AccountKind = enum_field(AccountKind)
    name: str = Field(max_length=200, index=True)
    currency: str = Field(max_length=3)
    locale: str = Field(default="en", max_length=16)
    payment_terms_days: int = Field(default=0)
    credit_limit: Decimal | None = amount_field(nullable=True)
    requires_approval: bool = Field(default=False)
    # Set by the merchant: orders are paid by card when placed, whatever the payment terms.
    card_required: bool = Field(default=False)
    # Billing details, as used on invoices.
    billing_country: str | None = Field(default=None, max_length=2)
    billing_region: str | None = Field(default=None, max_length=100)
    billing_postal_code: str | None = Field(default=None, max_length=20)
    billing_business_name: str | None = Field(default=None, max_length=200)
    billing_tax_id: str | None = Field(default=None, max_length=50)
    billing_is_business: bool = Field(default=False)
    # Set by staff from the buyer's exemption certificate; invoices print the reference.
    tax_exempt: bool = Field(default=False)
    tax_exemption_reference: str | None = Field(default=None, max_length=100)
    created_at: datetime = utc_field(default_factory=utcnow)

    @property
    def account_id(self) -> int:
        return self.id  # type: ignore[return-value]


class Location(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=200)
    # A location may be exempt on its own (a school site of a company that is not).
    tax_exempt: bool = Field(default=False)
    tax_exemption_reference: str | None = Field(default=None, max_length=100)
    created_at: datetime = utc_field(default_factory=utcnow)

    @property
    def location_id(self) -> int:
        return self.id  # type: ignore[return-value]


class Address(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    kind: AddressKind = enum_field(AddressKind)
    is_default: bool = Field(default=False)
    recipient: str | None = Field(default=None, max_length=200)
    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str = Field(max_length=2)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    # Merchant staff are users with a staff role and no memberships.
    staff_role: str | None = Field(default=None, max_length=32)
    locale: str | None = Field(default=None, max_length=16)
    phone: str | None = Field(default=None, max_length=32)
    time_zone: str | None = Field(default=None, max_length=64)  # an IANA name, such as Europe/Berlin
    # The values of the merchant's custom profile fields (db/models/profile.py), by the field's key.
    profile_values: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = utc_field(default_factory=utcnow)


class Membership(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("user_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    spending_limit: Decimal | None = amount_field(nullable=True)
    created_at: datetime = utc_field(default_factory=utcnow)


class MembershipRole(SQLModel, table=True):
    """One role of a membership: account-wide when location_id is null, else at that location."""

    __tablename__ = "membership_role"
    __table_args__ = (sa.UniqueConstraint("membership_id", "role", "location_id"),)

    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(foreign_key="membership.id", index=True)
    role: Role = enum_field(Role)
    location_id: int | None = Field(default=None, foreign_key="location.id")
