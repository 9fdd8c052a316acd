"""A user's own sign-in sessions: list, revoke. Scoped to the user by construction."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import AuthSession
from db.repositories.base import lock_row


def _live(user_id: int, now: datetime, idle_since: datetime) -> list[sa.ColumnElement[bool]]:
    return [AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now,
            AuthSession.last_seen_at > idle_since]


async def live_sessions(session: AsyncSession, user_id: int, now: datetime, idle_since: datetime) -> list[AuthSession]:
    stmt = select(AuthSession).where(*_live(user_id, now, idle_since)).order_by(AuthSession.last_seen_at.desc(),
                                                                                 AuthSession.id.desc())
    return list((await session.exec(stmt)).all())


async def own_session_for_update(session: AsyncSession, user_id: int, session_id: int) -> AuthSession | None:
    """The user's session, locked."""
    await lock_row(session, AuthSession, session_id)
    stmt = select(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user_id)
    return (await session.exec(stmt)).first()


async def revoke_sessions(session: AsyncSession, user_id: int, now: datetime, *, keep_id: int | None = None,
                          only_id: int | None = None) -> int:
    """Revoke the user's unrevoked sessions (all, all but `keep_id`, or just `only_id`); how many."""
    stmt = sa.update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if keep_id is not None:
        stmt = stmt.where(AuthSession.id != keep_id)
    if only_id is not None:
        stmt = stmt.where(AuthSession.id == only_id)
    result = await session.exec(stmt.values(revoked_at=now))
    return result.rowcount
