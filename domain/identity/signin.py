"""Opening sessions: straight away, or after a two-factor challenge when the user has 2FA on."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import AuthSession, User
from db.repositories.tokens import two_factor_of
from db.repositories.users import user_by_email
from domain import audit
from domain.auth import new_session, verify_password
from domain.errors import reject
from domain.identity.emails import MAX_EMAIL
from domain.identity.env import AuthEnv
from domain.identity.errors import SignInErrorCode as E
from domain.identity.tokens import issue

CHALLENGE_TTL = timedelta(minutes=5)
# Longer inputs are refused before anything is hashed or counted.
MAX_PASSWORD_INPUT = 1024


@dataclass
class SignedIn:
    user: User
    token: str | None = None
    expires_at: datetime | None = None
    session: AuthSession | None = None
    challenge: str | None = None
    challenge_expires_at: datetime | None = None


def open_session(session: AsyncSession, env: AuthEnv, user: User, method: str, *,
                 lifetime: timedelta | None = None, account_id: int | None = None) -> SignedIn:
    token, row = new_session(user, env.now, lifetime or env.session_lifetime, method=method,
                             ip=env.actor.ip, user_agent=env.actor.user_agent)
    row.account_id = account_id
    session.add(row)
    audit.record(session, env.as_user(user.id), "auth.sign_in", env.now, account_id=account_id,
                 target_type="User", target_id=user.id, method=method)
    return SignedIn(user=user, token=token, expires_at=row.expires_at, session=row)


async def start_session(session: AsyncSession, env: AuthEnv, user: User, method: str) -> SignedIn:
    """A session, or a two-factor challenge when the user has two-factor enabled."""
    second = await two_factor_of(session, user.id)  # type: ignore[arg-type]
    if second is not None and second.enabled_at is not None:
        challenge, _, row = issue(session, purpose="TWO_FACTOR", email=user.email, user_id=user.id, now=env.now,
                                  ttl=CHALLENGE_TTL, method=method)
        audit.record(session, env.as_user(user.id), "auth.two_factor_challenge", env.now,
                     target_type="User", target_id=user.id, method=method)
        return SignedIn(user=user, challenge=challenge, challenge_expires_at=row.expires_at)
    return open_session(session, env, user, method)


def check_input(email: str, password: str) -> None:
    """Refuse what cannot be an email and password before the attempt is counted."""
    if len(email) > MAX_EMAIL or len(password) > MAX_PASSWORD_INPUT or "@" not in email:
        raise reject(E.INVALID_INPUT, "Enter a valid email and password", "input", "email", attempted=False)


async def password_sign_in(session: AsyncSession, env: AuthEnv, email: str, password: str) -> SignedIn:
    user = await user_by_email(session, email)
    # verify_password runs argon2 even for unknown emails: the answer time says nothing.
    if not verify_password(user, password):
        raise reject(E.INVALID_CREDENTIALS, "Wrong email or password", "input",
                     target_user_id=user.id if user else None, method="password")
    assert user is not None
    return await start_session(session, env, user, "password")
