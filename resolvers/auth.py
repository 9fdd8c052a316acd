"""Who is calling (a session token or an integration's JWT), and every way of signing in."""
from datetime import timedelta
from typing import Any

from db.engine import Database
from db.enums import Role, StaffRole
from db.models import AuthSession, MembershipRole, User
from db.repositories.clients import oauth_client
from db.repositories.users import grants_of, session_with_user, touch_session
from domain.auth import session_state, token_hash
from domain.errors import Rejected
from domain.identity import emails, magic_link, password_reset, signin, signup, two_factor
from domain.identity.oauth import looks_like_jwt, verify_access_token
from domain.identity.signin import SignedIn
from permissions.caller import ANONYMOUS, Caller, CallerKind, Grants
from resolvers.context import Context, Settings
from resolvers.errors import unauthenticated
from resolvers.identity import env, guess, request_locale, throttle
from resolvers.mutation import mutation

# Touch last_seen_at at most this often: a write per request would serialise readers on SQLite.
TOUCH_EVERY = timedelta(minutes=1)


async def caller_from_token(db: Database, token: str | None, now, settings: Settings,  # type: ignore[no-untyped-def]
                            rows: dict[str, Any] | None = None) -> Caller:
    """The caller for a bearer token; UNAUTHENTICATED (with a reason) for a bad or stale one.
    `rows` gets the user's row as read with the session (read-only), for the user loader."""
    if not token:
        return ANONYMOUS
    if looks_like_jwt(token):
        return await integration_caller(db, token, now, settings)
    async with db.connection() as conn:
        found = await session_with_user(conn, token_hash(token))
        if found is None:
            raise unauthenticated("The session token is not valid: sign in again", reason="INVALID_TOKEN")
    auth_session, user, memberships = found
    state = session_state(auth_session, now, timedelta(minutes=settings.session_idle_minutes))
    if state is not None:
        raise unauthenticated(f"The session has {'been revoked' if state == 'revoked' else 'expired'}: sign in again",
                              reason=f"SESSION_{state.upper()}")
    caller = caller_of(user, auth_session, memberships)
    if rows is not None:
        rows["user"] = user
    if now - auth_session.last_seen_at >= TOUCH_EVERY:
        async with db.transaction() as session:
            await touch_session(session, auth_session.id, now)  # type: ignore[arg-type]
    return caller


async def integration_caller(db: Database, token: str, now, settings: Settings) -> Caller:  # type: ignore[no-untyped-def]
    """An OAuth client's JWT: INTEGRATION for the client's account, within the token's scopes
    and the client's current ones (a revoked client or a removed scope stops working at once)."""
    try:
        claims = verify_access_token(token, now, settings.secret_key, settings.issuer)
    except Rejected as e:
        raise unauthenticated(e.message, reason=e.code.value) from None
    async with db.session() as session:
        client = await oauth_client(session, claims.client_pk)
    if client is None or client.account_id != claims.account_id:
        raise unauthenticated("The access token is not valid", reason="INVALID_TOKEN")
    if client.revoked_at is not None:
        raise unauthenticated("The client was revoked", reason="SESSION_REVOKED")
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


async def signed_in(ctx: Context, s: Any, result: SignedIn) -> dict[str, Any]:
    """The answer of a sign-in: the session, or the two-factor challenge to complete."""
    if result.challenge is not None:
        return {"two_factor_challenge": {"token": result.challenge, "expires_at": result.challenge_expires_at}}
    # The rest of the mutation's answer (user { memberships accounts ... }) is read as the person who
    # just signed in, exactly as a next request with the new token would be.
    await s.flush()  # the new session's id
    ctx.caller = await caller_for_user(s, result.user, result.session)
    ctx.__dict__.pop("loaders", None)
    return {"session": {"token": result.token, "expires_at": result.expires_at}, "user": result.user}


@mutation("signIn", audit="auth.sign_in", failed_audit="auth.sign_in_failed")
async def sign_in(ctx: Context, s: Any, email: str, password: str) -> dict[str, Any]:
    signin.check_input(email, password)
    async with guess(ctx, "sign_in", email):
        result = await signin.password_sign_in(s, env(ctx), email, password)
    return await signed_in(ctx, s, result)


@mutation("signInTwoFactor", audit="auth.sign_in", failed_audit="auth.two_factor_failed")
async def sign_in_two_factor(ctx: Context, s: Any, challenge: str, code: str) -> dict[str, Any]:
    async with guess(ctx, "verify"):  # per IP; a challenge dies after five wrong codes
        result = await two_factor.complete_challenge(s, env(ctx), challenge, code)
    return await signed_in(ctx, s, result)


@mutation("magicLinkRequest", audit="auth.magic_link_requested")
async def magic_link_request(ctx: Context, s: Any, email: str, locale: str | None) -> dict[str, Any]:
    emails.check_length(email)
    await throttle(ctx, "email_request", email)
    await magic_link.request_link(s, env(ctx), email, request_locale(ctx, locale))
    return {}


@mutation("magicLinkSignIn", audit="auth.sign_in", failed_audit="auth.sign_in_failed")
async def magic_link_sign_in(ctx: Context, s: Any, token: str | None, email: str | None,
                             code: str | None) -> dict[str, Any]:
    magic_link.check_sign_in_input(token, email, code)
    if token is not None:
        async with guess(ctx, "verify"):  # per IP: a token is its own secret, never a key
            result = await magic_link.sign_in_with_token(s, env(ctx), token)
    else:
        async with guess(ctx, "sign_in_code", email):
            result = await magic_link.sign_in_with_code(s, env(ctx), email, code)  # type: ignore[arg-type]
    return await signed_in(ctx, s, result)


@mutation("signUp", audit="auth.sign_up")
async def sign_up(ctx: Context, s: Any, email: str, name: str, password: str, locale: str | None) -> dict[str, Any]:
    signup.check_input(email, name, password)
    await throttle(ctx, "email_request", email)
    await signup.sign_up(s, env(ctx), email, name, password, request_locale(ctx, locale))
    return {}


@mutation("emailVerify", audit="auth.email_verified", failed_audit="auth.sign_in_failed")
async def email_verify(ctx: Context, s: Any, token: str) -> dict[str, Any]:
    async with guess(ctx, "verify"):  # per IP: a token is its own secret, never a key
        result = await signup.verify_email(s, env(ctx), token)
    return await signed_in(ctx, s, result)


@mutation("passwordResetRequest", audit="auth.password_reset_requested")
async def password_reset_request(ctx: Context, s: Any, email: str, locale: str | None) -> dict[str, Any]:
    emails.check_length(email)
    await throttle(ctx, "email_request", email)
    await password_reset.request_reset(s, env(ctx), email, request_locale(ctx, locale))
    return {}


@mutation("passwordReset", audit="auth.password_reset", failed_audit="auth.password_reset_failed")
async def password_reset_(ctx: Context, s: Any, token: str, password: str) -> dict[str, Any]:
    password_reset.check_password_input(password)
    async with guess(ctx, "verify"):  # per IP: a token is its own secret, never a key
        revoked = await password_reset.reset_password(s, env(ctx), token, password)
    return {"sessions_revoked": revoked}
