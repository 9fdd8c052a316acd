"""Invitations to an account, and the memberships they create."""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import Role
from db.models import Invitation, Location, Membership, MembershipRole
from db.repositories.base import ScopedRepository
from db.scope import RowScope


async def invitation_by_hash(session: AsyncSession, token_hash: str) -> Invitation | None:
    stmt = select(Invitation).where(Invitation.token_hash == token_hash)
    return (await session.exec(stmt.with_for_update())).first()


class InvitationRepository(ScopedRepository[Invitation]):
    model = Invitation

    def visible(self) -> Select:
        return select(Invitation).where(self.scope.where(Invitation.account_id))


async def pending_invitations(session: AsyncSession, scope: RowScope, account_ids: list[int],
                              now: datetime) -> list[Invitation]:
    stmt = (select(Invitation).where(Invitation.account_id.in_(account_ids), scope.where(Invitation.account_id),
                                     Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                                     Invitation.expires_at > now)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    return list((await session.exec(stmt)).all())


async def revoke_pending(session: AsyncSession, account_id: int, email: str, now: datetime) -> None:
    """A new invitation replaces the pending ones of the same person."""
    await session.exec(sa.update(Invitation).where(Invitation.account_id == account_id, Invitation.email == email,
                                                   Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
                       .values(revoked_at=now))


async def location_ids_of(session: AsyncSession, account_id: int) -> set[int]:
    return set((await session.exec(select(Location.id).where(Location.account_id == account_id))).all())


async def membership_of(session: AsyncSession, user_id: int, account_id: int) -> Membership | None:
    stmt = select(Membership).where(Membership.user_id == user_id, Membership.account_id == account_id)
    return (await session.exec(stmt)).first()


async def add_membership(session: AsyncSession, user_id: int, account_id: int, roles: list[tuple[Role, int | None]],
                         now: datetime, spending_limit: Decimal | None = None) -> Membership:
    membership = Membership(user_id=user_id, account_id=account_id, created_at=now, spending_limit=spending_limit)
    session.add(membership)
    await session.flush()
    session.add_all([MembershipRole(membership_id=membership.id, role=r, location_id=loc)  # type: ignore[arg-type]
                     for r, loc in roles])
    return membership
