"""Addresses: the one check of where a place is (country, region, postal code) that billing
details, a location's addresses and a person's address book all use, and the address book and a
location's addresses as their owners edit them.

A location's addresses (db.models.Address) are its ADMIN's to edit (staff replace them all with
locationUpdate); a person's book (db.models.UserAddress) is its own. Each has at most one default
address of each kind (SHIPPING, BILLING): saving one as the default takes the mark from the other,
the first of a kind is the default, and deleting the default passes the mark to the oldest left.
An order keeps a copy of the address it was placed with (Order.shipping_address), so a later
change or deletion never alters it."""
import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from babel.core import get_global
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import AddressKind
from db.models import Address, Location, User, UserAddress
from db.repositories import addresses as repo
from db.repositories.base import lock_row
from domain import audit
from domain.audit import Actor
from domain.errors import Problem, Rejected, reject

# ISO 3166-2 subdivisions of the countries whose sales tax (or address) needs one.
REGIONS = {
    "US": frozenset("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
                    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR UM VI".split()),
    "CA": frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split()),
    "AU": frozenset("ACT NSW NT QLD SA TAS VIC WA".split()),
}

# Postal code formats of the main countries (upper case, as normalised); others take any short code.
POSTAL_CODES = {
    "US": r"\d{5}(-\d{4})?",
    "CA": r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d",
    "GB": r"(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})",
    "DE": r"\d{5}", "FR": r"\d{5}", "IT": r"\d{5}", "ES": r"(0[1-9]|[1-4]\d|5[0-2])\d{3}", "FI": r"\d{5}",
    "NL": r"[1-9]\d{3} ?[A-Z]{2}", "BE": r"[1-9]\d{3}", "AT": r"\d{4}", "CH": r"\d{4}", "DK": r"\d{4}",
    "NO": r"\d{4}", "AU": r"\d{4}", "SE": r"\d{3} ?\d{2}", "PL": r"\d{2}-\d{3}", "PT": r"\d{4}-\d{3}",
    "IE": r"[A-Z]\d[\dW] ?[A-Z\d]{4}", "JP": r"\d{3}-?\d{4}", "CN": r"\d{6}", "IN": r"[1-9]\d{5}",
    "BR": r"\d{5}-?\d{3}", "MX": r"\d{5}", "CZ": r"\d{3} ?\d{2}", "LU": r"(L-)?\d{4}",
}
_POSTAL = {country: re.compile(rf"^{pattern}$") for country, pattern in POSTAL_CODES.items()}
_ANY_POSTAL = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,11}$")
# Babel's territory list holds continents ("150"), and a few codes that name no country.
_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})

MAX_ADDRESSES = 50  # per location, and per person's book
LIMITS = {"label": 100, "recipient": 200, "line1": 200, "line2": 200, "city": 100, "region": 100,
          "postal_code": 20}
FIELDS = ("recipient", "line1", "line2", "city", "region", "postal_code", "country")


class AddressErrorCode(StrEnum):
    ADDRESS_NOT_FOUND = "ADDRESS_NOT_FOUND"
    LOCATION_NOT_FOUND = "LOCATION_NOT_FOUND"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    REGION_REQUIRED = "REGION_REQUIRED"
    INVALID_REGION = "INVALID_REGION"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    TOO_MANY_ADDRESSES = "TOO_MANY_ADDRESSES"


E = AddressErrorCode


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES and code in get_global("territory_currencies")


def _field(where: tuple[str, ...], key: str) -> tuple[str, ...]:
    return (*where, key.split("_")[0] + "".join(p.title() for p in key.split("_")[1:]))


def place_problems(country: str | None, region: str | None, postal_code: str | None, codes: type[StrEnum],
                   where: tuple[str, ...], what: str = "An address"
                   ) -> tuple[tuple[str | None, str | None, str | None], list[Problem]]:
    """(country, region, postal code) normalised, and what is wrong with them, as codes of `codes`
    (the enum of the flow that asks: it has INVALID_COUNTRY, REGION_REQUIRED, INVALID_REGION and
    INVALID_POSTAL_CODE). The country is ISO 3166; a region is given where the country needs one
    and is one of its ISO 3166-2 subdivisions; the postal code has the country's format."""
    country = (country or "").strip().upper() or None
    if country is not None and not is_country(country):
        return (country, region, postal_code), [
            Problem(codes["INVALID_COUNTRY"], "Give an ISO 3166 two-letter country code such as US or DE",
                    _field(where, "country"))]
    problems = []
    region = (region or "").strip() or None
    if country in REGIONS:
        region = region.upper().removeprefix(f"{country}-") if region else None
        if region is None:
            problems.append(Problem(codes["REGION_REQUIRED"], f"{what} in {country} needs its state or province "
                                    "(ISO 3166-2, such as CA or NY)", _field(where, "region")))
        elif region not in REGIONS[country]:
            problems.append(Problem(codes["INVALID_REGION"], f"{region} is not a state or province of {country}",
                                    _field(where, "region")))
    postal = (postal_code or "").strip().upper() or None
    if postal is not None and not _POSTAL.get(country or "", _ANY_POSTAL).match(postal):
        problems.append(Problem(codes["INVALID_POSTAL_CODE"], f"{postal} is not a postal code of "
                                f"{country or 'the country'}", _field(where, "postal_code")))
    return (country, region, postal), problems


def checked(data: dict[str, Any], codes: type[StrEnum] = E, where: tuple[str, ...] = ("input",)) -> dict[str, Any]:
    """A whole address (line1, city and country required), trimmed and normalised; else every
    problem at once, as codes of `codes` (REQUIRED, TOO_LONG and the place's codes)."""
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, limit in LIMITS.items():
        value = data.get(key)
        value = value.strip() or None if isinstance(value, str) else None
        if value is None and key in ("line1", "city"):
            problems.append(Problem(codes["REQUIRED"], "Required", _field(where, key)))
        elif value is not None and len(value) > limit:
            problems.append(Problem(codes["TOO_LONG"], f"At most {limit} characters", _field(where, key)))
        out[key] = value
    if not (data.get("country") or "").strip():
        problems.append(Problem(codes["REQUIRED"], "Give the country (ISO 3166 two-letter code)",
                                _field(where, "country")))
    else:
        (out["country"], out["region"], out["postal_code"]), found = place_problems(
            data.get("country"), out.get("region"), out.get("postal_code"), codes, where)
        problems.extend(found)
    if problems:
        raise Rejected(*problems)
    out["kind"] = AddressKind(data["kind"])
    out["is_default"] = data.get("is_default")  # None: not said (a new address is not; a changed one keeps its mark)
    return out


def snapshot(address: Any) -> dict[str, Any]:
    """What an order keeps of the address it was placed with."""
    return {k: getattr(address, k) for k in FIELDS}


# Editing -------------------------------------------------------------------------------------------

async def save(session: AsyncSession, owner: User | Location, address_id: int | None, data: dict[str, Any],
               actor: Actor, now: datetime) -> Address | UserAddress:
    """Add (`address_id` None) or replace an address of a person's book (`owner` a User) or of a
    location; the owner's row is locked first, so two changes of its defaults run one after the other."""
    model, owner_key = _of(owner)
    await lock_row(session, type(owner), owner.id)
    values = checked(data)
    default = values.pop("is_default")
    if model is Address:
        values.pop("label", None)
    siblings = await repo.addresses_of(session, model, owner_key, owner.id)  # type: ignore[arg-type]
    if address_id is None:
        if len(siblings) >= MAX_ADDRESSES:
            raise reject(E.TOO_MANY_ADDRESSES, f"At most {MAX_ADDRESSES} addresses", "input")
        address = model(**{owner_key: owner.id}, is_default=bool(default), **values)
        if model is UserAddress:
            address.created_at = now  # type: ignore[union-attr]
    else:
        address = next((a for a in siblings if a.id == address_id), None)
        if address is None:
            raise reject(E.ADDRESS_NOT_FOUND, "No such address", "input", "id")
        siblings = [a for a in siblings if a.id != address_id]
        moved = address.kind is not values["kind"]
        for k, v in values.items():
            setattr(address, k, v)
        if default is not None or moved:
            address.is_default = bool(default)
    if address.is_default:
        for other in siblings:
            if other.kind is address.kind and other.is_default:
                other.is_default = False
                session.add(other)
    session.add(address)
    for kind in AddressKind:  # the first of a kind, or a kind an edit moved the default out of
        _keep_a_default(session, [a for a in [*siblings, address] if a.kind is kind])
    await session.flush()
    _audit(session, owner, actor, now, "address.save", address)
    return address


async def delete(session: AsyncSession, owner: User | Location, address_id: int, actor: Actor,
                 now: datetime) -> Address | UserAddress:
    model, owner_key = _of(owner)
    await lock_row(session, type(owner), owner.id)
    siblings = await repo.addresses_of(session, model, owner_key, owner.id)  # type: ignore[arg-type]
    address = next((a for a in siblings if a.id == address_id), None)
    if address is None:
        raise reject(E.ADDRESS_NOT_FOUND, "No such address", "input", "id")
    await session.delete(address)
    _keep_a_default(session, [a for a in siblings if a.kind is address.kind and a.id != address.id])
    await session.flush()
    _audit(session, owner, actor, now, "address.delete", address)
    return address


def _keep_a_default(session: AsyncSession, same_kind: list[Any]) -> None:
    if same_kind and not any(a.is_default for a in same_kind):
        oldest = min(same_kind, key=lambda a: (a.id is None, a.id or 0))
        oldest.is_default = True
        session.add(oldest)


def _of(owner: User | Location) -> tuple[type[Address] | type[UserAddress], str]:
    return (UserAddress, "user_id") if isinstance(owner, User) else (Address, "location_id")


def _audit(session: AsyncSession, owner: User | Location, actor: Actor, now: datetime, action: str,
           address: Any) -> None:
    if isinstance(owner, User):
        audit.record(session, actor, action, now, target_type="UserAddress", target_id=address.id)
    else:
        audit.record(session, actor, action, now, account_id=owner.account_id, target_type="Address",
                     target_id=address.id, location_id=owner.id)
