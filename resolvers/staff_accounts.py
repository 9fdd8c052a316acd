"""Staff manage customer accounts, their locations and the locations' addresses."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.enums import AccountKind, AddressKind
from db.models import Account, Location
from db.repositories import staff as repo
from domain import audit
from domain import back_office as rules
from domain.back_office import BackOfficeErrorCode as E
from domain.errors import Problem, Rejected, reject
from resolvers.context import Context
from resolvers.userrors import UserErrorData, check_text, decode_or_reject, in_transaction, require_staff

MAX_ADDRESSES = 50
BILLING_FIELDS = {"billing_country": 2, "billing_region": 100, "billing_postal_code": 20,
                  "billing_business_name": 200, "billing_tax_id": 50}


@dataclass
class AccountPayload:
    account: Account | None = None
    location: Location | None = None
    user_errors: list[UserErrorData] = field(default_factory=list)


def _apply_account(account: Account, changes: dict[str, Any], creating: bool) -> None:
    if "name" in changes or creating:
        account.name = check_text(changes.get("name"), 200, E.REQUIRED, "input", "name", required=True)  # type: ignore[assignment]
    if "kind" in changes and changes["kind"] is not None:
        account.kind = AccountKind(changes["kind"])
    if "currency" in changes or creating:
        if not creating:  # prices, orders and invoices are in the account's currency
            raise reject(E.INVALID_CURRENCY, "The currency of an account cannot change", "input", "currencyCode")
        account.currency = rules.currency(changes.get("currency") or "", "input", "currencyCode")
    if "locale" in changes and changes["locale"] is not None:
        account.locale = rules.locale(changes["locale"], "input", "locale")
    if "payment_terms_days" in changes and changes["payment_terms_days"] is not None:
        if not 0 <= changes["payment_terms_days"] <= 365:
            raise reject(E.INVALID_TERMS, "Payment terms go from 0 to 365 days", "input", "paymentTermsDays")
        account.payment_terms_days = changes["payment_terms_days"]
    if "credit_limit" in changes:
        value = changes["credit_limit"]
        account.credit_limit = None if value is None else rules.amount(Decimal(value), account.currency,
                                                                       "input", "creditLimit")
    if "requires_approval" in changes and changes["requires_approval"] is not None:
        account.requires_approval = bool(changes["requires_approval"])
    for key, limit in BILLING_FIELDS.items():
        if key in changes:
            camel = "billing" + "".join(p.title() for p in key.split("_")[1:])
            value = check_text(changes[key], limit, E.TOO_LONG, "input", "billing", camel)
            if key == "billing_country" and value is not None:
                value = rules.country(value, "input", "billing", "country")
            setattr(account, key, value)
    if "billing_is_business" in changes and changes["billing_is_business"] is not None:
        account.billing_is_business = bool(changes["billing_is_business"])


async def account_create(ctx: Context, changes: dict[str, Any]) -> AccountPayload:
    require_staff(ctx, "Mutation.accountCreate")

    async def work(s: Any) -> dict[str, Any]:
        account = Account(name="", kind=AccountKind(changes.get("kind") or AccountKind.BUSINESS), currency="USD",
                          created_at=ctx.now)
        _apply_account(account, changes, creating=True)
        s.add(account)
        await s.flush()
        audit.record(s, ctx.actor, "account.create", ctx.now, account_id=account.id, target_type="Account",
                     target_id=account.id, name=account.name)
        return {"account": account}
    return await in_transaction(ctx, AccountPayload, work)


async def account_update(ctx: Context, account_id: str, changes: dict[str, Any]) -> AccountPayload:
    require_staff(ctx, "Mutation.accountUpdate")

    async def work(s: Any) -> dict[str, Any]:
        aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "id")
        account = await s.get(Account, aid)
        if account is None:
            raise reject(E.NOT_FOUND, "No account with that ID", "input", "id")
        _apply_account(account, changes, creating=False)
        s.add(account)
        audit.record(s, ctx.actor, "account.update", ctx.now, account_id=account.id, target_type="Account",
                     target_id=account.id, changed=sorted(changes))
        return {"account": account}
    return await in_transaction(ctx, AccountPayload, work)


def _addresses(addresses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(addresses) > MAX_ADDRESSES:
        raise reject(E.INVALID_ADDRESSES, f"At most {MAX_ADDRESSES} addresses", "input", "addresses")
    out, problems = [], []
    limits = {"recipient": 200, "line1": 200, "line2": 200, "city": 100, "region": 100, "postal_code": 20}
    for i, a in enumerate(addresses):
        where = ("input", "addresses", str(i))
        try:
            row = {k: check_text(a.get(k), n, E.TOO_LONG, *where, k, required=k in ("line1", "city"))
                   for k, n in limits.items()}
            row["country"] = rules.country(a.get("country") or "", *where, "country")
            row["kind"] = AddressKind(a["kind"])
            row["is_default"] = bool(a.get("is_default"))
            out.append(row)
        except Rejected as r:
            problems.extend(r.problems)
    if problems:
        raise Rejected(*problems)
    for kind in AddressKind:
        defaults = [r for r in out if r["kind"] is kind and r["is_default"]]
        if len(defaults) > 1:
            raise Rejected(Problem(E.INVALID_ADDRESSES, f"At most one default {kind.value.lower()} address",
                                   ("input", "addresses")))
        mine = [r for r in out if r["kind"] is kind]
        if mine and not defaults:
            mine[0]["is_default"] = True
    return out


async def location_create(ctx: Context, account_id: str, name: str, addresses: list[dict[str, Any]]) -> AccountPayload:
    require_staff(ctx, "Mutation.locationCreate")

    async def work(s: Any) -> dict[str, Any]:
        aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
        account = await s.get(Account, aid)
        if account is None:
            raise reject(E.NOT_FOUND, "No account with that ID", "input", "accountId")
        value = check_text(name, 200, E.REQUIRED, "input", "name", required=True)
        rows = _addresses(addresses)
        location = Location(account_id=account.id, name=value, created_at=ctx.now)  # type: ignore[arg-type]
        s.add(location)
        await s.flush()
        await repo.replace_addresses(s, location.id, rows)  # type: ignore[arg-type]
        audit.record(s, ctx.actor, "location.create", ctx.now, account_id=account.id, target_type="Location",
                     target_id=location.id, name=location.name)
        return {"account": account, "location": location}
    return await in_transaction(ctx, AccountPayload, work)


async def location_update(ctx: Context, location_id: str, name: str | None,
                          addresses: list[dict[str, Any]] | None) -> AccountPayload:
    require_staff(ctx, "Mutation.locationUpdate")

    async def work(s: Any) -> dict[str, Any]:
        lid = decode_or_reject(location_id, "Location", E.NOT_FOUND, "input", "id")
        location = await s.get(Location, lid)
        if location is None:
            raise reject(E.NOT_FOUND, "No location with that ID", "input", "id")
        if name is not None:
            location.name = check_text(name, 200, E.REQUIRED, "input", "name", required=True)  # type: ignore[assignment]
        if addresses is not None:
            await repo.replace_addresses(s, location.id, _addresses(addresses))  # type: ignore[arg-type]
        s.add(location)
        account = await s.get(Account, location.account_id)
        audit.record(s, ctx.actor, "location.update", ctx.now, account_id=location.account_id,
                     target_type="Location", target_id=location.id,
                     changed=[k for k, v in (("name", name), ("addresses", addresses)) if v is not None])
        return {"account": account, "location": location}
    return await in_transaction(ctx, AccountPayload, work)
