"""Gapless numbers for invoices and credit notes.

A number is taken by incrementing the series' row (`document_sequence`, one per series and year) in
the finalising transaction: the UPDATE holds the row's lock until commit, so concurrent
finalisations take consecutive numbers one after the other, and a transaction that rolls back gives
its number back with everything else it wrote (no gap, no reuse). On SQLite the UPDATE takes the
database's write lock, which serialises writers the same way."""
from datetime import datetime
from typing import Any

from db.repositories import billing as repo
from domain.invoicing.settings import NumberFormat, Series


async def next_number(session: Any, series: Series, fmt: NumberFormat, now: datetime) -> str:
    year = fmt.year(now)
    value = await repo.take_sequence_value(session, series.value, year)
    return fmt.render(series, year, value)
