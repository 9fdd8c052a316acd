"""Single-use tokens sent by email or handed out as challenges, and the short codes of magic links."""
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import AuthToken, User
from db.repositories import tokens as repo
from db.repositories.users import user_by_email
from domain import audit
from domain.auth import token_hash
from domain.errors import Effect, reject
from domain.identity.env import AuthEnv

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type from an email
CODE_LENGTH = 6
MAX_ATTEMPTS = 5
PREFIX = {"VERIFY_EMAIL": "pqv_", "PASSWORD_RESET": "pqr_", "MAGIC_LINK": "pqm_", "TWO_FACTOR": "pqc_",
          "INVITATION": "pqi_", "EMAIL_CHANGE": "pqe_", "EMAIL_CHANGE_UNDO": "pqu_"}


def new_secret(purpose: str) -> tuple[str, str]:
    token = PREFIX[purpose] + secrets.token_urlsafe(32)
    return token, token_hash(token)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_digest(token_digest: str, code: str) -> str:
    return hashlib.sha256(f"{token_digest}:{normalize_code(code)}".encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def issue(session: AsyncSession, *, purpose: str, email: str, user_id: int | None, now: datetime,
          ttl: timedelta, with_code: bool = False, **data: Any) -> tuple[str, str | None, AuthToken]:
    token, digest = new_secret(purpose)
    code = new_code() if with_code else None
    row = AuthToken(purpose=purpose, email=email, user_id=user_id, token_hash=digest,
                    code_hash=code_digest(digest, code) if code else None, created_at=now,
                    expires_at=now + ttl, data=data)
    session.add(row)
    return token, code, row


USED_MESSAGE = "This link or code was used already: ask for a new one"


async def find_live(session: AsyncSession, purpose: str, token: str, now: datetime, codes: type[StrEnum],
                    field: tuple[str, ...] = ("input", "token")) -> AuthToken:
    """The unused, unexpired token, locked for update; else INVALID_, USED_ or EXPIRED_TOKEN of
    `codes`, the enum of the flow that asks (nothing changes)."""
    row = None
    if token.startswith(PREFIX[purpose]) and len(token) <= 100:
        row = await repo.token_by_hash(session, purpose, token_hash(token))
    if row is None:
        raise reject(codes["INVALID_TOKEN"], "This link or code is not valid", *field)
    if row.used_at is not None:
        raise reject(codes["USED_TOKEN"], USED_MESSAGE, *field)
    if now >= row.expires_at:
        raise reject(codes["EXPIRED_TOKEN"], "This link or code has expired: ask for a new one", *field)
    return row


def wrong_code_effect(row: AuthToken, now: datetime) -> Effect:
    token_id = row.id  # read now: the row is expired once the failed transaction rolls back

    async def effect(session: AsyncSession) -> None:
        await repo.bump_attempts(session, token_id, MAX_ATTEMPTS, now)  # type: ignore[arg-type]
    return effect


def code_matches(row: AuthToken, code: str) -> bool:
    return row.code_hash is not None and hmac.compare_digest(row.code_hash, code_digest(row.token_hash, code))


async def use(session: AsyncSession, row: AuthToken, now: datetime, codes: type[StrEnum]) -> None:
    """Mark used with a conditional UPDATE: of two requests racing with one token, one wins."""
    if not await repo.mark_used(session, row.id, now):  # type: ignore[arg-type]
        raise reject(codes["USED_TOKEN"], USED_MESSAGE, "input", "token")
    row.used_at = now


async def requested_for(session: AsyncSession, env: AuthEnv, email: str, purpose: str, action: str) -> User | None:
    """The user an emailed token is asked for (None when the email has no account), the request
    audited either way and the email's earlier tokens of `purpose` retired: the answer and the
    work are the same whether or not the email has an account, only the mail differs."""
    user = await user_by_email(session, email)
    audit.record(session, env.actor, action, env.now,
                 target_type="User" if user else None, target_id=user.id if user else None)
    if user is not None:
        await repo.retire_tokens(session, purpose, email, env.now)
    return user
