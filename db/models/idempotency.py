"""Idempotency keys of writes that move money or create orders.

A key is claimed by inserting its row in the transaction that does the work: a concurrent
request with the same key waits on the unique index and then finds the finished result."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field, utcnow


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("principal", "operation", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    # Whose key: "user:12" or "client:3"; two callers never share a key space.
    principal: str = Field(max_length=64)
    operation: str = Field(max_length=64)  # e.g. "orderPlace"
    key: str = Field(max_length=255)
    # SHA-256 of the canonical request body: the same key with another body is refused.
    request_hash: str = Field(max_length=64)
    result_type: str | None = Field(default=None, max_length=32)
    result_id: int | None = Field(default=None)
    created_at: datetime = utc_field(default_factory=utcnow)
