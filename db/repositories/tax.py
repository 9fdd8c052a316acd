"""Tax rates: those of a country for a sale, and the merchant's table as staff manage it."""
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import select

from db.models import TaxRate


async def rates_of(session: Any, country: str) -> Sequence[TaxRate]:
    """Every rate of the country, its regions' included (a handful of rows)."""
    return (await session.exec(select(TaxRate).where(TaxRate.country == country))).all()


async def rate_at(session: Any, jurisdiction: str, valid_from: datetime) -> TaxRate | None:
    """The row of this place and start, locked (FOR UPDATE) so that two staff setting it at once
    change one row; a row made at the same moment by another loses on uq_tax_rate_place."""
    stmt = select(TaxRate).where(TaxRate.jurisdiction == jurisdiction, TaxRate.valid_from == valid_from)
    return (await session.exec(stmt.with_for_update())).first()


async def all_rates(session: Any) -> Sequence[TaxRate]:
    stmt = select(TaxRate).order_by(TaxRate.country, TaxRate.region, TaxRate.valid_from)  # type: ignore[arg-type]
    return (await session.exec(stmt)).all()
