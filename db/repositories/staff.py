"""SQL of the staff back office: price lists with their entries and rules, catalog and account writes."""
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Address, PriceList, PriceListEntry, ProductVariant, QuantityRule
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


class PriceListRepository(ScopedRepository[PriceList]):
    model = PriceList

    def visible(self) -> Select:
        return select(PriceList).where(self.scope.where(PriceList.account_id, PriceList.location_id))

    def filtered(self, account_ids: tuple[int, ...]) -> Select:
        stmt = self.visible()
        if account_ids:
            stmt = stmt.where(PriceList.account_id.in_(account_ids))
        return stmt

    async def page(self, account_ids: tuple[int, ...], **window: Any) -> Page[PriceList]:
        return await keyset_page(self.session, self.filtered(account_ids), [PriceList.name, PriceList.id],
                                 descending=False, **window)

    async def count(self, account_ids: tuple[int, ...]) -> int:
        return await count_rows(self.session, self.filtered(account_ids))


async def sku_taken(session: AsyncSession, sku: str, except_id: int | None = None) -> bool:
    stmt = select(func.count()).select_from(ProductVariant).where(func.lower(ProductVariant.sku) == sku.lower())
    if except_id is not None:
        stmt = stmt.where(ProductVariant.id != except_id)
    return (await session.exec(stmt)).one() > 0


async def existing_variants(session: AsyncSession, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set((await session.exec(select(ProductVariant.id).where(ProductVariant.id.in_(ids)))).all())


async def next_variant_position(session: AsyncSession, product_id: int) -> int:
    found = (await session.exec(select(func.max(ProductVariant.position))
                                .where(ProductVariant.product_id == product_id))).one()
    return 0 if found is None else found + 1


async def replace_entries(session: AsyncSession, price_list_id: int, entries: list[tuple[int, int, Any]]) -> None:
    await session.exec(delete(PriceListEntry).where(PriceListEntry.price_list_id == price_list_id))  # type: ignore[call-overload]
    for variant_id, min_quantity, price in entries:
        session.add(PriceListEntry(price_list_id=price_list_id, variant_id=variant_id, min_quantity=min_quantity,
                                   price=price))


async def replace_rules(session: AsyncSession, price_list_id: int, rules: list[tuple[int, int, int | None, int]]) -> None:
    await session.exec(delete(QuantityRule).where(QuantityRule.price_list_id == price_list_id))  # type: ignore[call-overload]
    for variant_id, minimum, maximum, increment in rules:
        session.add(QuantityRule(price_list_id=price_list_id, variant_id=variant_id, minimum=minimum,
                                 maximum=maximum, increment=increment))


async def delete_price_list(session: AsyncSession, pl: PriceList) -> None:
    await replace_entries(session, pl.id, [])  # type: ignore[arg-type]
    await replace_rules(session, pl.id, [])  # type: ignore[arg-type]
    await session.flush()
    await session.delete(pl)


async def replace_addresses(session: AsyncSession, location_id: int, addresses: list[dict[str, Any]]) -> None:
    await session.exec(delete(Address).where(Address.location_id == location_id))  # type: ignore[call-overload]
    for a in addresses:
        session.add(Address(location_id=location_id, **a))


