"""Passwordless sign-in: an emailed link with a single-use token and a 6-character code (15 minutes)."""
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories.tokens import latest_live_token
from db.repositories.users import user_by_id
from domain import mail
from domain.errors import reject
from domain.identity.emails import normalize_email
from domain.identity.env import AuthEnv
from domain.identity.errors import SignInErrorCode as E
from domain.identity.signin import SignedIn, start_session
from domain.identity.tokens import requested_for, code_matches, find_live, use, issue, wrong_code_effect

MAGIC_TTL = timedelta(minutes=15)


async def request_link(session: AsyncSession, env: AuthEnv, email: str, locale: str) -> None:
    """Same answer whether or not the email has an account; mail only when it has."""
    email = normalize_email(email)
    user = await requested_for(session, env, email, "MAGIC_LINK", "auth.magic_link_requested")
    if user is None:
        return
    token, code, _ = issue(session, purpose="MAGIC_LINK", email=email, user_id=user.id, now=env.now,
                           ttl=MAGIC_TTL, with_code=True)
    mail.enqueue(session, to=user.email, template="magic_link", now=env.now, locale=user.locale or locale,
                 name=user.name, link=env.link("sign-in/link", token), code=code)


def check_sign_in_input(token: str | None, email: str | None, code: str | None) -> None:
    """Either the link's token, or the email and the code; refused before the attempt is counted."""
    if token is not None and (email is not None or code is not None) or token is None and (not email or not code):
        raise reject(E.INVALID_INPUT, "Give either the token of the link, or the email and the code", "input",
                     attempted=False)


async def sign_in_with_token(session: AsyncSession, env: AuthEnv, token: str) -> SignedIn:
    row = await find_live(session, "MAGIC_LINK", token, env.now, E)
    user = await user_by_id(session, row.user_id)  # type: ignore[arg-type]
    if user is None:
        raise reject(E.INVALID_TOKEN, "This link or code is not valid", "input", "token")
    await use(session, row, env.now, E)
    return await start_session(session, env, user, "magic_link")


async def sign_in_with_code(session: AsyncSession, env: AuthEnv, email: str, code: str) -> SignedIn:
    email = normalize_email(email, E)
    row = await latest_live_token(session, "MAGIC_LINK", email, env.now)
    # No live code and a wrong code look the same: nothing says whether the email exists.
    if row is None or len(code) > 20 or not code_matches(row, code):
        raise reject(E.INVALID_CODE, "The code is not valid or has expired", "input", "code",
                     effects=[wrong_code_effect(row, env.now)] if row else [],
                     target_user_id=row.user_id if row else None, method="magic_code")
    user = await user_by_id(session, row.user_id)  # type: ignore[arg-type]
    assert user is not None
    await use(session, row, env.now, E)
    return await start_session(session, env, user, "magic_code")
