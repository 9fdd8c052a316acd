"""What carriers report about a fulfilment on its way: one row per status change."""
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import enum_field, utc_field, utcnow


class ShipmentEventStatus(StrEnum):
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"


class ShipmentEvent(SQLModel, table=True):
    __tablename__ = "shipment_event"
    __table_args__ = (sa.Index("ix_shipment_event_fulfilment_at", "fulfilment_id", "occurred_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    fulfilment_id: int = Field(foreign_key="fulfilment.id")
    status: ShipmentEventStatus = enum_field(ShipmentEventStatus)
    occurred_at: datetime = utc_field()
    # Free text as the carrier gives it: "Memphis, TN hub", "Left at loading dock 2".
    location: str | None = Field(default=None, max_length=200)
    message: str | None = Field(default=None, max_length=500)
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)
