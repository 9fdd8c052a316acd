"""The catalog. Customers see active products only; staff see all."""
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import func, or_, select

from db.models import Product, ProductVariant
from db.pagination import Page, count_rows, keyset_page
from db.reads import read_models


@dataclass(frozen=True)
class ProductFilter:
    search: str | None = None
    sku: str | None = None


class CatalogRepository:
    def __init__(self, session: Any, *, include_inactive: bool = False) -> None:
        self.session = session
        self.include_inactive = include_inactive

    def products(self, f: ProductFilter) -> Select:
        stmt = select(Product)
        if not self.include_inactive:
            stmt = stmt.where(Product.is_active == True)  # noqa: E712
        if f.search:
            pattern = f"%{f.search.lower()}%"
            stmt = stmt.where(or_(func.lower(Product.title).like(pattern),
                                  Product.id.in_(select(ProductVariant.product_id)
                                                 .where(func.lower(ProductVariant.sku).like(pattern)))))
        if f.sku:
            stmt = stmt.where(Product.id.in_(select(ProductVariant.product_id).where(ProductVariant.sku == f.sku)))
        return stmt

    async def page(self, f: ProductFilter, **window: Any) -> Page[Product]:
        return await keyset_page(self.session, self.products(f), [Product.title, Product.id],
                                 descending=False, **window)

    async def count(self, f: ProductFilter) -> int:
        return await count_rows(self.session, self.products(f))

    async def products_by_id(self, ids: list[int]) -> dict[int, Product]:
        """Read-only rows (db.reads.detached), as are variants_by_id's: for node(id:)."""
        stmt = select(Product).where(Product.id.in_(ids))
        if not self.include_inactive:
            stmt = stmt.where(Product.is_active == True)  # noqa: E712
        return {p.id: p for p in await read_models(self.session, stmt)}

    async def variants_by_id(self, ids: list[int]) -> dict[int, ProductVariant]:
        stmt = select(ProductVariant).where(ProductVariant.id.in_(ids))
        if not self.include_inactive:
            stmt = stmt.join(Product).where(Product.is_active == True, ProductVariant.is_active == True)  # noqa: E712
        return {v.id: v for v in await read_models(self.session, stmt)}
