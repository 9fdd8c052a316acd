"""Staff manage contracted prices: price lists (account or location scope, validity window, percentage
adjustment, fixed entries with quantity breaks) and the quantity rules they carry."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import Account, Location, PriceList
from db.repositories import staff as repo
from db.repositories.staff import PriceListRepository
from domain import audit
from domain import back_office as rules
from domain.back_office import BackOfficeErrorCode as E
from domain.errors import Problem, Rejected, reject
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.userrors import UserErrorData, check_text, decode_or_reject, in_transaction, require_staff


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
    user_errors: list[UserErrorData] = field(default_factory=list)


async def _entries(s: Any, entries: list[EntryData], currency: str) -> list[tuple[int, int, Decimal]]:
    decoded = [(decode_or_reject(e.variant_id, "ProductVariant", E.UNKNOWN_VARIANT, "input", "entries", str(i),
                                 "variantId"), e.min_quantity, e.price) for i, e in enumerate(entries)]
    known = await repo.existing_variants(s, sorted({d[0] for d in decoded}))
    problems, seen = [], set()
    for i, (variant_id, min_quantity, price) in enumerate(decoded):
        where = ("input", "entries", str(i))
        if variant_id not in known:
            problems.append(Problem(E.UNKNOWN_VARIANT, "No variant with that ID", where + ("variantId",)))
        elif not 1 <= min_quantity <= 1_000_000:
            problems.append(Problem(E.INVALID_QUANTITY, "minQuantity goes from 1 to 1000000", where + ("minQuantity",)))
        elif (variant_id, min_quantity) in seen:
            problems.append(Problem(E.DUPLICATE_ENTRY, "One price per variant and minimum quantity",
                                    where + ("minQuantity",)))
        else:
            try:
                rules.amount(price, currency, *where, "price")
            except Rejected as r:
                problems.extend(r.problems)
        seen.add((variant_id, min_quantity))
    if problems:
        raise Rejected(*problems)
    return decoded


async def _rules(s: Any, items: list[RuleData]) -> list[tuple[int, int, int | None, int]]:
    decoded = [(decode_or_reject(r.variant_id, "ProductVariant", E.UNKNOWN_VARIANT, "input", "quantityRules", str(i),
                                 "variantId"), r.minimum, r.maximum, r.increment) for i, r in enumerate(items)]
    known = await repo.existing_variants(s, sorted({d[0] for d in decoded}))
    problems, seen = [], set()
    for i, (variant_id, minimum, maximum, increment) in enumerate(decoded):
        where = ("input", "quantityRules", str(i))
        if variant_id not in known:
            problems.append(Problem(E.UNKNOWN_VARIANT, "No variant with that ID", where + ("variantId",)))
        elif variant_id in seen:
            problems.append(Problem(E.DUPLICATE_ENTRY, "One quantity rule per variant", where + ("variantId",)))
        else:
            try:
                rules.quantity_rule(minimum, maximum, increment, *where)
            except Rejected as r:
                problems.extend(r.problems)
        seen.add(variant_id)
    if problems:
        raise Rejected(*problems)
    return decoded


async def _location_of(s: Any, location_gid: str | None, account: Account) -> int | None:
    if location_gid is None:
        return None
    lid = decode_or_reject(location_gid, "Location", E.NOT_FOUND, "input", "locationId")
    location = await s.get(Location, lid)
    if location is None or location.account_id != account.id:
        raise reject(E.LOCATION_NOT_IN_ACCOUNT, "The location is not one of the account's", "input", "locationId")
    return lid


def _apply(pl: PriceList, changes: dict[str, Any]) -> None:
    if "name" in changes:
        pl.name = check_text(changes["name"], 200, E.REQUIRED, "input", "name", required=True)  # type: ignore[assignment]
    if "adjustment_percent" in changes:
        value = changes["adjustment_percent"]
        pl.adjustment_percent = None if value is None else rules.percent(Decimal(value), "input", "adjustmentPercent")
    for key in ("valid_from", "valid_until"):
        if key in changes:
            when = changes[key]
            if when is not None and when.tzinfo is None:
                raise reject(E.INVALID_DATES, "Give times with their zone", "input", key)
            setattr(pl, key, when)
    if pl.valid_from and pl.valid_until and pl.valid_until <= pl.valid_from:
        raise reject(E.INVALID_DATES, "validUntil must be after validFrom", "input", "validUntil")


async def price_list_create(ctx: Context, account_id: str, changes: dict[str, Any], entries: list[EntryData],
                            quantity_rules: list[RuleData]) -> PriceListPayload:
    require_staff(ctx, "Mutation.priceListCreate")

    async def work(s: Any) -> dict[str, Any]:
        aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
        account = await s.get(Account, aid)
        if account is None:
            raise reject(E.NOT_FOUND, "No account with that ID", "input", "accountId")
        location_id = await _location_of(s, changes.get("location_id"), account)
        currency = rules.currency(changes.get("currency") or account.currency, "input", "currencyCode")
        if currency != account.currency:
            raise reject(E.CURRENCY_MISMATCH, f"The account is billed in {account.currency}", "input", "currencyCode")
        pl = PriceList(name="", account_id=account.id, location_id=location_id, currency=currency, created_at=ctx.now)
        changes.setdefault("name", None)
        _apply(pl, changes)
        fixed = await _entries(s, entries, currency)
        rule_rows = await _rules(s, quantity_rules)
        s.add(pl)
        await s.flush()
        await repo.replace_entries(s, pl.id, fixed)
        await repo.replace_rules(s, pl.id, rule_rows)
        audit.record(s, ctx.actor, "price_list.create", ctx.now, account_id=account.id, target_type="PriceList",
                     target_id=pl.id, entries=len(fixed), rules=len(rule_rows))
        return {"price_list": pl}
    return await in_transaction(ctx, PriceListPayload, work)


async def _price_list(s: Any, gid: str) -> PriceList:
    pid = decode_or_reject(gid, "PriceList", E.NOT_FOUND, "input", "id")
    pl = await s.get(PriceList, pid)
    if pl is None:
        raise reject(E.NOT_FOUND, "No price list with that ID", "input", "id")
    return pl


async def price_list_update(ctx: Context, price_list_id: str, changes: dict[str, Any],
                            entries: list[EntryData] | None, quantity_rules: list[RuleData] | None) -> PriceListPayload:
    require_staff(ctx, "Mutation.priceListUpdate")

    async def work(s: Any) -> dict[str, Any]:
        pl = await _price_list(s, price_list_id)
        if "location_id" in changes:
            account = await s.get(Account, pl.account_id)
            pl.location_id = await _location_of(s, changes["location_id"], account)
        _apply(pl, changes)
        if entries is not None:
            await repo.replace_entries(s, pl.id, await _entries(s, entries, pl.currency))  # type: ignore[arg-type]
        if quantity_rules is not None:
            await repo.replace_rules(s, pl.id, await _rules(s, quantity_rules))  # type: ignore[arg-type]
        s.add(pl)
        audit.record(s, ctx.actor, "price_list.update", ctx.now, account_id=pl.account_id, target_type="PriceList",
                     target_id=pl.id, changed=sorted(changes) + (["entries"] if entries is not None else [])
                     + (["quantity_rules"] if quantity_rules is not None else []))
        return {"price_list": pl}
    return await in_transaction(ctx, PriceListPayload, work)


async def price_list_delete(ctx: Context, price_list_id: str) -> PriceListPayload:
    require_staff(ctx, "Mutation.priceListDelete")

    async def work(s: Any) -> dict[str, Any]:
        pl = await _price_list(s, price_list_id)
        audit.record(s, ctx.actor, "price_list.delete", ctx.now, account_id=pl.account_id, target_type="PriceList",
                     target_id=pl.id, name=pl.name)
        await repo.delete_price_list(s, pl)
        return {"deleted_id": price_list_id}
    return await in_transaction(ctx, PriceListPayload, work)


async def price_lists(ctx: Context, account_id: str | None, window: Window) -> Connection:
    from resolvers.globalid import decode_as  # noqa: PLC0415
    from resolvers.userrors import require_signed_in  # noqa: PLC0415
    require_signed_in(ctx)
    account_ids = (decode_as(account_id, "Account"),) if account_id else ()
    scope = ctx.scope("rows:PriceList")
    return await paginate(ctx, lambda s: PriceListRepository(s, scope), account_ids, window)


__all__ = ["Problem"]
