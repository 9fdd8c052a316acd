"""Digital variants, their files, purchases and downloads."""
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import DigitalPurchase, DigitalVariant, Membership, OrderLine, User
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


class DigitalPurchaseRepository(ScopedRepository[DigitalPurchase]):
    """Purchases of the caller's locations, and its own."""

    model = DigitalPurchase

    def visible(self) -> Select:
        return select(DigitalPurchase).where(self.scope.where(DigitalPurchase.account_id, DigitalPurchase.location_id,
                                                              DigitalPurchase.user_id))

    def filtered(self, order_ids: tuple[int, ...]) -> Select:
        stmt = self.visible()
        return stmt.where(DigitalPurchase.order_id.in_(order_ids)) if order_ids else stmt

    async def page(self, order_ids: tuple[int, ...], **window: Any) -> Page[DigitalPurchase]:
        return await keyset_page(self.session, self.filtered(order_ids),
                                 [DigitalPurchase.created_at, DigitalPurchase.id], **window)

    async def count(self, order_ids: tuple[int, ...]) -> int:
        return await count_rows(self.session, self.filtered(order_ids))


async def digital_lines(session: AsyncSession, order_id: int) -> list[tuple[OrderLine, DigitalVariant]]:
    """Lines of digital variants of the order that have no purchase yet."""
    stmt = (select(OrderLine, DigitalVariant).join(DigitalVariant, DigitalVariant.variant_id == OrderLine.variant_id)
            .outerjoin(DigitalPurchase, DigitalPurchase.order_line_id == OrderLine.id)
            .where(OrderLine.order_id == order_id, DigitalPurchase.id.is_(None)).order_by(OrderLine.position))
    return [(line, spec) for line, spec in (await session.exec(stmt)).all()]


async def may_download(session: AsyncSession, user_id: int, account_id: int) -> bool:
    """Still a member of the account (or merchant staff)."""
    stmt = select(sa.literal(1)).select_from(User).outerjoin(
        Membership, sa.and_(Membership.user_id == User.id, Membership.account_id == account_id)).where(
        User.id == user_id, sa.or_(User.staff_role.is_not(None), Membership.id.is_not(None)))
    return (await session.exec(stmt)).first() is not None


async def digital_variant(session: AsyncSession, variant_id: int) -> DigitalVariant | None:
    return (await session.exec(select(DigitalVariant).where(DigitalVariant.variant_id == variant_id))).first()
