"""The audit log: who did what to which object, from where, and when."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_account_at", "account_id", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(default_factory=utcnow)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_kind: str = Field(max_length=16)  # ANONYMOUS, CUSTOMER, STAFF, INTEGRATION, SYSTEM
    account_id: int | None = Field(default=None, foreign_key="account.id")
    action: str = Field(max_length=64, index=True)  # e.g. "auth.sign_in", "order.approve"
    target_type: str | None = Field(default=None, max_length=32)
    target_id: int | None = Field(default=None)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    # Extra facts (never secrets: no tokens, passwords or codes).
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
