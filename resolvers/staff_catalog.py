"""Staff manage the catalog: products and variants (create, change, deactivate)."""
from dataclasses import dataclass, field
from typing import Any

from db.models import Product, ProductVariant
from domain.back_office import BackOfficeErrorCode as E
from domain.back_office import catalog
from domain.back_office.catalog import SKU_CONFLICT
from resolvers.context import Context
from resolvers.errors import UserError
from resolvers.globalid import decode_or_reject
from resolvers.mutation import mutation


@dataclass
class CatalogPayload:
    product: Product | None = None
    variant: ProductVariant | None = None
    user_errors: list[UserError] = field(default_factory=list)


@mutation("productCreate", CatalogPayload, audit="product.create")
async def product_create(ctx: Context, s: Any, changes: dict[str, Any]) -> dict[str, Any]:
    return {"product": await catalog.product_create(s, ctx.actor, ctx.now, changes)}


@mutation("productUpdate", CatalogPayload, audit="product.update")
async def product_update(ctx: Context, s: Any, product_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    pid = decode_or_reject(product_id, "Product", E.NOT_FOUND, "input", "id")
    return {"product": await catalog.product_update(s, ctx.actor, ctx.now, pid, changes)}


@mutation("variantCreate", CatalogPayload, audit="variant.create", on_conflict=SKU_CONFLICT)
async def variant_create(ctx: Context, s: Any, product_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    pid = decode_or_reject(product_id, "Product", E.NOT_FOUND, "input", "productId")
    product, variant = await catalog.variant_create(s, ctx.actor, ctx.now, pid, changes)
    return {"product": product, "variant": variant}


@mutation("variantUpdate", CatalogPayload, audit="variant.update", on_conflict=SKU_CONFLICT)
async def variant_update(ctx: Context, s: Any, variant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    vid = decode_or_reject(variant_id, "ProductVariant", E.NOT_FOUND, "input", "id")
    product, variant = await catalog.variant_update(s, ctx.actor, ctx.now, vid, changes)
    return {"product": product, "variant": variant}
