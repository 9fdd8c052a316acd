"""Shared documents and purchase-order files as the caller may see them."""
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import Role
from db.models import Order, OrderFile, SharedDocument
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository
from db.scope import RowScope


class SharedDocumentRepository(ScopedRepository[SharedDocument]):
    """Documents of the caller's accounts shared with a role the caller holds there (`roles`, per
    account; the row scope alone when None: staff)."""

    model = SharedDocument

    def __init__(self, session: AsyncSession, scope: RowScope, roles: dict[int, frozenset[Role]] | None) -> None:
        super().__init__(session, scope)
        self.roles = roles

    def visible(self) -> Select:
        stmt = select(SharedDocument).where(self.scope.where(SharedDocument.account_id))
        if self.scope.everything or self.roles is None:
            return stmt
        clauses = [sa.and_(SharedDocument.account_id == account_id,
                           sa.or_(*(SharedDocument.roles.like(f"%,{r.value},%") for r in sorted(held))))
                   for account_id, held in sorted(self.roles.items()) if held]
        return stmt.where(sa.or_(*clauses) if clauses else sa.false())

    def filtered(self, account_ids: tuple[int, ...]) -> Select:
        stmt = self.visible()
        return stmt.where(SharedDocument.account_id.in_(account_ids)) if account_ids else stmt

    async def page(self, account_ids: tuple[int, ...], **window: Any) -> Page[SharedDocument]:
        return await keyset_page(self.session, self.filtered(account_ids),
                                 [SharedDocument.created_at, SharedDocument.id], **window)

    async def count(self, account_ids: tuple[int, ...]) -> int:
        return await count_rows(self.session, self.filtered(account_ids))


class OrderFileRepository(ScopedRepository[OrderFile]):
    """Purchase-order files of the orders the caller sees: build it with the scope of orders."""

    model = OrderFile

    def visible(self) -> Select:
        return (select(OrderFile).join(Order, Order.id == OrderFile.order_id)
                .where(self.scope.where(Order.account_id, Order.location_id, Order.placed_by_user_id)))

    async def of_order(self, order_id: int) -> list[OrderFile]:
        return list((await self.session.exec(self.visible().where(OrderFile.order_id == order_id)
                                              .order_by(OrderFile.id))).all())


async def count_order_files(session: AsyncSession, order_id: int) -> int:
    return (await session.exec(select(func.count()).select_from(OrderFile)
                               .where(OrderFile.order_id == order_id))).one()
