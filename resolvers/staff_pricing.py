"""Staff manage contracted prices: price lists and the quantity rules they carry."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import PriceList
from db.repositories.staff import PriceListRepository
from domain.back_office import BackOfficeErrorCode as E
from domain.back_office import price_lists as pricing
from domain.back_office.price_lists import Entry, QuantityRule
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError, unauthenticated
from resolvers.globalid import decode_as, decode_or_reject
from resolvers.mutation import mutation


@dataclass
class EntryData:
    variant_id: str
    price: Decimal
    min_quantity: int = 1


@dataclass
class RuleData:
    variant_id: str
    minimum: int = 1
    maximum: int | None = None
    increment: int = 1


@dataclass
class PriceListPayload:
    price_list: PriceList | None = None
    deleted_id: str | None = None
    user_errors: list[UserError] = field(default_factory=list)


def _variant(gid: str, *where: str) -> int:
    return decode_or_reject(gid, "ProductVariant", E.UNKNOWN_VARIANT, *where, "variantId")


def _entries(entries: list[EntryData] | None) -> list[Entry] | None:
    if entries is None:
        return None
    return [Entry(_variant(e.variant_id, "input", "entries", str(i)), e.price, e.min_quantity)
            for i, e in enumerate(entries)]


def _rules(items: list[RuleData] | None) -> list[QuantityRule] | None:
    if items is None:
        return None
    return [QuantityRule(_variant(r.variant_id, "input", "quantityRules", str(i)), r.minimum, r.maximum, r.increment)
            for i, r in enumerate(items)]


def _location(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes with the location's ID decoded."""
    if changes.get("location_id") is None:
        return changes
    return {**changes, "location_id": decode_or_reject(changes["location_id"], "Location", E.NOT_FOUND,
                                                       "input", "locationId")}


@mutation("priceListCreate", PriceListPayload, audit="price_list.create")
async def price_list_create(ctx: Context, s: Any, account_id: str, changes: dict[str, Any], entries: list[EntryData],
                            quantity_rules: list[RuleData]) -> dict[str, Any]:
    aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
    pl = await pricing.create(s, ctx.actor, ctx.now, aid, _location(changes), _entries(entries) or [],
                                  _rules(quantity_rules) or [])
    return {"price_list": pl}


@mutation("priceListUpdate", PriceListPayload, audit="price_list.update")
async def price_list_update(ctx: Context, s: Any, price_list_id: str, changes: dict[str, Any],
                            entries: list[EntryData] | None, quantity_rules: list[RuleData] | None) -> dict[str, Any]:
    pid = decode_or_reject(price_list_id, "PriceList", E.NOT_FOUND, "input", "id")
    pl = await pricing.update(s, ctx.actor, ctx.now, pid, _location(changes), _entries(entries),
                                  _rules(quantity_rules))
    return {"price_list": pl}


@mutation("priceListDelete", PriceListPayload, audit="price_list.delete")
async def price_list_delete(ctx: Context, s: Any, price_list_id: str) -> dict[str, Any]:
    pid = decode_or_reject(price_list_id, "PriceList", E.NOT_FOUND, "input", "id")
    await pricing.delete(s, ctx.actor, ctx.now, pid)
    return {"deleted_id": price_list_id}


async def price_lists(ctx: Context, account_id: str | None, window: Window) -> Connection:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    account_ids = (decode_as(account_id, "Account"),) if account_id else ()
    scope = ctx.scope("rows:PriceList")
    return await paginate(ctx, lambda s: PriceListRepository(s, scope), account_ids, window)
