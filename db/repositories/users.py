"""Users, their memberships and roles, and sign-in sessions. Not scoped: these build the caller."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Account, AuthSession, Membership, MembershipRole, User
from db.reads import Read, columns_of, detached


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.exec(select(User).where(User.email == email.strip().lower()))).first()


async def grants_of(session: AsyncSession, user_id: int) -> list[tuple[int, MembershipRole | None]]:
    """(account id, role row or None) for every membership of the user, in one statement."""
    stmt = (select(Membership.account_id, MembershipRole)
            .join(MembershipRole, MembershipRole.membership_id == Membership.id, isouter=True)
            .where(Membership.user_id == user_id))
    return [(aid, role) for aid, role in (await session.exec(stmt)).all()]


async def memberships_of(session: AsyncSession, user_id: int) -> list[Membership]:
    stmt = select(Membership).where(Membership.user_id == user_id).order_by(Membership.id)
    return list((await session.exec(stmt)).all())


_SESSION_WITH_USER = Read(
    select(AuthSession, User, Membership.account_id, Account.currency, MembershipRole)
    .join(User, User.id == AuthSession.user_id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(Account, Account.id == Membership.account_id)
    .outerjoin(MembershipRole, MembershipRole.membership_id == Membership.id)
    .where(AuthSession.token_hash == bindparam("token_hash")))


@dataclass
class SignedIn:
    """What a request's caller is made of: the sign-in session, its user, (account id, role row or
    None) for each of the user's memberships, and the currency each of those accounts buys in (a
    catalog shows list prices in it)."""

    session: AuthSession
    user: User
    grants: list[tuple[int, MembershipRole | None]]
    currencies: dict[int, str]


async def session_with_user(conn: AsyncConnection, token_hash: str) -> SignedIn | None:
    """The sign-in session of a token with its user and memberships, in one statement. The rows
    are read-only (db.reads.detached)."""
    rows = await _SESSION_WITH_USER.rows(conn, token_hash=token_hash)
    if not rows:
        return None
    at_user = len(columns_of(AuthSession))
    at_account = at_user + len(columns_of(User))
    at_role = at_account + 2
    grants = [(row[at_account], None if row[at_role] is None else detached(MembershipRole, row[at_role:]))
              for row in rows if row[at_account] is not None]
    currencies = {row[at_account]: row[at_account + 1] for row in rows if row[at_account] is not None}
    return SignedIn(detached(AuthSession, rows[0][:at_user]), detached(User, rows[0][at_user:at_account]), grants,
                    currencies)


async def touch_session(session: AsyncSession, session_id: int, now: datetime) -> None:
    await session.exec(update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now))  # type: ignore[call-overload]


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def add_user(session: AsyncSession, *, email: str, name: str, password_hash: str | None,
                   locale: str | None, now: datetime) -> User:
    user = User(email=email.strip().lower(), name=name, password_hash=password_hash, locale=locale, created_at=now)
    session.add(user)
    await session.flush()
    return user
