"""Batch functions of pricing: the price lists that apply to (location, variant) pairs with their
entries and quantity rules, and a price list's own entries and rules (the back office)."""
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import or_, select

from db.engine import Database
from db.loaders import children, keys_param, many_each
from db.models import Location, PriceList, PriceListEntry, QuantityRule
from db.reads import Read, detached
from db.types import UTCDateTime

entries_by_price_list = children(PriceListEntry, "price_list_id", PriceListEntry.variant_id,
                                 PriceListEntry.min_quantity)
rules_by_price_list = children(QuantityRule, "price_list_id", QuantityRule.variant_id)


@dataclass
class PriceRows:
    """The valid price lists that apply to one (location, variant), and what they say of it."""

    location_lists: list[PriceList] = field(default_factory=list)
    account_lists: list[PriceList] = field(default_factory=list)
    entries: list[PriceListEntry] = field(default_factory=list)
    rules: list[QuantityRule] = field(default_factory=list)


_NOW = bindparam("now", type_=UTCDateTime)
# Each location with the valid lists that apply to it: its own, and its account's (location_id null).
_PRICE_LISTS = Read(select(Location.id, PriceList).join(PriceList, or_(
    PriceList.location_id == Location.id,
    (PriceList.account_id == Location.account_id) & PriceList.location_id.is_(None))).where(
    Location.id.in_(keys_param("locations")),
    or_(PriceList.valid_from.is_(None), PriceList.valid_from <= _NOW),
    or_(PriceList.valid_until.is_(None), PriceList.valid_until > _NOW)).order_by(PriceList.id))
_ENTRIES = Read(select(PriceListEntry).where(PriceListEntry.price_list_id.in_(keys_param("lists")),
                                             PriceListEntry.variant_id.in_(keys_param("variants"))))
_RULES = Read(select(QuantityRule).where(QuantityRule.price_list_id.in_(keys_param("lists")),
                                         QuantityRule.variant_id.in_(keys_param("variants"))))


def price_rows(now: datetime) -> Callable[[Database, Sequence[tuple[int, int]]], Any]:
    """Keys are (location id, variant id); three statements for any number of keys."""

    async def load(db: Database, keys: Sequence[tuple[int, int]]) -> list[PriceRows]:
        location_ids = sorted({k[0] for k in keys})
        variant_ids = sorted({k[1] for k in keys})
        # Per location: its lists, its account's, and their ids (shared by its keys' rows).
        lists_of: dict[int, tuple[list[PriceList], list[PriceList], set[int]]] = {
            location_id: ([], [], set()) for location_id in location_ids}
        async with db.connection() as conn:  # three statements in a row, nothing else awaited
            for location_id, *columns in await _PRICE_LISTS.rows(conn, locations=location_ids, now=now):
                loc, acc, ids = lists_of[location_id]
                pl = detached(PriceList, columns)
                (loc if pl.location_id is not None else acc).append(pl)
                ids.add(pl.id)
            list_ids = sorted(set().union(*(ids for _, _, ids in lists_of.values())))
            entries = many_each(variant_ids, await _ENTRIES.instances(
                conn, PriceListEntry, lists=list_ids, variants=variant_ids), lambda e: e.variant_id)
            rules = many_each(variant_ids, await _RULES.instances(
                conn, QuantityRule, lists=list_ids, variants=variant_ids), lambda r: r.variant_id)
        entries_of = dict(zip(variant_ids, entries, strict=True))
        rules_of = dict(zip(variant_ids, rules, strict=True))
        out = []
        for location_id, variant_id in keys:
            loc, acc, ids = lists_of[location_id]
            out.append(PriceRows(loc, acc, [e for e in entries_of[variant_id] if e.price_list_id in ids],
                                 [r for r in rules_of[variant_id] if r.price_list_id in ids]))
        return out
    return load
