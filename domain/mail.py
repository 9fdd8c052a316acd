"""Queue an email. It is written to the outbox in the caller's transaction, so it is sent
exactly when the change that caused it commits, and not lost if the mail server is down."""
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import OutboxMessage


def message(*, to: str, template: str, now: datetime, locale: str = "en", **params: Any) -> OutboxMessage:
    return OutboxMessage(to_address=to, template=template, locale=locale, params=params,
                         next_attempt_at=now, created_at=now)


def enqueue(session: AsyncSession, *, to: str, template: str, now: datetime, locale: str = "en",
            **params: Any) -> OutboxMessage:
    queued = message(to=to, template=template, now=now, locale=locale, **params)
    session.add(queued)
    return queued


async def enqueue_all(session: AsyncSession, messages: list[OutboxMessage]) -> None:
    """Many messages in one INSERT, for a batch job (the ORM writes one statement per row here)."""
    if messages:
        conn = await session.connection()
        await conn.execute(insert(OutboxMessage), [m.model_dump(exclude={"id"}) for m in messages])
