"""The mail outbox: what is due, and marking messages sent or failed."""
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import OutboxMessage


async def due_messages(session: AsyncSession, now: datetime, limit: int) -> list[OutboxMessage]:
    stmt = (select(OutboxMessage).where(OutboxMessage.status == "PENDING", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # several workers never send one message twice
    return list((await session.exec(stmt)).all())


async def recent_messages(session: AsyncSession, limit: int, status: str | None = None,
                          to: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if to:
        stmt = stmt.where(OutboxMessage.to_address == to)
    return list((await session.exec(stmt.order_by(OutboxMessage.id.desc()).limit(limit))).all())


async def message(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, message_id)
