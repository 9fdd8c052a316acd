"""Addresses of a location or of a person's book, read by their owner (the caller's scope was
checked on the owner: the location through its repository, the person is the caller)."""
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import UserAddress


async def addresses_of(session: AsyncSession, model: Any, owner_key: str, owner_id: int) -> list[Any]:
    """Every address of the owner, oldest first."""
    stmt = select(model).where(getattr(model, owner_key) == owner_id).order_by(model.id)
    return list((await session.exec(stmt)).all())


async def book_address(session: AsyncSession, user_id: int, address_id: int) -> UserAddress | None:
    """An address of this person's book (None for anyone else's)."""
    stmt = select(UserAddress).where(UserAddress.user_id == user_id, UserAddress.id == address_id)
    return (await session.exec(stmt)).first()
