"""The outbox: every email is written here in the transaction that caused it, then sent."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field, utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    template: str = Field(max_length=64)
    locale: str = Field(default="en", max_length=16)
    # Template parameters; rendered when sent, so a fixed template fixes queued mail too.
    params: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default="PENDING", max_length=16)  # PENDING, SENT, FAILED
    attempts: int = Field(default=0)
    next_attempt_at: datetime = utc_field(default_factory=utcnow)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc_field(default_factory=utcnow)
    sent_at: datetime | None = utc_field(nullable=True, default=None)
