"""Staff manage customer accounts, their locations and the locations' addresses."""
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import AccountKind, AddressKind
from db.models import Account, Location
from db.repositories import staff as repo
from domain import addresses as address_rules, audit, billing_details
from domain.addresses import MAX_ADDRESSES
from domain import back_office as rules
from domain.audit import Actor
from domain.back_office import BackOfficeErrorCode as E
from domain.errors import Problem, Rejected, reject
from domain.text import check_text



def _apply(account: Account, changes: dict[str, Any], creating: bool) -> None:
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
    if "card_required" in changes and changes["card_required"] is not None:
        account.card_required = bool(changes["card_required"])
    if changes.get("billing") is not None:
        # The rules buyers' own changes follow (domain/billing_details.py), under the back office's code.
        try:
            details = billing_details.validated(billing_details.of_account(account), changes["billing"],
                                                "input", "billing")
        except Rejected as r:
            raise Rejected(*(Problem(E.INVALID_BILLING_DETAILS, p.message, p.field) for p in r.problems)) from None
        billing_details.apply(account, details)


async def account_create(s: AsyncSession, actor: Actor, now: datetime, changes: dict[str, Any]) -> Account:
    account = Account(name="", kind=AccountKind(changes.get("kind") or AccountKind.BUSINESS), currency="USD",
                      created_at=now)
    _apply(account, changes, creating=True)
    s.add(account)
    await s.flush()
    audit.record(s, actor, "account.create", now, account_id=account.id, target_type="Account",
                 target_id=account.id, name=account.name)
    return account


async def account_update(s: AsyncSession, actor: Actor, now: datetime, account_id: int,
                         changes: dict[str, Any]) -> Account:
    account = await rules.found(s, Account, account_id, "account", "input", "id")
    _apply(account, changes, creating=False)
    s.add(account)
    audit.record(s, actor, "account.update", now, account_id=account.id, target_type="Account",
                 target_id=account.id, changed=sorted(changes))
    return account


def _addresses(addresses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(addresses) > MAX_ADDRESSES:
        raise reject(E.INVALID_ADDRESSES, f"At most {MAX_ADDRESSES} addresses", "input", "addresses")
    out, problems = [], []
    for i, a in enumerate(addresses):
        try:  # the one address check (domain/addresses.py), under the back office's codes
            row = address_rules.checked({k: v for k, v in a.items() if k != "label"}, E, ("input", "addresses", str(i)))
            row.pop("label", None)
            row["is_default"] = bool(row["is_default"])
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


async def location_create(s: AsyncSession, actor: Actor, now: datetime, account_id: int, name: str,
                          addresses: list[dict[str, Any]]) -> tuple[Account, Location]:
    account = await rules.found(s, Account, account_id, "account", "input", "accountId")
    value = check_text(name, 200, E.REQUIRED, "input", "name", required=True)
    rows = _addresses(addresses)
    location = Location(account_id=account.id, name=value, created_at=now)  # type: ignore[arg-type]
    s.add(location)
    await s.flush()
    await repo.replace_addresses(s, location.id, rows)  # type: ignore[arg-type]
    audit.record(s, actor, "location.create", now, account_id=account.id, target_type="Location",
                 target_id=location.id, name=location.name)
    return account, location


async def location_update(s: AsyncSession, actor: Actor, now: datetime, location_id: int, name: str | None,
                          addresses: list[dict[str, Any]] | None,
                          exemption: tuple[bool, str | None] | None = None) -> tuple[Account, Location]:
    """None for name, addresses or exemption keeps them; a list of addresses replaces them;
    `exemption`: (tax exempt, the certificate's reference) of the location."""
    location = await rules.found(s, Location, location_id, "location", "input", "id")
    if name is not None:
        location.name = check_text(name, 200, E.REQUIRED, "input", "name", required=True)  # type: ignore[assignment]
    if exemption is not None:
        exempt, reference = exemption
        location.tax_exempt = exempt
        location.tax_exemption_reference = check_text(reference, 100, E.REQUIRED, "input", "exemptionReference",
                                                      required=exempt) if exempt else None
    if addresses is not None:
        await repo.replace_addresses(s, location.id, _addresses(addresses))  # type: ignore[arg-type]
    s.add(location)
    account = await s.get(Account, location.account_id)
    audit.record(s, actor, "location.update", now, account_id=location.account_id,
                 target_type="Location", target_id=location.id,
                 changed=[k for k, v in (("name", name), ("addresses", addresses), ("tax_exempt", exemption))
                          if v is not None])
    return account, location  # type: ignore[return-value]
