"""Secret API keys of the merchant's backend, which make short-lived customer sessions (like
Stripe's portal sessions) for a "Manage subscription" button or a link in its own emails."""
import secrets
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import ApiKey
from db.repositories import clients as repo
from db.repositories.invitations import membership_of
from db.repositories.users import user_by_email
from domain import audit
from domain.audit import Actor
from domain.auth import token_hash
from domain.identity.emails import normalize_email
from domain.errors import reject
from domain.identity.env import AuthEnv
from domain.identity.errors import CustomerSessionErrorCode as E
from domain.identity.signin import SignedIn, open_session

KEY_PREFIX = "pqk_"
DEFAULT_MINUTES = 15
MAX_MINUTES = 60


def create_key(session: AsyncSession, name: str, now: datetime) -> tuple[str, ApiKey]:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name[:100], prefix=key[:12], key_hash=token_hash(key), created_at=now)
    session.add(row)
    audit.record(session, Actor("SYSTEM"), "api_key.create", now, target_type="ApiKey", name=row.name,
                 prefix=row.prefix)
    return key, row


async def authenticate(session: AsyncSession, key: str | None, now: datetime) -> ApiKey | None:
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = await repo.api_key_by_hash(session, token_hash(key))
    if row is None or row.revoked_at is not None:
        return None
    repo.touch(row, session, now)
    return row


async def customer_session(session: AsyncSession, env: AuthEnv, api_key: ApiKey, email: str, account_id: int,
                           minutes: int | None) -> SignedIn:
    """A session for the customer `email`, acting for `account_id` only. No second factor: the
    merchant's backend vouches for the person, as it signed them in itself."""
    minutes = DEFAULT_MINUTES if minutes is None else minutes
    if not 1 <= minutes <= MAX_MINUTES:
        raise reject(E.INVALID_INPUT, f"minutes must be between 1 and {MAX_MINUTES}", "minutes")
    email = normalize_email(email, E, ("email",))
    user = await user_by_email(session, email)
    if user is None or user.staff_role or await membership_of(session, user.id, account_id) is None:  # type: ignore[arg-type]
        raise reject(E.NOT_FOUND, "No customer with that email in that account", "email")
    signed = open_session(session, env, user, "api_key", lifetime=timedelta(minutes=minutes), account_id=account_id)
    audit.record(session, Actor("API_KEY", None, env.actor.ip, env.actor.user_agent), "auth.customer_session_create",
                 env.now, account_id=account_id, target_type="User", target_id=user.id, api_key_id=api_key.id,
                 minutes=minutes)
    return signed
