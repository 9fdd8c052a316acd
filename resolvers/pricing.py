"""Contracted prices as a request sees them: price schedules of (location, variant) pairs made
from the price lists, and the pricer that ordering's domain functions take.

Reads go one batch for all pairs asked at once. `pricer(loader)` prices through the request's
cached loader; `pricer_in(session, now)` reads in a mutation's own transaction instead: no second
connection while it holds row locks, and the prices it checks are those of its snapshot."""
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader

from db.engine import SessionAsDatabase
from db.loaders.pricing import price_rows
from domain.ordering import Pricer
from domain.pricing import ListPriceRates, PriceSchedule, QuantityRuleData, UnitPrice, schedules_from


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
    in_session = SessionAsDatabase(session)

    async def batch(keys: list[tuple[int, int]]) -> list[PriceSchedule]:
        return await load(in_session, keys)
    return pricer(DataLoader(batch, cache=False))
