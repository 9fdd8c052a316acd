"""Staff manage the catalog: products and variants (create, change, deactivate)."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import Product, ProductVariant
from db.repositories import staff as repo
from domain import audit
from domain import back_office as rules
from domain.back_office import BackOfficeErrorCode as E
from domain.errors import Problem, reject
from resolvers.context import Context
from resolvers.userrors import UserErrorData, check_text, decode_or_reject, in_transaction, require_staff


SKU_CONFLICT = Problem(E.SKU_TAKEN, "Another variant has this SKU", ("input", "sku"))


@dataclass
class CatalogPayload:
    product: Product | None = None
    variant: ProductVariant | None = None
    user_errors: list[UserErrorData] = field(default_factory=list)


def _text(changes: dict[str, Any], key: str, limit: int, field_name: str, required: bool = False) -> str | None:
    return check_text(changes[key], limit, E.REQUIRED if required and not (changes[key] or "").strip() else E.TOO_LONG,
                      "input", field_name, required=required)


def _product_fields(changes: dict[str, Any], creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in changes or creating:
        out["title"] = _text(changes, "title", 200, "title", required=True)
    if "description" in changes:
        out["description"] = _text(changes, "description", 5000, "description")
    if "vendor" in changes:
        out["vendor"] = _text(changes, "vendor", 100, "vendor")
    for flag in ("is_active", "is_digital"):
        if flag in changes:
            if changes[flag] is None:
                raise reject(E.REQUIRED, "Give true or false", "input", flag)
            out[flag] = bool(changes[flag])
    return out


async def _variant_fields(s: Any, changes: dict[str, Any], currency: str, except_id: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "sku" in changes:
        if changes["sku"] is None:
            raise reject(E.REQUIRED, "Give a SKU", "input", "sku")
        out["sku"] = rules.sku(changes["sku"], "input", "sku")
        if await repo.sku_taken(s, out["sku"], except_id):
            raise reject(E.SKU_TAKEN, "Another variant has this SKU", "input", "sku")
    if "title" in changes:
        out["title"] = _text(changes, "title", 200, "title", required=True)
    if "list_price" in changes:
        if changes["list_price"] is None:
            raise reject(E.REQUIRED, "Give a list price", "input", "listPrice")
        out["list_price"] = rules.amount(Decimal(changes["list_price"]), currency, "input", "listPrice")
    if "is_active" in changes:
        out["is_active"] = bool(changes["is_active"])
    if "position" in changes and changes["position"] is not None:
        if not 0 <= changes["position"] <= 10_000:
            raise reject(E.INVALID_QUANTITY, "Positions go from 0 to 10000", "input", "position")
        out["position"] = changes["position"]
    return out


async def product_create(ctx: Context, changes: dict[str, Any]) -> CatalogPayload:
    require_staff(ctx, "Mutation.productCreate")

    async def work(s: Any) -> dict[str, Any]:
        values = _product_fields(changes, creating=True)
        product = Product(**values, created_at=ctx.now)
        s.add(product)
        await s.flush()
        audit.record(s, ctx.actor, "product.create", ctx.now, target_type="Product", target_id=product.id,
                     title=product.title)
        return {"product": product}
    return await in_transaction(ctx, CatalogPayload, work)


async def product_update(ctx: Context, product_id: str, changes: dict[str, Any]) -> CatalogPayload:
    require_staff(ctx, "Mutation.productUpdate")

    async def work(s: Any) -> dict[str, Any]:
        pid = decode_or_reject(product_id, "Product", E.NOT_FOUND, "input", "id")
        product = await s.get(Product, pid)
        if product is None:
            raise reject(E.NOT_FOUND, "No product with that ID", "input", "id")
        values = _product_fields(changes, creating=False)
        for k, v in values.items():
            setattr(product, k, v)
        s.add(product)
        audit.record(s, ctx.actor, "product.deactivate" if values.get("is_active") is False else "product.update",
                     ctx.now, target_type="Product", target_id=product.id, changed=sorted(values))
        return {"product": product}
    return await in_transaction(ctx, CatalogPayload, work)


async def variant_create(ctx: Context, product_id: str, changes: dict[str, Any]) -> CatalogPayload:
    require_staff(ctx, "Mutation.variantCreate")

    async def work(s: Any) -> dict[str, Any]:
        pid = decode_or_reject(product_id, "Product", E.NOT_FOUND, "input", "productId")
        product = await s.get(Product, pid)
        if product is None:
            raise reject(E.NOT_FOUND, "No product with that ID", "input", "productId")
        currency = rules.currency(changes.get("currency") or "", "input", "currencyCode")
        for required in ("sku", "title", "list_price"):
            changes.setdefault(required, None)
        values = await _variant_fields(s, changes, currency, None)
        values.setdefault("position", await repo.next_variant_position(s, product.id))
        variant = ProductVariant(product_id=product.id, currency=currency, **values)
        s.add(variant)
        await s.flush()
        audit.record(s, ctx.actor, "variant.create", ctx.now, target_type="ProductVariant", target_id=variant.id,
                     sku=variant.sku, product_id=product.id)
        return {"product": product, "variant": variant}
    return await in_transaction(ctx, CatalogPayload, work, on_conflict=SKU_CONFLICT)


async def variant_update(ctx: Context, variant_id: str, changes: dict[str, Any]) -> CatalogPayload:
    require_staff(ctx, "Mutation.variantUpdate")

    async def work(s: Any) -> dict[str, Any]:
        vid = decode_or_reject(variant_id, "ProductVariant", E.NOT_FOUND, "input", "id")
        variant = await s.get(ProductVariant, vid)
        if variant is None:
            raise reject(E.NOT_FOUND, "No variant with that ID", "input", "id")
        values = await _variant_fields(s, changes, variant.currency, variant.id)
        before = {k: str(getattr(variant, k)) for k in values}
        for k, v in values.items():
            setattr(variant, k, v)
        s.add(variant)
        product = await s.get(Product, variant.product_id)
        audit.record(s, ctx.actor, "variant.deactivate" if values.get("is_active") is False else "variant.update",
                     ctx.now, target_type="ProductVariant", target_id=variant.id,
                     changes={k: [before[k], str(v)] for k, v in values.items()})
        return {"product": product, "variant": variant}
    return await in_transaction(ctx, CatalogPayload, work, on_conflict=SKU_CONFLICT)
