"""Changing one's email address: confirmed from the new address, undoable from the old one.

1. The signed-in person asks (with its password, when it has one): a single-use link (24 hours)
   goes to the new address. An address that has an account already is refused (EMAIL_TAKEN) and
   nothing is sent: one person's change can never reach another account.
2. The link sets the new address (if it is still free and the old one unchanged since), and the
   old address is told, with a single-use link (72 hours) that undoes the change.
3. Undo puts the old address back and signs every session out: whoever changed it must sign in
   again with the owner's address.

These are security mails: always sent, whatever the person's notification preferences."""
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import User
from db.repositories.base import lock_row
from db.repositories.sessions import revoke_sessions
from db.repositories.tokens import retire_tokens, retire_user_tokens
from db.repositories.users import user_by_email
from domain import audit, mail
from domain.auth import verify_password
from domain.errors import reject
from domain.identity.emails import MAX_EMAIL, normalize_email
from domain.identity.env import AuthEnv
from domain.identity.errors import EmailChangeErrorCode as E
from domain.identity.signin import MAX_PASSWORD_INPUT
from domain.identity.tokens import find_live, issue, use

CONFIRM_TTL = timedelta(hours=24)
UNDO_TTL = timedelta(hours=72)
# Tokens mailed to an address: when the address stops being the account's, they stop working.
_MAILED = ("PASSWORD_RESET", "MAGIC_LINK")


def check_input(new_email: str, password: str | None) -> None:
    """Inputs too long to be real, refused before the request is counted."""
    if len(new_email) > MAX_EMAIL:
        raise reject(E.INVALID_EMAIL, "Enter a valid email address", "input", "newEmail", attempted=False)
    if password is not None and len(password) > MAX_PASSWORD_INPUT:
        raise reject(E.INVALID_CREDENTIALS, "The password is wrong", "input", "password", attempted=False)


async def reauthenticate(session: AsyncSession, user_id: int, password: str | None) -> User:
    """The person, locked, once it has given its password (when it has one: a person who signs in
    by emailed links only has none, and proves the old address by the notice's undo link)."""
    user = await lock_row(session, User, user_id)
    if user is None or user.password_hash and not verify_password(user, password or ""):
        raise reject(E.INVALID_CREDENTIALS, "The password is wrong", "input", "password")
    return user


async def request_change(session: AsyncSession, env: AuthEnv, user: User, new_email: str) -> str:
    """Mail the confirmation link to the new address (`user` reauthenticated); the normalised address."""
    email = normalize_email(new_email, E, ("input", "newEmail"))
    if email == user.email:
        raise reject(E.SAME_EMAIL, "This is your address already", "input", "newEmail")
    if await user_by_email(session, email) is not None:
        raise reject(E.EMAIL_TAKEN, "This address belongs to another account", "input", "newEmail")
    await retire_user_tokens(session, "EMAIL_CHANGE", user.id, env.now)  # type: ignore[arg-type]
    token, _, _ = issue(session, purpose="EMAIL_CHANGE", email=email, user_id=user.id, now=env.now,
                        ttl=CONFIRM_TTL, old_email=user.email)
    mail.enqueue(session, to=email, template="email_change_confirm", now=env.now, locale=user.locale or "en",
                 name=user.name, link=env.link("confirm-email-change", token))
    audit.record(session, env.actor, "auth.email_change_requested", env.now, target_type="User", target_id=user.id)
    return email


async def confirm_change(session: AsyncSession, env: AuthEnv, token: str) -> User:
    row = await find_live(session, "EMAIL_CHANGE", token, env.now, E)
    user = await lock_row(session, User, row.user_id)  # type: ignore[arg-type]
    if user is None or user.email != row.data.get("old_email"):  # changed another way since: ask again
        raise reject(E.INVALID_TOKEN, "This link or code is not valid", "input", "token")
    if await user_by_email(session, row.email) is not None:
        raise reject(E.EMAIL_TAKEN, "This address belongs to another account now", "input", "token")
    await use(session, row, env.now, E)
    old = user.email
    user.email = row.email
    session.add(user)
    for purpose in _MAILED:
        await retire_tokens(session, purpose, old, env.now)
    undo, _, _ = issue(session, purpose="EMAIL_CHANGE_UNDO", email=old, user_id=user.id, now=env.now, ttl=UNDO_TTL,
                       old_email=old, new_email=user.email)
    mail.enqueue(session, to=old, template="email_changed_notice", now=env.now, locale=user.locale or "en",
                 name=user.name, new_email=user.email, link=env.link("undo-email-change", undo))
    audit.record(session, env.as_user(user.id), "auth.email_changed", env.now, target_type="User",
                 target_id=user.id)
    return user


async def undo_change(session: AsyncSession, env: AuthEnv, token: str) -> int:
    """Put the old address back and sign every session out; how many were."""
    row = await find_live(session, "EMAIL_CHANGE_UNDO", token, env.now, E)
    user = await lock_row(session, User, row.user_id)  # type: ignore[arg-type]
    if user is None:
        raise reject(E.INVALID_TOKEN, "This link or code is not valid", "input", "token")
    old = row.data["old_email"]
    if user.email != old:
        if await user_by_email(session, old) is not None:
            raise reject(E.EMAIL_TAKEN, "This address belongs to another account now", "input", "token")
        for purpose in _MAILED:
            await retire_tokens(session, purpose, user.email, env.now)
        user.email = old
        session.add(user)
    await use(session, row, env.now, E)
    await retire_user_tokens(session, "EMAIL_CHANGE", user.id, env.now)  # type: ignore[arg-type]
    revoked = await revoke_sessions(session, user.id, env.now)  # type: ignore[arg-type]
    audit.record(session, env.as_user(user.id), "auth.email_change_undone", env.now, target_type="User",
                 target_id=user.id, sessions_revoked=revoked)
    return revoked
