"""Sign-up: the account is made when the emailed verification link comes back, not before.

The pending sign-up (name, locale, password hash) rides on the verification token, so an
unverified address never becomes a user, and signing up with a taken address answers exactly
like a new one (the owner gets an "you already have an account" email instead)."""
from datetime import timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories.tokens import retire_tokens
from db.repositories.users import add_user, user_by_email
from domain import audit, mail
from domain.auth import hash_password
from domain.errors import reject
from domain.identity.emails import MAX_EMAIL, normalize_email
from domain.identity.env import AuthEnv
from domain.identity.errors import CredentialsErrorCode as E, SignInErrorCode
from domain.identity.passwords import password_problem
from domain.identity.signin import MAX_PASSWORD_INPUT, SignedIn, open_session
from domain.identity.tokens import find_live, issue, use

VERIFY_TTL = timedelta(hours=24)
MAX_NAME_INPUT = 1000


def check_name(name: str, codes: type[StrEnum] = E) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise reject(codes["INVALID_NAME"], "Enter your name (at most 200 characters)", "input", "name")
    return name


def check_input(email: str, name: str, password: str) -> None:
    """Refuse inputs too long to be real before the request is counted."""
    if len(email) > MAX_EMAIL or len(name) > MAX_NAME_INPUT or len(password) > MAX_PASSWORD_INPUT:
        raise reject(E.INVALID_INPUT, "An input is too long", "input", attempted=False)


async def sign_up(session: AsyncSession, env: AuthEnv, email: str, name: str, password: str, locale: str) -> None:
    email = normalize_email(email)
    name = check_name(name)
    problem = password_problem(password, email, name)
    if problem:
        raise reject(E.WEAK_PASSWORD, problem, "input", "password")
    password_hash = hash_password(password)  # hashed on both paths: timing says nothing either
    existing = await user_by_email(session, email)
    if existing is not None:
        audit.record(session, env.actor, "auth.sign_up_existing", env.now, target_type="User", target_id=existing.id)
        mail.enqueue(session, to=existing.email, template="account_exists", now=env.now,
                     locale=existing.locale or locale, name=existing.name,
                     link=f"{env.frontend_url.rstrip('/')}/sign-in")
        return
    await retire_tokens(session, "VERIFY_EMAIL", email, env.now)
    token, _, _ = issue(session, purpose="VERIFY_EMAIL", email=email, user_id=None, now=env.now, ttl=VERIFY_TTL,
                        name=name, locale=locale, password_hash=password_hash)
    audit.record(session, env.actor, "auth.sign_up", env.now)
    mail.enqueue(session, to=email, template="verify_email", now=env.now, locale=locale, name=name,
                 link=env.link("verify-email", token))


async def verify_email(session: AsyncSession, env: AuthEnv, token: str) -> SignedIn:
    row = await find_live(session, "VERIFY_EMAIL", token, env.now, SignInErrorCode)
    if await user_by_email(session, row.email) is not None:
        raise reject(SignInErrorCode.ALREADY_VERIFIED, "This address has an account already: sign in",
                     "input", "token")
    user = await add_user(session, email=row.email, name=row.data["name"], password_hash=row.data["password_hash"],
                          locale=row.data.get("locale"), now=env.now)
    await use(session, row, env.now, SignInErrorCode)
    row.data = {k: v for k, v in row.data.items() if k != "password_hash"}
    audit.record(session, env.as_user(user.id), "auth.email_verified", env.now, target_type="User", target_id=user.id)
    return open_session(session, env, user, "email_verification")
