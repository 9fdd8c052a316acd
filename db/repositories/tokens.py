"""Single-use tokens, two-factor secrets and recovery codes. Not scoped: these build the caller."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import AuthToken, RecoveryCode, TwoFactor


async def token_by_hash(session: AsyncSession, purpose: str, token_hash: str) -> AuthToken | None:
    stmt = select(AuthToken).where(AuthToken.purpose == purpose, AuthToken.token_hash == token_hash)
    return (await session.exec(stmt.with_for_update())).first()


async def latest_live_token(session: AsyncSession, purpose: str, email: str, now: datetime) -> AuthToken | None:
    stmt = (select(AuthToken).where(AuthToken.purpose == purpose, AuthToken.email == email,
                                    AuthToken.used_at.is_(None), AuthToken.expires_at > now)
            .order_by(AuthToken.id.desc()).limit(1))
    return (await session.exec(stmt.with_for_update())).first()


async def retire_tokens(session: AsyncSession, purpose: str, email: str, now: datetime) -> None:
    """Mark every live token of this purpose and email used: only the newest link works."""
    await session.exec(sa.update(AuthToken).where(AuthToken.purpose == purpose, AuthToken.email == email,
                                                  AuthToken.used_at.is_(None)).values(used_at=now))


async def retire_user_tokens(session: AsyncSession, purpose: str, user_id: int, now: datetime) -> None:
    """Mark every live token of this purpose for the user used, whatever address it went to."""
    await session.exec(sa.update(AuthToken).where(AuthToken.purpose == purpose, AuthToken.user_id == user_id,
                                                  AuthToken.used_at.is_(None)).values(used_at=now))


async def mark_used(session: AsyncSession, token_id: int, now: datetime) -> bool:
    """Use the token; False when another request used it first (whatever this one read)."""
    result = await session.exec(sa.update(AuthToken).where(AuthToken.id == token_id, AuthToken.used_at.is_(None))
                                .values(used_at=now))
    return result.rowcount == 1


async def bump_attempts(session: AsyncSession, token_id: int, max_attempts: int, now: datetime) -> None:
    """Count a wrong code; the token dies at `max_attempts`."""
    await session.exec(sa.update(AuthToken).where(AuthToken.id == token_id)
                       .values(attempts=AuthToken.attempts + 1))
    await session.exec(sa.update(AuthToken).where(AuthToken.id == token_id, AuthToken.attempts >= max_attempts,
                                                  AuthToken.used_at.is_(None)).values(used_at=now))


async def two_factor_of(session: AsyncSession, user_id: int) -> TwoFactor | None:
    return (await session.exec(select(TwoFactor).where(TwoFactor.user_id == user_id).with_for_update())).first()


async def delete_two_factor(session: AsyncSession, user_id: int) -> None:
    await session.exec(sa.delete(TwoFactor).where(TwoFactor.user_id == user_id))
    await session.exec(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


async def unused_recovery_codes(session: AsyncSession, user_id: int) -> list[RecoveryCode]:
    stmt = select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    return list((await session.exec(stmt)).all())


async def replace_recovery_codes(session: AsyncSession, user_id: int, hashes: list[str]) -> None:
    await session.exec(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.add_all([RecoveryCode(user_id=user_id, code_hash=h) for h in hashes])


async def use_recovery_code(session: AsyncSession, code_id: int, now: datetime) -> bool:
    """Mark the code used; False when another request used it first."""
    result = await session.exec(sa.update(RecoveryCode).where(RecoveryCode.id == code_id,
                                                              RecoveryCode.used_at.is_(None)).values(used_at=now))
    return result.rowcount == 1


async def advance_step(session: AsyncSession, two_factor_id: int, step: int) -> bool:
    """Record `step` as used; False when it (or a later one) was used already: a replay."""
    result = await session.exec(sa.update(TwoFactor).where(TwoFactor.id == two_factor_id, TwoFactor.last_step < step)
                                .values(last_step=step))
    return result.rowcount == 1
