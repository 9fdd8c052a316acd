"""Billing details of an account: who is invoiced, where (country, region, postal code), with what
tax ID, and whether the buyer is tax exempt. Validated before they are stored; an invoice keeps a
snapshot of them as they were when it was issued (`snapshot`), so a later change never alters it."""
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from db.models import Account, Location
from domain import audit, tax_ids
from domain.addresses import place_problems
from domain.audit import Actor
from domain.errors import Problem, Rejected

LIMITS = {"business_name": 200, "region": 100, "postal_code": 20, "tax_id": 50, "exemption_reference": 100}


class BillingDetailsErrorCode(StrEnum):
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    REGION_REQUIRED = "REGION_REQUIRED"
    INVALID_REGION = "INVALID_REGION"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    INVALID_TAX_ID = "INVALID_TAX_ID"
    TOO_LONG = "TOO_LONG"


E = BillingDetailsErrorCode

@dataclass(frozen=True)
class BillingDetails:
    name: str | None = None
    business_name: str | None = None
    tax_id: str | None = None
    is_business: bool = False
    country: str | None = None
    region: str | None = None
    postal_code: str | None = None
    tax_exempt: bool = False
    exemption_reference: str | None = None

    def snapshot(self) -> dict[str, Any]:
        """What an invoice keeps (its `billing_details` column)."""
        return asdict(self)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any] | None) -> "BillingDetails":
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


def of_account(account: Account, location: Location | None = None) -> BillingDetails:
    """The account's billing details; a tax-exempt location makes what is sold to it exempt too
    (with the location's own certificate)."""
    exempt = location if location is not None and location.tax_exempt else account if account.tax_exempt else None
    return BillingDetails(
        name=account.name, business_name=account.billing_business_name, tax_id=account.billing_tax_id,
        is_business=account.billing_is_business, country=account.billing_country, region=account.billing_region,
        postal_code=account.billing_postal_code, tax_exempt=exempt is not None,
        exemption_reference=exempt.tax_exemption_reference if exempt is not None else None)


def validated(current: BillingDetails, changes: dict[str, Any], *where: str) -> BillingDetails:
    """`current` with `changes` (snake_case keys, None clears) applied, checked as a whole: the
    country is ISO 3166, a region is given where the country needs one and is one of its ISO 3166-2
    subdivisions, the postal code and tax ID have the country's format. All problems at once."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in changes.items():
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, str) and key in LIMITS and len(value) > LIMITS[key]:
            problems.append(_problem(E.TOO_LONG, f"At most {LIMITS[key]} characters", where, key))
            continue
        values[key] = value
    if "is_business" in values and values["is_business"] is None:
        del values["is_business"]
    details = replace(current, **values)
    (country, region, postal), found = place_problems(details.country, details.region, details.postal_code, E,
                                                      where, "A billing address")
    problems.extend(found)
    if any(p.code is E.INVALID_COUNTRY for p in found):
        raise Rejected(*problems)
    tax_id = details.tax_id
    if tax_id is not None:
        if country is None:
            problems.append(_problem(E.INVALID_TAX_ID, "A tax ID needs the billing country", where, "taxId"))
        else:
            try:
                tax_id = tax_ids.normalize(country, tax_id)
            except tax_ids.InvalidTaxId as e:
                problems.append(_problem(E.INVALID_TAX_ID, str(e), where, "taxId"))
    if problems:
        raise Rejected(*problems)
    return replace(details, country=country, region=region, postal_code=postal, tax_id=tax_id)


async def update(session: Any, account: Account, changes: dict[str, Any], actor: Actor, now: datetime) -> Account:
    """A buyer's change of its billing details (the account row read under lock); the exemption is
    the merchant's to set, so it stays as it is. Invoices finalised from now on carry the new details."""
    apply(account, validated(of_account(account), changes, "input"))
    session.add(account)
    audit.record(session, actor, "account.billing_details", now, account_id=account.id, target_type="Account",
                 target_id=account.id, changed=sorted(changes))
    return account


def apply(account: Account, details: BillingDetails) -> None:
    """Store validated details on the account (the name is the account's own)."""
    account.billing_business_name = details.business_name
    account.billing_tax_id = details.tax_id
    account.billing_is_business = details.is_business
    account.billing_country = details.country
    account.billing_region = details.region
    account.billing_postal_code = details.postal_code
    account.tax_exempt = details.tax_exempt
    account.tax_exemption_reference = details.exemption_reference if details.tax_exempt else None


def _problem(code: E, message: str, where: tuple[str, ...], key: str) -> Problem:
    camel = key.split("_")[0] + "".join(p.title() for p in key.split("_")[1:])
    return Problem(code, message, (*where, camel) if where else (camel,))
