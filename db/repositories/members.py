"""A membership's roles: read them, replace them, and count the account's account-wide admins."""
import sqlalchemy as sa
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import Role
from db.models import Membership, MembershipRole


async def roles_of(session: AsyncSession, membership_id: int) -> list[tuple[Role, int | None]]:
    stmt = (select(MembershipRole.role, MembershipRole.location_id)
            .where(MembershipRole.membership_id == membership_id).order_by(MembershipRole.id))
    return [(Role(r), loc) for r, loc in (await session.exec(stmt)).all()]


async def replace_roles(session: AsyncSession, membership_id: int, grants: list[tuple[Role, int | None]]) -> None:
    await session.exec(sa.delete(MembershipRole).where(MembershipRole.membership_id == membership_id))
    session.add_all([MembershipRole(membership_id=membership_id, role=r, location_id=loc) for r, loc in grants])


async def other_admins(session: AsyncSession, account_id: int, membership_id: int) -> int:
    """Account-wide ADMINs of the account other than this membership."""
    stmt = (select(func.count(sa.distinct(Membership.id)))
            .join(MembershipRole, MembershipRole.membership_id == Membership.id)
            .where(Membership.account_id == account_id, Membership.id != membership_id,
                   MembershipRole.role == Role.ADMIN, MembershipRole.location_id.is_(None)))
    return (await session.exec(stmt)).one()
