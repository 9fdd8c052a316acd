"""Record an audit event in the caller's transaction: the log holds exactly what committed."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import AuditEvent
from domain.webhooks import outbox as webhooks


@dataclass(frozen=True)
class Actor:
    kind: str  # ANONYMOUS, CUSTOMER, STAFF, INTEGRATION, SYSTEM
    user_id: int | None = None
    ip: str | None = None
    user_agent: str | None = None


def record(session: AsyncSession, actor: Actor, action: str, now: datetime, *, account_id: int | None = None,
           target_type: str | None = None, target_id: int | None = None, **data: Any) -> AuditEvent:
    event = AuditEvent(at=now, actor_user_id=actor.user_id, actor_kind=actor.kind, account_id=account_id,
                       action=action, target_type=target_type, target_id=target_id, ip=actor.ip,
                       user_agent=(actor.user_agent or "")[:300] or None, data=data)
    session.add(event)
    session.info["audited"] = True  # a generic "mutation ran" event is then not needed
    webhooks.note(session, action, target_id, now, account_id=account_id, **data)  # its webhook event, if any
    return event


def was_recorded(session: AsyncSession) -> bool:
    return bool(session.info.get("audited"))
