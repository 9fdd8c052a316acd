"""Contracted prices as a request sees them: price schedules of (location, variant) pairs made
from the price lists, and the pricer that ordering's domain functions take.

Reads go one batch for all pairs asked at once. `pricer(loader)` prices through the request's
cached loader; `pricer_in(session, now)` reads in a mutation's own transaction instead: no second
connection while it holds row locks, and the prices it checks are those of its snapshot."""
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader

from db.loaders.pricing import PriceRows, price_rows
from domain.ordering import Pricer
from domain.pricing import ListPriceRates, PriceLevel, PriceSchedule, PriceSource, QuantityRuleData, UnitPrice


def schedule_from(rows: PriceRows, rates: ListPriceRates) -> PriceSchedule:
    levels = []
    for source, lists in ((PriceSource.LOCATION_PRICE_LIST, rows.location_lists),
                          (PriceSource.ACCOUNT_PRICE_LIST, rows.account_lists)):
        ids = {pl.id for pl in lists}
        level = PriceLevel(source, currency=lists[0].currency if lists else None,
                           includes_tax=any(pl.prices_include_tax for pl in lists))
        for pl in lists:
            if pl.adjustment_percent is not None:
                level.add_adjustment(pl.adjustment_percent, pl.price_precision)
        for e in rows.entries:
            if e.price_list_id in ids:
                level.add_fixed(e.min_quantity, e.price)
        for r in rows.rules:
            if r.price_list_id in ids and level.rule is None:
                level.rule = QuantityRuleData(r.minimum, r.maximum, r.increment)
        levels.append(level)
    return PriceSchedule(levels, rates)


def schedules_from(rows: Sequence[PriceRows], rates: ListPriceRates) -> list[PriceSchedule]:
    """A variant no price list names has its location's schedule: made once per location (price_rows
    shares a location's lists between its rows; the schedule is only read)."""
    by_lists: dict[tuple[int, int], PriceSchedule] = {}
    out = []
    for r in rows:
        if r.entries or r.rules:
            out.append(schedule_from(r, rates))
            continue
        key = (id(r.location_lists), id(r.account_lists))
        found = by_lists.get(key)
        if found is None:
            found = by_lists[key] = schedule_from(r, rates)
        out.append(found)
    return out


def schedules_at(now: datetime, rates: ListPriceRates) -> Any:
    """The batch function of price schedules keyed by (location id, variant id), valid at `now`,
    with the merchant's `rates` for list prices in a price list's currency."""
    rows = price_rows(now)

    async def load(db: Any, keys: Sequence[tuple[int, int]]) -> list[PriceSchedule]:
        return schedules_from(await rows(db, keys), rates)
    return load


def pricer(schedules: DataLoader) -> Pricer:
    """Unit prices and quantity rules through a loader of schedules."""
    async def price(location_id: int, variant: Any, quantity: int) -> tuple[UnitPrice, QuantityRuleData]:
        schedule = await schedules.load((location_id, variant.id))
        return (schedule.unit_price(variant.list_price, variant.currency, quantity),
                schedule.quantity_rule() or QuantityRuleData())
    return price


def pricer_in(session: Any, now: datetime, rates: ListPriceRates) -> Pricer:
    """The request's prices, read in the open `session` (batched, never cached)."""
    load = schedules_at(now, rates)
    in_session = _SessionAsDatabase(session)

    async def batch(keys: list[tuple[int, int]]) -> list[PriceSchedule]:
        return await load(in_session, keys)
    return pricer(DataLoader(batch, cache=False))


class _SessionAsDatabase:
    """Lets a batch function written for a Database (`db.session()`, `db.connection()`) run in an open session."""

    def __init__(self, session: Any) -> None:
        self._session = session

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Any]:
        yield self._session

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        yield await self._session.connection()
