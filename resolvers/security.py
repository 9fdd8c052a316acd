"""A person's own security: sessions (list, revoke, sign out) and two-factor authentication."""
from datetime import timedelta
from typing import Any

from db.models import AuthSession
from domain.identity import sessions, two_factor
from resolvers.context import Context
from resolvers.globalid import decode_as
from resolvers.identity import env, require_person, throttle
from resolvers.mutation import mutation


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


@mutation("sessionRevoke", audit="auth.session_revoked")
async def session_revoke(ctx: Context, s: Any, session_id: str) -> dict[str, Any]:
    user_id = require_person(ctx)
    pk = decode_as(session_id, "Session")
    return {"session": await sessions.revoke_one(s, env(ctx), user_id, pk)}


@mutation("sessionRevokeAll", audit="auth.sessions_revoked")
async def session_revoke_all(ctx: Context, s: Any, keep_current: bool) -> dict[str, Any]:
    user_id = require_person(ctx)
    return {"revoked_count": await sessions.revoke_all(s, env(ctx), user_id, keep_current)}


@mutation("signOut", audit="auth.sign_out")
async def sign_out(ctx: Context, s: Any) -> dict[str, Any]:
    await sessions.sign_out(s, env(ctx), require_person(ctx, delegated_ok=True))
    return {}


@mutation("twoFactorEnroll", audit="auth.two_factor_enroll")
async def enroll(ctx: Context, s: Any) -> dict[str, Any]:
    return {"enrollment": await two_factor.enroll(s, env(ctx), require_person(ctx))}


@mutation("twoFactorConfirm", audit="auth.two_factor_enabled", failed_audit="auth.two_factor_failed")
async def confirm(ctx: Context, s: Any, code: str) -> dict[str, Any]:
    user_id = require_person(ctx)
    await throttle(ctx, "verify", f"user:{user_id}")
    return {"recovery_codes": await two_factor.confirm(s, env(ctx), user_id, code), "two_factor_enabled": True}


@mutation("twoFactorDisable", audit="auth.two_factor_disabled", failed_audit="auth.two_factor_failed")
async def disable(ctx: Context, s: Any, password: str | None, code: str) -> dict[str, Any]:
    user_id = require_person(ctx)
    await throttle(ctx, "verify", f"user:{user_id}")
    await two_factor.disable(s, env(ctx), user_id, password, code)
    return {"two_factor_enabled": False}


@mutation("twoFactorRecoveryCodesRegenerate", audit="auth.recovery_codes_regenerated",
          failed_audit="auth.two_factor_failed")
async def regenerate(ctx: Context, s: Any, code: str) -> dict[str, Any]:
    user_id = require_person(ctx)
    await throttle(ctx, "verify", f"user:{user_id}")
    return {"recovery_codes": await two_factor.regenerate_recovery_codes(s, env(ctx), user_id, code)}
