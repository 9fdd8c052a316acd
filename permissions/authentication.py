"""Who is calling: the Caller of a bearer token (a session token or an integration's JWT), and
of a user who has just signed in. The server authenticates each request with it, before any
GraphQL runs."""
from datetime import timedelta
from typing import Any, Protocol

from db.engine import Database
from db.enums import Role, StaffRole
from db.models import AuthSession, MembershipRole, User
from db.repositories.clients import oauth_client
from db.repositories.users import grants_of, session_with_user, touch_session
from domain.auth import session_state, token_hash
from domain.errors import Rejected
from domain.identity.oauth import looks_like_jwt, verify_access_token
from permissions.caller import ANONYMOUS, Caller, CallerKind, Grants


class SessionRules(Protocol):
    session_idle_minutes: int
    secret_key: str
    issuer: str


class Unauthenticated(Exception):  # noqa: N818 - named by its extensions.code
    """A bad or stale token: the answer is UNAUTHENTICATED with a reason, and nothing else runs."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = {"code": "UNAUTHENTICATED", "reason": reason}


# Touch last_seen_at at most this often: a write per request would serialise readers on SQLite.
TOUCH_EVERY = timedelta(minutes=1)


async def caller_from_token(db: Database, token: str | None, now, settings: SessionRules,  # type: ignore[no-untyped-def]
                            rows: dict[str, Any] | None = None) -> Caller:
    """The caller for a bearer token; UNAUTHENTICATED (with a reason) for a bad or stale one.
    `rows` gets what was read with the session, for the request's loaders: the user's row
    (read-only) and the currencies of the accounts the user is a member of."""
    if not token:
        return ANONYMOUS
    if looks_like_jwt(token):
        return await integration_caller(db, token, now, settings)
    async with db.connection() as conn:
        found = await session_with_user(conn, token_hash(token))
        if found is None:
            raise Unauthenticated("The session token is not valid: sign in again", reason="INVALID_TOKEN")
    auth_session, user, memberships = found.session, found.user, found.grants
    state = session_state(auth_session, now, timedelta(minutes=settings.session_idle_minutes))
    if state is not None:
        raise Unauthenticated(f"The session has {'been revoked' if state == 'revoked' else 'expired'}: sign in again",
                              reason=f"SESSION_{state.upper()}")
    caller = caller_of(user, auth_session, memberships)
    if rows is not None:
        rows["user"] = user
        rows["currencies"] = found.currencies
    if now - auth_session.last_seen_at >= TOUCH_EVERY:
        async with db.transaction() as session:
            await touch_session(session, auth_session.id, now)  # type: ignore[arg-type]
    return caller


async def integration_caller(db: Database, token: str, now, settings: SessionRules) -> Caller:  # type: ignore[no-untyped-def]
    """An OAuth client's JWT: INTEGRATION for the client's account, within the token's scopes
    and the client's current ones (a revoked client or a removed scope stops working at once)."""
    try:
        claims = verify_access_token(token, now, settings.secret_key, settings.issuer)
    except Rejected as e:
        raise Unauthenticated(e.message, reason=e.code) from None
    async with db.session() as session:
        client = await oauth_client(session, claims.client_pk)
    if client is None or client.account_id != claims.account_id:
        raise Unauthenticated("The access token is not valid", reason="INVALID_TOKEN")
    if client.revoked_at is not None:
        raise Unauthenticated("The client was revoked", reason="SESSION_REVOKED")
    return Caller(kind=CallerKind.INTEGRATION, grants={client.account_id: {Role.ADMIN: None}},
                  oauth_scopes=claims.scopes & frozenset(client.scopes))


async def caller_for_user(session, user: User, auth_session: AuthSession | None = None) -> Caller:  # type: ignore[no-untyped-def]
    memberships = [] if user.staff_role else await grants_of(session, user.id)
    return caller_of(user, auth_session, memberships)


def caller_of(user: User, auth_session: AuthSession | None,
              memberships: list[tuple[int, MembershipRole | None]]) -> Caller:
    """The caller a user is: staff by its staff role, else its roles per account (and location)."""
    sid = auth_session.id if auth_session else None
    if user.staff_role:
        return Caller(kind=CallerKind.STAFF, user_id=user.id, session_id=sid, staff_role=StaffRole(user.staff_role))
    only = auth_session.account_id if auth_session else None  # sessions made by an API key: one account
    grants: Grants = {}
    collected: dict[int, dict] = {}
    for account_id, role_row in memberships:
        if only is not None and account_id != only:
            continue
        held = collected.setdefault(account_id, {})
        if role_row is None:
            continue
        if role_row.location_id is None:
            held[role_row.role] = None
        elif held.get(role_row.role, set()) is not None:
            held.setdefault(role_row.role, set()).add(role_row.location_id)
    for account_id, held in collected.items():
        grants[account_id] = {r: (None if locs is None else frozenset(locs)) for r, locs in held.items()}
    return Caller(kind=CallerKind.CUSTOMER, user_id=user.id, session_id=sid, grants=grants, session_account_id=only)
