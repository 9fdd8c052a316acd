"""Requisition lists: named lists of variants and quantities, shared within an account."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field, utcnow


class RequisitionList(SQLModel, table=True):
    __tablename__ = "requisition_list"
    __table_args__ = (sa.UniqueConstraint("account_id", "name"),
                      sa.Index("ix_requisition_list_account_name", "account_id", "name", "id"))

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)
    updated_at: datetime = utc_field(default_factory=utcnow)


class RequisitionListItem(SQLModel, table=True):
    __tablename__ = "requisition_list_item"
    __table_args__ = (sa.UniqueConstraint("list_id", "variant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="requisition_list.id", index=True)
    variant_id: int = Field(foreign_key="product_variant.id", index=True)
    quantity: int
    position: int = Field(default=0)
