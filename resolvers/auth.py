"""Who is calling (from the bearer token), and signing in."""
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from db.engine import Database
from db.enums import StaffRole
from db.models import AuthSession, User
from db.repositories.users import grants_of, session_with_user, touch_session, user_by_email
from domain.auth import new_session, session_state, token_hash, verify_password
from permissions.caller import ANONYMOUS, Caller, CallerKind, Grants
from resolvers.context import Context, Settings
from resolvers.errors import UserError, unauthenticated

# Touch last_seen_at at most this often: a write per request would serialise readers on SQLite.
TOUCH_EVERY = timedelta(minutes=1)


async def caller_from_token(db: Database, token: str | None, now, settings: Settings) -> Caller:  # type: ignore[no-untyped-def]
    """The caller for a bearer token; UNAUTHENTICATED (with a reason) for a bad or stale one."""
    if not token:
        return ANONYMOUS
    async with db.transaction() as session:
        found = await session_with_user(session, token_hash(token))
        if found is None:
            raise unauthenticated("The session token is not valid: sign in again", reason="INVALID_TOKEN")
        auth_session, user = found
        state = session_state(auth_session, now, timedelta(minutes=settings.session_idle_minutes))
        if state is not None:
            raise unauthenticated(f"The session has {'been revoked' if state == 'revoked' else 'expired'}: sign in again",
                                  reason=f"SESSION_{state.upper()}")
        if now - auth_session.last_seen_at >= TOUCH_EVERY:
            await touch_session(session, auth_session, now)
        return await caller_for_user(session, user, auth_session)


async def caller_for_user(session, user: User, auth_session: AuthSession | None = None) -> Caller:  # type: ignore[no-untyped-def]
    sid = auth_session.id if auth_session else None
    if user.staff_role:
        return Caller(kind=CallerKind.STAFF, user_id=user.id, session_id=sid, staff_role=StaffRole(user.staff_role))
    grants: Grants = {}
    collected: dict[int, dict] = {}
    for _mid, account_id, role_row in await grants_of(session, user.id):
        held = collected.setdefault(account_id, {})
        if role_row is None:
            continue
        if role_row.location_id is None:
            held[role_row.role] = None
        elif held.get(role_row.role, set()) is not None:
            held.setdefault(role_row.role, set()).add(role_row.location_id)
    for account_id, held in collected.items():
        grants[account_id] = {r: (None if locs is None else frozenset(locs)) for r, locs in held.items()}
    return Caller(kind=CallerKind.CUSTOMER, user_id=user.id, session_id=sid, grants=grants)


class SignInErrorCode(StrEnum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_INPUT = "INVALID_INPUT"


@dataclass
class SessionGrant:
    token: str
    expires_at: object


@dataclass
class SignInPayload:
    session: SessionGrant | None = None
    user: User | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def sign_in(ctx: Context, email: str, password: str) -> SignInPayload:
    if len(email) > 254 or len(password) > 1024 or "@" not in email:
        return SignInPayload(user_errors=[UserError("Enter a valid email and password",
                                                    SignInErrorCode.INVALID_INPUT, ["input", "email"])])
    now = ctx.now
    async with ctx.db.transaction() as session:
        user = await user_by_email(session, email)
        # verify_password runs argon2 even for unknown emails: the answer time says nothing.
        if not verify_password(user, password):
            return SignInPayload(user_errors=[UserError("Wrong email or password",
                                                        SignInErrorCode.INVALID_CREDENTIALS, ["input"])])
        assert user is not None
        token, auth_session = new_session(user, now, timedelta(hours=ctx.settings.session_lifetime_hours),
                                          method="password", ip=ctx.client_ip, user_agent=ctx.user_agent)
        session.add(auth_session)
    return SignInPayload(session=SessionGrant(token, auth_session.expires_at), user=user)
