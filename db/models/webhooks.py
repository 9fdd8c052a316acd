"""Outgoing webhooks: the endpoints, the event outbox, one delivery per endpoint and event, and
every attempt to deliver it."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field, utcnow


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    # None: the merchant's endpoint (every account's events); else that account's events only.
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    event_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    enabled: bool = Field(default=True)
    # whsec_...: it signs (HMAC), so it is kept as it is; shown once, when made or rotated.
    secret: str = Field(max_length=100)
    # Secrets rotated out, each signing alongside the new one for a day: [{"secret", "until"}]
    # (a second rotation within the day keeps the first one's overlap).
    previous_secrets: list[dict[str, str]] = Field(default_factory=list, sa_type=sa.JSON)

    def still_signing(self, now: datetime) -> list[dict[str, str]]:
        """The rotated-out secrets whose overlap has not ended."""
        return [p for p in self.previous_secrets if datetime.fromisoformat(p["until"]) > now]

    def secrets_at(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery made now: the current one first."""
        return [self.secret] + [p["secret"] for p in self.still_signing(now)]

    def overlap_until(self, now: datetime) -> datetime | None:
        """When the last rotated-out secret stops signing (None: none signs now)."""
        return max((datetime.fromisoformat(p["until"]) for p in self.still_signing(now)), default=None)
    # When deliveries started failing without a success since: disabled after some days of it.
    failing_since: datetime | None = utc_field(nullable=True, default=None)
    disabled_reason: str | None = Field(default=None, max_length=32)  # STAFF, GONE (410), FAILING
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)
    updated_at: datetime = utc_field(default_factory=utcnow)


class WebhookEvent(SQLModel, table=True):
    """The outbox: written in the transaction of the change; its id is the payload's version."""
    __tablename__ = "webhook_event"
    __table_args__ = (sa.Index("ix_webhook_event_fanout", "fanned_out", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=40, unique=True)  # webhook-id: the same for every retry and replay
    type: str = Field(max_length=64)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    object_type: str = Field(max_length=32)
    object_id: int
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    fanned_out: bool = Field(default=False)
    fanout_lease: str | None = Field(default=None, max_length=32)
    created_at: datetime = utc_field(default_factory=utcnow, index=True)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        # Per endpoint, events of one object go out in order: "is an earlier one still pending?"
        sa.Index("ix_webhook_delivery_order", "endpoint_id", "object_key", "status", "event_id"),
        sa.Index("ix_webhook_delivery_endpoint", "endpoint_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id")
    event_id: int = Field(foreign_key="webhook_event.id", index=True)
    event_type: str = Field(max_length=64)
    object_key: str = Field(max_length=64)  # "Order:12"
    status: str = Field(default="PENDING", max_length=16)  # PENDING, DELIVERED, FAILED
    attempts: int = Field(default=0)
    next_attempt_at: datetime = utc_field(default_factory=utcnow)
    # A worker's claim: no other worker takes the delivery until it ends or the lease runs out.
    lease: str | None = Field(default=None, max_length=32)
    locked_until: datetime | None = utc_field(nullable=True, default=None)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=200)
    replay: bool = Field(default=False)
    created_at: datetime = utc_field(default_factory=utcnow)
    delivered_at: datetime | None = utc_field(nullable=True, default=None)


class WebhookAttempt(SQLModel, table=True):
    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", index=True)
    at: datetime = utc_field(default_factory=utcnow)
    status_code: int | None = Field(default=None)
    duration_ms: int = Field(default=0)
    response_head: str = Field(default="", max_length=500)  # the first bytes of the answer
    error: str | None = Field(default=None, max_length=200)  # timeout, refused, closed, blocked address
    ok: bool = Field(default=False)
