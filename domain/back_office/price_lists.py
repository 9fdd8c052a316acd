"""Staff manage contracted prices: price lists (account or location scope, validity window, percentage
adjustment and the precision of the prices it computes, fixed entries with quantity breaks) and the
quantity rules they carry."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Account, Location, PriceList
from db.repositories import staff as repo
from domain import audit
from domain import back_office as rules
from domain.audit import Actor
from domain.back_office import BackOfficeErrorCode as E
from domain.errors import Problem, Rejected, reject
from domain.text import check_text


@dataclass(frozen=True)
class Entry:
    variant_id: int
    price: Decimal
    min_quantity: int = 1


@dataclass(frozen=True)
class QuantityRule:
    variant_id: int
    minimum: int = 1
    maximum: int | None = None
    increment: int = 1


def _collect(problems: list[Problem], check: Any, *args: Any) -> None:
    try:
        check(*args)
    except Rejected as r:
        problems.extend(r.problems)


async def _entries(s: AsyncSession, entries: list[Entry], currency: str) -> list[tuple[int, int, Decimal]]:
    known = await repo.existing_variants(s, sorted({e.variant_id for e in entries}))
    problems: list[Problem] = []
    seen = set()
    for i, e in enumerate(entries):
        where = ("input", "entries", str(i))
        if e.variant_id not in known:
            problems.append(Problem(E.UNKNOWN_VARIANT, "No variant with that ID", where + ("variantId",)))
        elif not 1 <= e.min_quantity <= 1_000_000:
            problems.append(Problem(E.INVALID_QUANTITY, "minQuantity goes from 1 to 1000000", where + ("minQuantity",)))
        elif (e.variant_id, e.min_quantity) in seen:
            problems.append(Problem(E.DUPLICATE_ENTRY, "One price per variant and minimum quantity",
                                    where + ("minQuantity",)))
        else:
            _collect(problems, rules.amount, e.price, currency, *where, "price")
        seen.add((e.variant_id, e.min_quantity))
    if problems:
        raise Rejected(*problems)
    return [(e.variant_id, e.min_quantity, e.price) for e in entries]


async def _rules(s: AsyncSession, items: list[QuantityRule]) -> list[tuple[int, int, int | None, int]]:
    known = await repo.existing_variants(s, sorted({r.variant_id for r in items}))
    problems: list[Problem] = []
    seen = set()
    for i, r in enumerate(items):
        where = ("input", "quantityRules", str(i))
        if r.variant_id not in known:
            problems.append(Problem(E.UNKNOWN_VARIANT, "No variant with that ID", where + ("variantId",)))
        elif r.variant_id in seen:
            problems.append(Problem(E.DUPLICATE_ENTRY, "One quantity rule per variant", where + ("variantId",)))
        else:
            _collect(problems, rules.quantity_rule, r.minimum, r.maximum, r.increment, *where)
        seen.add(r.variant_id)
    if problems:
        raise Rejected(*problems)
    return [(r.variant_id, r.minimum, r.maximum, r.increment) for r in items]


async def _location_of(s: AsyncSession, location_id: int | None, account: Account) -> int | None:
    if location_id is None:
        return None
    location = await s.get(Location, location_id)
    if location is None or location.account_id != account.id:
        raise reject(E.LOCATION_NOT_IN_ACCOUNT, "The location is not one of the account's", "input", "locationId")
    return location_id


def _apply(pl: PriceList, changes: dict[str, Any]) -> None:
    if "name" in changes:
        pl.name = check_text(changes["name"], 200, E.REQUIRED, "input", "name", required=True)  # type: ignore[assignment]
    if "adjustment_percent" in changes:
        value = changes["adjustment_percent"]
        pl.adjustment_percent = None if value is None else rules.percent(Decimal(value), "input", "adjustmentPercent")
    if "price_precision" in changes:
        value = changes["price_precision"]
        pl.price_precision = None if value is None else rules.precision(value, "input", "pricePrecision")
    if changes.get("prices_include_tax") is not None:
        pl.prices_include_tax = bool(changes["prices_include_tax"])
    for key in ("valid_from", "valid_until"):
        if key in changes:
            when = changes[key]
            if when is not None and when.tzinfo is None:
                raise reject(E.INVALID_DATES, "Give times with their zone", "input", key)
            setattr(pl, key, when)
    if pl.valid_from and pl.valid_until and pl.valid_until <= pl.valid_from:
        raise reject(E.INVALID_DATES, "validUntil must be after validFrom", "input", "validUntil")


async def create(s: AsyncSession, actor: Actor, now: datetime, account_id: int, changes: dict[str, Any],
                 entries: list[Entry], quantity_rules: list[QuantityRule]) -> PriceList:
    """`changes`: the list's fields by attribute (location_id decoded, or None)."""
    account = await rules.found(s, Account, account_id, "account", "input", "accountId")
    location_id = await _location_of(s, changes.get("location_id"), account)
    currency = rules.currency(changes.get("currency") or account.currency, "input", "currencyCode")
    if currency != account.currency:
        raise reject(E.CURRENCY_MISMATCH, f"The account is billed in {account.currency}", "input", "currencyCode")
    pl = PriceList(name="", account_id=account.id, location_id=location_id, currency=currency, created_at=now)
    _apply(pl, {"name": None, **changes})
    fixed = await _entries(s, entries, currency)
    rule_rows = await _rules(s, quantity_rules)
    s.add(pl)
    await s.flush()
    await repo.replace_entries(s, pl.id, fixed)  # type: ignore[arg-type]
    await repo.replace_rules(s, pl.id, rule_rows)  # type: ignore[arg-type]
    audit.record(s, actor, "price_list.create", now, account_id=account.id, target_type="PriceList",
                 target_id=pl.id, entries=len(fixed), rules=len(rule_rows))
    return pl


async def update(s: AsyncSession, actor: Actor, now: datetime, price_list_id: int, changes: dict[str, Any],
                 entries: list[Entry] | None, quantity_rules: list[QuantityRule] | None) -> PriceList:
    """None for entries or quantity_rules keeps them; a list replaces them."""
    pl = await rules.found(s, PriceList, price_list_id, "price list", "input", "id")
    if "location_id" in changes:
        account = await s.get(Account, pl.account_id)
        pl.location_id = await _location_of(s, changes["location_id"], account)  # type: ignore[arg-type]
    _apply(pl, changes)
    if entries is not None:
        await repo.replace_entries(s, pl.id, await _entries(s, entries, pl.currency))  # type: ignore[arg-type]
    if quantity_rules is not None:
        await repo.replace_rules(s, pl.id, await _rules(s, quantity_rules))  # type: ignore[arg-type]
    s.add(pl)
    audit.record(s, actor, "price_list.update", now, account_id=pl.account_id, target_type="PriceList",
                 target_id=pl.id, changed=sorted(changes) + (["entries"] if entries is not None else [])
                 + (["quantity_rules"] if quantity_rules is not None else []))
    return pl


async def delete(s: AsyncSession, actor: Actor, now: datetime, price_list_id: int) -> None:
    pl = await rules.found(s, PriceList, price_list_id, "price list", "input", "id")
    audit.record(s, actor, "price_list.delete", now, account_id=pl.account_id, target_type="PriceList",
                 target_id=pl.id, name=pl.name)
    await repo.delete_price_list(s, pl)
