"""TOTP two-factor (RFC 6238, with pyotp): enroll, confirm, recovery codes, challenges, disable."""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

import pyotp
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import TwoFactor, User
from db.repositories import tokens as repo
from db.repositories.base import lock_row
from db.repositories.users import user_by_id
from domain import audit, mail
from domain.auth import verify_password
from domain.errors import Rejected, reject
from domain.identity.env import AuthEnv
from domain.identity.errors import SignInErrorCode, TwoFactorErrorCode as E
from domain.identity.sealing import seal, unseal
from domain.identity.signin import MAX_PASSWORD_INPUT, SignedIn, open_session
from domain.identity.tokens import find_live, use, wrong_code_effect

ISSUER = "Portalql"
RECOVERY_CODES = 10
STEP = 30


@dataclass
class Enrollment:
    secret: str
    uri: str  # otpauth://, what the QR code shows


def _step_of(sealed: str, secret_key: str, code: str, now_ts: float) -> int | None:
    """The time step (now, one before or one after) whose code this is, or None."""
    secret = unseal(sealed, secret_key)
    if secret is None or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    current = int(now_ts) // STEP
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").lower().encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _bad_code(codes: type[StrEnum], **audit_data: object) -> Rejected:
    return reject(codes["INVALID_CODE"], "The code is not valid (or was used already)", "input", "code", **audit_data)


async def _person(session: AsyncSession, user_id: int) -> User:
    """The user, locked: one change of its second factor at a time."""
    user = await lock_row(session, User, user_id)
    if user is None:
        raise reject(E.NOT_ENABLED, "Unknown user")
    return user


async def enroll(session: AsyncSession, env: AuthEnv, user_id: int) -> Enrollment:
    user = await _person(session, user_id)
    current = await repo.two_factor_of(session, user.id)  # type: ignore[arg-type]
    if current is not None and current.enabled_at is not None:
        raise reject(E.ALREADY_ENABLED, "Two-factor authentication is on already")
    if current is not None:
        await session.delete(current)
        await session.flush()
    secret = pyotp.random_base32()
    session.add(TwoFactor(user_id=user.id, secret=seal(secret, env.secret_key), created_at=env.now))  # type: ignore[arg-type]
    uri = pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=user.email, issuer_name=ISSUER)
    audit.record(session, env.actor, "auth.two_factor_enroll", env.now, target_type="User", target_id=user.id)
    return Enrollment(secret, uri)


async def _new_recovery_codes(session: AsyncSession, user_id: int) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    await repo.replace_recovery_codes(session, user_id, [_recovery_digest(c) for c in codes])
    return codes


async def confirm(session: AsyncSession, env: AuthEnv, user_id: int, code: str) -> list[str]:
    """Turn two-factor on with a first code; the recovery codes are returned once, never again."""
    user = await _person(session, user_id)
    current = await repo.two_factor_of(session, user.id)  # type: ignore[arg-type]
    if current is None or current.enabled_at is not None:
        raise reject(E.NOT_ENROLLED, "Start with twoFactorEnroll" if current is None
                     else "Two-factor authentication is on already")
    step = _step_of(current.secret, env.secret_key, "".join(code.split()), env.now.timestamp())
    if step is None:
        raise _bad_code(E)
    current.enabled_at = env.now
    current.last_step = step
    session.add(current)
    codes = await _new_recovery_codes(session, user.id)  # type: ignore[arg-type]
    audit.record(session, env.actor, "auth.two_factor_enabled", env.now, target_type="User", target_id=user.id)
    mail.enqueue(session, to=user.email, template="two_factor_enabled", now=env.now, locale=user.locale or "en",
                 name=user.name)
    return codes


async def check_second_factor(session: AsyncSession, env: AuthEnv, user: User, code: str,
                              codes: type[StrEnum]) -> str:
    """'totp' or 'recovery_code' when `code` is good and unused; else NOT_ENABLED or INVALID_CODE
    of `codes`, the enum of the flow that asks."""
    current = await repo.two_factor_of(session, user.id)  # type: ignore[arg-type]
    if current is None or current.enabled_at is None:
        raise reject(codes["NOT_ENABLED"], "Two-factor authentication is off")
    compact = "".join(code.split())
    if len(compact) > 32:
        raise _bad_code(codes)
    if compact.isdigit():
        step = _step_of(current.secret, env.secret_key, compact, env.now.timestamp())
        # A code of a step already used is a replay, even within its validity window.
        if step is None or not await repo.advance_step(session, current.id, step):  # type: ignore[arg-type]
            raise _bad_code(codes, kind="totp", replay=step is not None)
        return "totp"
    digest = _recovery_digest(compact)
    for row in await repo.unused_recovery_codes(session, user.id):  # type: ignore[arg-type]
        if hmac.compare_digest(row.code_hash, digest) and await repo.use_recovery_code(session, row.id, env.now):  # type: ignore[arg-type]
            audit.record(session, env.as_user(user.id), "auth.recovery_code_used", env.now,
                         target_type="User", target_id=user.id)
            return "recovery_code"
    raise _bad_code(codes, kind="recovery_code")


async def complete_challenge(session: AsyncSession, env: AuthEnv, challenge: str, code: str) -> SignedIn:
    S = SignInErrorCode
    row = await find_live(session, "TWO_FACTOR", challenge, env.now, S, ("input", "challenge"))
    user = await user_by_id(session, row.user_id)  # type: ignore[arg-type]
    if user is None:
        raise reject(S.INVALID_TOKEN, "This link or code is not valid", "input", "challenge")
    try:
        kind = await check_second_factor(session, env, user, code, S)
    except Rejected as e:
        e.effects.append(wrong_code_effect(row, env.now))  # five wrong codes end the challenge
        e.facts.setdefault("target_user_id", user.id)
        raise
    await use(session, row, env.now, S)
    return open_session(session, env, user, f"{row.data.get('method', 'password')}+{kind}")


async def disable(session: AsyncSession, env: AuthEnv, user_id: int, password: str | None, code: str) -> None:
    """Only after re-authentication: the password (when the user has one) and a current code."""
    too_long = password is not None and len(password) > MAX_PASSWORD_INPUT  # refused before it is hashed
    user = None if too_long else await _person(session, user_id)
    if user is None or user.password_hash and not verify_password(user, password or ""):
        raise reject(E.INVALID_CREDENTIALS, "The password is wrong", "input", "password", attempted=not too_long)
    await check_second_factor(session, env, user, code, E)
    await repo.delete_two_factor(session, user.id)  # type: ignore[arg-type]
    audit.record(session, env.actor, "auth.two_factor_disabled", env.now, target_type="User", target_id=user.id)
    mail.enqueue(session, to=user.email, template="two_factor_disabled", now=env.now, locale=user.locale or "en",
                 name=user.name)


async def regenerate_recovery_codes(session: AsyncSession, env: AuthEnv, user_id: int, code: str) -> list[str]:
    user = await _person(session, user_id)
    await check_second_factor(session, env, user, code, E)
    codes = await _new_recovery_codes(session, user.id)  # type: ignore[arg-type]
    audit.record(session, env.actor, "auth.recovery_codes_regenerated", env.now, target_type="User",
                 target_id=user.id)
    return codes


async def is_enabled(session: AsyncSession, user_id: int) -> bool:
    current = await repo.two_factor_of(session, user_id)
    return current is not None and current.enabled_at is not None
