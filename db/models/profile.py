"""A person's own address book, and the custom profile fields the merchant defines."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import AddressKind, ProfileFieldType
from db.types import enum_field, utc_field, utcnow


class UserAddress(SQLModel, table=True):
    """An address in a user's own book (a location's addresses are db.models.Address)."""

    __tablename__ = "user_address"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: AddressKind = enum_field(AddressKind)
    is_default: bool = Field(default=False)
    label: str | None = Field(default=None, max_length=100)
    recipient: str | None = Field(default=None, max_length=200)
    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str = Field(max_length=2)
    created_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int:
        return self.user_id


class ProfileField(SQLModel, table=True):
    """A field the merchant adds to every customer's profile; values live on User.profile_values."""

    __tablename__ = "profile_field"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    label: str = Field(max_length=100)
    type: ProfileFieldType = enum_field(ProfileFieldType)
    choices: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    required: bool = Field(default=False)
    position: int = Field(default=0)
    created_at: datetime = utc_field(default_factory=utcnow)
