"""Staff manage the catalog: products and variants (create, change, deactivate)."""
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Product, ProductVariant
from db.repositories import staff as repo
from domain import audit
from domain import back_office as rules
from domain.audit import Actor
from domain.back_office import BackOfficeErrorCode as E
from domain.errors import Problem, reject
from domain.text import check_text

# Two staff giving variants one SKU at once: the database's unique SKU wins over our check.
SKU_CONFLICT = Problem(E.SKU_TAKEN, "Another variant has this SKU", ("input", "sku"))


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


async def _variant_fields(s: AsyncSession, changes: dict[str, Any], currency: str,
                          except_id: int | None) -> dict[str, Any]:
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


async def product_create(s: AsyncSession, actor: Actor, now: datetime, changes: dict[str, Any]) -> Product:
    product = Product(**_product_fields(changes, creating=True), created_at=now)
    s.add(product)
    await s.flush()
    audit.record(s, actor, "product.create", now, target_type="Product", target_id=product.id, title=product.title)
    return product


async def product_update(s: AsyncSession, actor: Actor, now: datetime, product_id: int,
                         changes: dict[str, Any]) -> Product:
    product = await rules.found(s, Product, product_id, "product", "input", "id")
    values = _product_fields(changes, creating=False)
    for k, v in values.items():
        setattr(product, k, v)
    s.add(product)
    audit.record(s, actor, "product.deactivate" if values.get("is_active") is False else "product.update",
                 now, target_type="Product", target_id=product.id, changed=sorted(values))
    return product


async def variant_create(s: AsyncSession, actor: Actor, now: datetime, product_id: int,
                         changes: dict[str, Any]) -> tuple[Product, ProductVariant]:
    product = await rules.found(s, Product, product_id, "product", "input", "productId")
    currency = rules.currency(changes.get("currency") or "", "input", "currencyCode")
    wanted = {"sku": None, "title": None, "list_price": None, **changes}
    values = await _variant_fields(s, wanted, currency, None)
    values.setdefault("position", await repo.next_variant_position(s, product.id))
    variant = ProductVariant(product_id=product.id, currency=currency, **values)
    s.add(variant)
    await s.flush()
    audit.record(s, actor, "variant.create", now, target_type="ProductVariant", target_id=variant.id,
                 sku=variant.sku, product_id=product.id)
    return product, variant


async def variant_update(s: AsyncSession, actor: Actor, now: datetime, variant_id: int,
                         changes: dict[str, Any]) -> tuple[Product, ProductVariant]:
    variant = await rules.found(s, ProductVariant, variant_id, "variant", "input", "id")
    values = await _variant_fields(s, changes, variant.currency, variant.id)
    before = {k: str(getattr(variant, k)) for k in values}
    for k, v in values.items():
        setattr(variant, k, v)
    s.add(variant)
    product = await s.get(Product, variant.product_id)
    audit.record(s, actor, "variant.deactivate" if values.get("is_active") is False else "variant.update",
                 now, target_type="ProductVariant", target_id=variant.id,
                 changes={k: [before[k], str(v)] for k, v in values.items()})
    return product, variant  # type: ignore[return-value]
