"""Batch functions for the per-request dataloaders: one statement per relation, keyed by parent id.

Each reads through its own session or connection (db.engine lends a request's connection to one
statement at a time), so sibling resolvers never share a session. Keys are ids of rows the
caller was already allowed to see; functions that list children of a scoped kind take a scope."""
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlmodel import func, or_, select

from db.engine import Database
from db.enums import InvoiceStatus
from db.models import (Account, Fulfilment, FulfilmentLine, Invoice, InvoiceLine, Location,
                       Membership, Order, OrderLine, Payment, PriceList, PriceListEntry, Product,
                       ProductVariant, QuantityRule, SubscriptionItem, User)
from db.repositories.accounts import (LocationRepository, MembershipRepository,
                                      addresses_by_location, roles_by_membership)
from db.reads import Read, detached
from db.scope import RowScope
from db.types import UTCDateTime

K = TypeVar("K")
T = TypeVar("T")


def _in(name: str = "keys") -> Any:
    return bindparam(name, expanding=True)


def _one_each(keys: Sequence[K], rows: Sequence[T], key: Callable[[T], K]) -> list[T | None]:
    by = {key(r): r for r in rows}
    return [by.get(k) for k in keys]


def _many_each(keys: Sequence[K], rows: Sequence[T], key: Callable[[T], K]) -> list[list[T]]:
    by: dict[K, list[T]] = defaultdict(list)
    for r in rows:
        by[key(r)].append(r)
    return [by.get(k, []) for k in keys]


def by_id(model: Any) -> Callable[[Database, Sequence[int]], Any]:
    read = Read(select(model).where(model.id.in_(_in())))

    async def load(db: Database, keys: Sequence[int]) -> list[Any]:
        async with db.connection() as conn:
            return _one_each(keys, await read.instances(conn, model, keys=keys), lambda r: r.id)
    load.__name__ = f"{model.__name__.lower()}_by_id"
    return load


def children(model: Any, parent: str, *order: Any) -> Callable[[Database, Sequence[int]], Any]:
    column = getattr(model, parent)
    read = Read(select(model).where(column.in_(_in())).order_by(column, *order, model.id))

    async def load(db: Database, keys: Sequence[int]) -> list[list[Any]]:
        async with db.connection() as conn:
            return _many_each(keys, await read.instances(conn, model, keys=keys), lambda r: getattr(r, parent))
    load.__name__ = f"{model.__name__.lower()}s_by_{parent}"
    return load


account_by_id = by_id(Account)
location_by_id = by_id(Location)
user_by_id = by_id(User)
order_by_id = by_id(Order)
product_by_id = by_id(Product)
variant_by_id = by_id(ProductVariant)
lines_by_order = children(OrderLine, "order_id", OrderLine.position)
fulfilments_by_order = children(Fulfilment, "order_id", Fulfilment.created_at)
fulfilment_lines_by_fulfilment = children(FulfilmentLine, "fulfilment_id")
invoices_by_order = children(Invoice, "order_id", Invoice.issued_at)
invoice_lines_by_invoice = children(InvoiceLine, "invoice_id", InvoiceLine.position)
payments_by_invoice = children(Payment, "invoice_id", Payment.created_at)
items_by_subscription = children(SubscriptionItem, "subscription_id")
variants_by_product = children(ProductVariant, "product_id", ProductVariant.position)


_ACTIVE_VARIANTS = Read(
    select(ProductVariant).where(ProductVariant.product_id.in_(_in()), ProductVariant.is_active == True)  # noqa: E712
    .order_by(ProductVariant.product_id, ProductVariant.position, ProductVariant.id))


async def active_variants_by_product(db: Database, keys: Sequence[int]) -> list[list[ProductVariant]]:
    async with db.connection() as conn:
        rows = await _ACTIVE_VARIANTS.instances(conn, ProductVariant, keys=keys)
    return _many_each(keys, rows, lambda r: r.product_id)


async def addresses_by_location_id(db: Database, keys: Sequence[int]) -> list[list[Any]]:
    async with db.session() as s:
        found = await addresses_by_location(s, list(keys))
    return [found.get(k, []) for k in keys]


async def roles_by_membership_id(db: Database, keys: Sequence[int]) -> list[list[Any]]:
    async with db.session() as s:
        found = await roles_by_membership(s, list(keys))
    return [found.get(k, []) for k in keys]


# SUM keeps the column's type, so SQLite's stored ten-thousandths come back as Decimal.
_OPEN_BALANCES = Read(select(Invoice.account_id, func.sum(Invoice.amount_due))
                      .where(Invoice.account_id.in_(_in()), Invoice.status == InvoiceStatus.OPEN)
                      .group_by(Invoice.account_id))


async def balance_by_account(db: Database, keys: Sequence[int]) -> list[Decimal]:
    """Unpaid amount of open invoices."""
    async with db.connection() as conn:
        found = {aid: total for aid, total in await _OPEN_BALANCES.rows(conn, keys=keys)}
    return [found.get(k, Decimal("0.0000")) for k in keys]


def locations_by_account(scope: RowScope) -> Callable[[Database, Sequence[int]], Any]:
    async def load(db: Database, keys: Sequence[int]) -> list[list[Location]]:
        async with db.session() as s:
            found = await LocationRepository(s, scope).by_account(keys)
        return [found.get(k, []) for k in keys]
    return load


def memberships_by_account(scope: RowScope) -> Callable[[Database, Sequence[int]], Any]:
    async def load(db: Database, keys: Sequence[int]) -> list[list[Membership]]:
        async with db.session() as s:
            found = await MembershipRepository(s, scope).by_account(keys)
        return [found.get(k, []) for k in keys]
    return load


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
    Location.id.in_(_in("locations")),
    or_(PriceList.valid_from.is_(None), PriceList.valid_from <= _NOW),
    or_(PriceList.valid_until.is_(None), PriceList.valid_until > _NOW)).order_by(PriceList.id))
_ENTRIES = Read(select(PriceListEntry).where(PriceListEntry.price_list_id.in_(_in("lists")),
                                             PriceListEntry.variant_id.in_(_in("variants"))))
_RULES = Read(select(QuantityRule).where(QuantityRule.price_list_id.in_(_in("lists")),
                                         QuantityRule.variant_id.in_(_in("variants"))))


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
            entries = _many_each(variant_ids, await _ENTRIES.instances(
                conn, PriceListEntry, lists=list_ids, variants=variant_ids), lambda e: e.variant_id)
            rules = _many_each(variant_ids, await _RULES.instances(
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
