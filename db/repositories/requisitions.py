"""Requisition lists as the caller may see them: every member of the account with a role."""
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Product, ProductVariant, RequisitionList, RequisitionListItem
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


class RequisitionListRepository(ScopedRepository[RequisitionList]):
    model = RequisitionList

    def visible(self) -> Select:
        return select(RequisitionList).where(self.scope.where(RequisitionList.account_id))

    def filtered(self, account_ids: tuple[int, ...]) -> Select:
        stmt = self.visible()
        if account_ids:
            stmt = stmt.where(RequisitionList.account_id.in_(account_ids))
        return stmt

    async def page(self, account_ids: tuple[int, ...], **window: Any) -> Page[RequisitionList]:
        return await keyset_page(self.session, self.filtered(account_ids), [RequisitionList.name, RequisitionList.id],
                                 descending=False, **window)

    async def count(self, account_ids: tuple[int, ...]) -> int:
        return await count_rows(self.session, self.filtered(account_ids))


async def name_taken(session: AsyncSession, account_id: int, name: str, except_id: int | None = None) -> bool:
    stmt = select(func.count()).select_from(RequisitionList).where(
        RequisitionList.account_id == account_id, func.lower(RequisitionList.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(RequisitionList.id != except_id)
    return (await session.exec(stmt)).one() > 0


async def sellable_variants(session: AsyncSession, ids: list[int]) -> dict[int, ProductVariant]:
    """Active variants of active products among `ids`."""
    stmt = (select(ProductVariant).join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.id.in_(ids), ProductVariant.is_active == True, Product.is_active == True))  # noqa: E712
    return {v.id: v for v in (await session.exec(stmt)).all()}  # type: ignore[misc]


async def replace_items(session: AsyncSession, list_id: int, items: list[tuple[int, int]]) -> None:
    await session.exec(delete(RequisitionListItem).where(RequisitionListItem.list_id == list_id))  # type: ignore[call-overload]
    for position, (variant_id, quantity) in enumerate(items):
        session.add(RequisitionListItem(list_id=list_id, variant_id=variant_id, quantity=quantity, position=position))


async def delete_list(session: AsyncSession, lst: RequisitionList) -> None:
    await session.exec(delete(RequisitionListItem).where(RequisitionListItem.list_id == lst.id))  # type: ignore[call-overload]
    await session.delete(lst)


async def items_of(session: AsyncSession, list_id: int) -> list[RequisitionListItem]:
    stmt = select(RequisitionListItem).where(RequisitionListItem.list_id == list_id).order_by(
        RequisitionListItem.position, RequisitionListItem.id)
    return list((await session.exec(stmt)).all())
