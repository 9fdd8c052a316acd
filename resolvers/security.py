"""A person's own security: sessions (list, revoke, sign out) and two-factor authentication."""
from datetime import timedelta

from db.models import AuthSession
from db.repositories.users import user_by_id
from domain.identity import sessions, two_factor
from domain.identity.errors import AuthError
from resolvers.context import Context
from resolvers.globalid import decode_as
from resolvers.identity import Payload, attempt, codes, env, payload, require_person, throttle

SessionErrorCode = codes("SessionErrorCode", "NOT_FOUND")
TwoFactorErrorCode = codes("TwoFactorErrorCode", "ALREADY_ENABLED", "NOT_ENROLLED", "NOT_ENABLED", "INVALID_CODE",
                           "INVALID_CREDENTIALS")


async def my_sessions(ctx: Context) -> list[AuthSession]:
    if ctx.caller.user_id is None:
        return []
    async with ctx.db.session() as s:
        return await sessions.live_sessions(s, ctx.caller.user_id, env(ctx),
                                            timedelta(minutes=ctx.settings.session_idle_minutes))


async def two_factor_enabled(ctx: Context) -> bool:
    if ctx.caller.user_id is None:
        return False
    async with ctx.db.session() as s:
        return await two_factor.is_enabled(s, ctx.caller.user_id)


async def session_revoke(ctx: Context, session_id: str) -> Payload:
    user_id = require_person(ctx, "Mutation.sessionRevoke")
    pk = decode_as(session_id, "Session")
    row, error = await attempt(ctx, lambda s: sessions.revoke_one(s, env(ctx), user_id, pk))
    return payload(error, SessionErrorCode, session=row)


async def session_revoke_all(ctx: Context, keep_current: bool) -> Payload:
    user_id = require_person(ctx, "Mutation.sessionRevokeAll")
    count, error = await attempt(ctx, lambda s: sessions.revoke_all(s, env(ctx), user_id, keep_current))
    return payload(error, SessionErrorCode, revoked_count=count)


async def sign_out(ctx: Context) -> Payload:
    user_id = require_person(ctx, "Mutation.signOut", delegated_ok=True)
    _, error = await attempt(ctx, lambda s: sessions.sign_out(s, env(ctx), user_id))
    return payload(error, SessionErrorCode)


async def _me(ctx: Context, s, key: str):  # type: ignore[no-untyped-def]
    user = await user_by_id(s, require_person(ctx, key))
    if user is None:
        raise AuthError("NOT_ENABLED", "Unknown user")
    return user


async def enroll(ctx: Context) -> Payload:
    require_person(ctx, "Mutation.twoFactorEnroll")

    async def flow(s):  # type: ignore[no-untyped-def]
        return await two_factor.enroll(s, env(ctx), await _me(ctx, s, "Mutation.twoFactorEnroll"))
    found, error = await attempt(ctx, flow)
    return payload(error, TwoFactorErrorCode, enrollment=found)


async def confirm(ctx: Context, code: str) -> Payload:
    user_id = require_person(ctx, "Mutation.twoFactorConfirm")
    await throttle(ctx, "verify", f"user:{user_id}")

    async def flow(s):  # type: ignore[no-untyped-def]
        return await two_factor.confirm(s, env(ctx), await _me(ctx, s, "Mutation.twoFactorConfirm"), code)
    found, error = await attempt(ctx, flow, "auth.two_factor_failed")
    return payload(error, TwoFactorErrorCode, recovery_codes=found, two_factor_enabled=True)


async def disable(ctx: Context, password: str | None, code: str) -> Payload:
    user_id = require_person(ctx, "Mutation.twoFactorDisable")
    await throttle(ctx, "verify", f"user:{user_id}")
    if password is not None and len(password) > 1024:
        return payload(AuthError("INVALID_CREDENTIALS", "The password is wrong", ["input", "password"]),
                       TwoFactorErrorCode)

    async def flow(s):  # type: ignore[no-untyped-def]
        return await two_factor.disable(s, env(ctx), await _me(ctx, s, "Mutation.twoFactorDisable"), password, code)
    _, error = await attempt(ctx, flow, "auth.two_factor_failed")
    return payload(error, TwoFactorErrorCode, two_factor_enabled=False)


async def regenerate(ctx: Context, code: str) -> Payload:
    user_id = require_person(ctx, "Mutation.twoFactorRecoveryCodesRegenerate")
    await throttle(ctx, "verify", f"user:{user_id}")

    async def flow(s):  # type: ignore[no-untyped-def]
        me = await _me(ctx, s, "Mutation.twoFactorRecoveryCodesRegenerate")
        return await two_factor.regenerate_recovery_codes(s, env(ctx), me, code)
    found, error = await attempt(ctx, flow, "auth.two_factor_failed")
    return payload(error, TwoFactorErrorCode, recovery_codes=found)
