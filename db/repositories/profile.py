"""The merchant's custom profile fields (not scoped: every customer sees the definitions)."""
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import ProfileField
from db.repositories.base import lock_row


async def profile_fields(session: AsyncSession) -> list[ProfileField]:
    """Every field, in the merchant's order."""
    return list((await session.exec(select(ProfileField).order_by(ProfileField.position, ProfileField.id))).all())


async def locked_field(session: AsyncSession, field_id: int) -> ProfileField | None:
    return await lock_row(session, ProfileField, field_id)


async def field_by_key(session: AsyncSession, key: str, but: int | None = None) -> bool:
    stmt = select(ProfileField.id).where(ProfileField.key == key)
    if but is not None:
        stmt = stmt.where(ProfileField.id != but)
    return (await session.exec(stmt)).first() is not None
