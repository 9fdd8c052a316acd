"""Password reset: an emailed single-use token (1 hour) sets a new password and ends other sessions."""
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories.sessions import revoke_sessions
from db.repositories.tokens import retire_tokens
from db.repositories.users import user_by_id
from domain import audit, mail
from domain.auth import hash_password
from domain.errors import reject
from domain.identity.emails import normalize_email
from domain.identity.env import AuthEnv
from domain.identity.errors import CredentialsErrorCode as E
from domain.identity.passwords import MAX_LENGTH, password_problem
from domain.identity.signin import MAX_PASSWORD_INPUT
from domain.identity.tokens import requested_for, find_live, issue, use

RESET_TTL = timedelta(hours=1)


def check_password_input(password: str) -> None:
    if len(password) > MAX_PASSWORD_INPUT:
        raise reject(E.WEAK_PASSWORD, f"Use at most {MAX_LENGTH} characters", "input", "password", attempted=False)


async def request_reset(session: AsyncSession, env: AuthEnv, email: str, locale: str) -> None:
    """The same (nothing) whether or not the email has an account; mail only when it has."""
    email = normalize_email(email)
    user = await requested_for(session, env, email, "PASSWORD_RESET", "auth.password_reset_requested")
    if user is None:
        return
    token, _, _ = issue(session, purpose="PASSWORD_RESET", email=email, user_id=user.id, now=env.now, ttl=RESET_TTL)
    mail.enqueue(session, to=user.email, template="password_reset", now=env.now, locale=user.locale or locale,
                 name=user.name, link=env.link("reset-password", token))


async def reset_password(session: AsyncSession, env: AuthEnv, token: str, password: str) -> int:
    """Set the new password; returns how many other sessions were revoked."""
    row = await find_live(session, "PASSWORD_RESET", token, env.now, E)
    user = await user_by_id(session, row.user_id)  # type: ignore[arg-type]
    if user is None:
        raise reject(E.INVALID_TOKEN, "This link or code is not valid", "input", "token")
    problem = password_problem(password, user.email, user.name)
    if problem:
        raise reject(E.WEAK_PASSWORD, problem, "input", "password")
    user.password_hash = hash_password(password)
    session.add(user)
    await use(session, row, env.now, E)
    await retire_tokens(session, "PASSWORD_RESET", user.email, env.now)
    keep = env.current_session_id if env.actor.user_id == user.id else None
    revoked = await revoke_sessions(session, user.id, env.now, keep_id=keep)  # type: ignore[arg-type]
    audit.record(session, env.as_user(user.id), "auth.password_reset", env.now, target_type="User",
                 target_id=user.id, sessions_revoked=revoked)
    mail.enqueue(session, to=user.email, template="password_changed", now=env.now, locale=user.locale or "en",
                 name=user.name)
    return revoked
