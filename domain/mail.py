"""Queue an email. It is written to the outbox in the caller's transaction, so it is sent
exactly when the change that caused it commits, and not lost if the mail server is down."""
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import OutboxMessage


def enqueue(session: AsyncSession, *, to: str, template: str, now: datetime, locale: str = "en",
            **params: Any) -> OutboxMessage:
    message = OutboxMessage(to_address=to, template=template, locale=locale, params=params,
                            next_attempt_at=now, created_at=now)
    session.add(message)
    return message
