"""Staff set the merchant's tax rates: one per country (region null) or region, from a date on."""
from datetime import datetime
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import TaxRate
from db.repositories import tax as repo
from domain import audit
from domain import back_office as rules
from domain.audit import Actor
from domain.back_office import BackOfficeErrorCode as E
from domain.addresses import REGIONS
from domain.errors import reject
from domain.text import check_text


def _region(country: str, region: str | None) -> str | None:
    region = (region or "").strip().upper().removeprefix(f"{country}-") or None
    known = REGIONS.get(country)
    if region is not None and (len(region) > 10 or not region.isalnum() or (known is not None and region not in known)):
        raise reject(E.INVALID_REGION, f"{region} is not an ISO 3166-2 subdivision of {country} (such as CA for "
                     "California)", "input", "region")
    return region


async def set_rate(s: AsyncSession, actor: Actor, now: datetime, country: str, region: str | None,
                   percent: Decimal, label: str, valid_from: datetime | None) -> TaxRate:
    """The rate of the place from `valid_from` (default now): changed if that row exists, else added."""
    country = rules.country(country, "input", "country")
    region = _region(country, region)
    if not percent.is_finite() or not 0 <= percent <= 100 or percent != percent.quantize(Decimal("0.0001")):
        raise reject(E.INVALID_PERCENT, "A tax rate is between 0 and 100 percent, with at most 4 decimals",
                     "input", "percent")
    name = check_text(label, 100, E.REQUIRED, "input", "label", required=True)
    if valid_from is not None and valid_from.tzinfo is None:
        raise reject(E.INVALID_DATES, "Give times with their zone", "input", "validFrom")
    start = valid_from or now
    place = country if region is None else f"{country}-{region}"
    row = await repo.rate_at(s, place, start)
    if row is None:
        row = TaxRate(country=country, region=region, jurisdiction=place, percent=percent, label=name,
                      valid_from=start, created_at=now)
    else:
        row.percent, row.label = percent, name  # type: ignore[assignment]
    s.add(row)
    await s.flush()
    audit.record(s, actor, "tax_rate.set", now, target_type="TaxRate", target_id=row.id, country=country,
                 region=region, percent=str(percent))
    return row


async def delete(s: AsyncSession, actor: Actor, now: datetime, rate_id: int) -> None:
    row = await rules.found(s, TaxRate, rate_id, "tax rate", "input", "id")
    audit.record(s, actor, "tax_rate.delete", now, target_type="TaxRate", target_id=row.id, country=row.country,
                 region=row.region, percent=str(row.percent))
    await s.delete(row)
