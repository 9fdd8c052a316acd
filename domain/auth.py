"""Passwords and session tokens."""
import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from db.models import AuthSession, User

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("portalql-timing-equaliser")
TOKEN_PREFIX = "pqs_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and user is not None and bool(user.password_hash)


def new_token() -> tuple[str, str]:
    """A fresh opaque token and the hash that is stored in its place."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(user: User, now: datetime, lifetime: timedelta, *, method: str,
                ip: str | None = None, user_agent: str | None = None) -> tuple[str, AuthSession]:
    token, digest = new_token()
    session = AuthSession(user_id=user.id, token_hash=digest, method=method, created_at=now,  # type: ignore[arg-type]
                          last_seen_at=now, expires_at=now + lifetime, ip=ip,
                          user_agent=(user_agent or "")[:300] or None)
    return token, session


# Sessions made by `portalql token create` for scripts: they live the hours asked for, without an
# idle timeout (a nightly job would otherwise lose its token between two runs).
SCRIPT_SESSION = "cli"


def session_state(session: AuthSession, now: datetime, idle: timedelta) -> str | None:
    """None when usable, else why not: 'revoked', 'expired' or 'idle'."""
    if session.revoked_at is not None:
        return "revoked"
    if now >= session.expires_at:
        return "expired"
    if session.method != SCRIPT_SESSION and now - session.last_seen_at >= idle:
        return "idle"
    return None
