"""A person's own sessions: list them, revoke one, revoke all, sign out."""
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import AuthSession
from db.repositories import sessions as repo
from domain import audit
from domain.errors import reject
from domain.identity.env import AuthEnv
from domain.identity.errors import SessionErrorCode


async def live_sessions(session: AsyncSession, user_id: int, env: AuthEnv, idle: timedelta) -> list[AuthSession]:
    return await repo.live_sessions(session, user_id, env.now, env.now - idle)


async def revoke_one(session: AsyncSession, env: AuthEnv, user_id: int, session_id: int) -> AuthSession:
    row = await repo.own_session_for_update(session, user_id, session_id)
    if row is None:
        raise reject(SessionErrorCode.NOT_FOUND, "No session with that ID", "input", "id")
    if row.revoked_at is None:
        await repo.revoke_sessions(session, user_id, env.now, only_id=session_id)
        row.revoked_at = env.now
        audit.record(session, env.actor, "auth.session_revoked", env.now, target_type="Session", target_id=row.id)
    return row


async def revoke_all(session: AsyncSession, env: AuthEnv, user_id: int, keep_current: bool) -> int:
    keep = env.current_session_id if keep_current else None
    count = await repo.revoke_sessions(session, user_id, env.now, keep_id=keep)
    audit.record(session, env.actor, "auth.sessions_revoked", env.now, target_type="User", target_id=user_id,
                 count=count, kept_current=keep is not None)
    return count


async def sign_out(session: AsyncSession, env: AuthEnv, user_id: int) -> None:
    if env.current_session_id is None:
        return
    await repo.revoke_sessions(session, user_id, env.now, only_id=env.current_session_id)
    audit.record(session, env.actor, "auth.sign_out", env.now, target_type="Session", target_id=env.current_session_id)
