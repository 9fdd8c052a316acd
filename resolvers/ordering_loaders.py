"""Per-request loaders of the ordering side, reached as ctx.loaders.ordering."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from typing import Any

from aiodataloader import DataLoader

from db import loaders as batch_base
from db import loaders_ordering as batch
from domain.ordering import Pricer
from domain.pricing import QuantityRuleData, UnitPrice
from resolvers.loaders import schedules_from


class OrderingLoaders:
    def __init__(self, loaders: Any) -> None:
        self.base = loaders

    def _make(self, fn: Any) -> DataLoader:
        return self.base._make(fn)

    @cached_property
    def cart(self) -> DataLoader:
        return self._make(batch.cart_by_id)

    @cached_property
    def cart_lines(self) -> DataLoader:
        return self._make(batch.lines_by_cart)

    @cached_property
    def address(self) -> DataLoader:
        return self._make(batch.address_by_id)

    @cached_property
    def approvals(self) -> DataLoader:
        return self._make(batch.approvals_by_order_id)

    @cached_property
    def approval_request(self) -> DataLoader:
        return self._make(batch.approval_request_by_order_id)

    @cached_property
    def quote(self) -> DataLoader:
        return self._make(batch.quote_by_id)

    @cached_property
    def quote_lines(self) -> DataLoader:
        return self._make(batch.lines_by_quote_id)

    @property
    def pricer(self) -> Pricer:
        """Contracted prices through the request's price_schedule loader (batched, one instant)."""
        return _pricer(self.base.price_schedule)

    def pricer_in(self, session: Any) -> Pricer:
        """The same prices, read in a mutation's own transaction: no second connection while it holds
        row locks, and the prices it checks are those of its snapshot. Batched like the loader."""
        rows = batch_base.price_rows(self.base.now)
        in_session = _SessionAsDatabase(session)

        async def load(keys: Any) -> list[Any]:
            return schedules_from(await rows(in_session, keys))  # type: ignore[arg-type]
        return _pricer(DataLoader(load, cache=False))


def _pricer(schedules: DataLoader) -> Pricer:
    async def price(location_id: int, variant: Any, quantity: int) -> tuple[UnitPrice, QuantityRuleData]:
        schedule = await schedules.load((location_id, variant.id))
        return (schedule.unit_price(variant.list_price, variant.currency, quantity),
                schedule.quantity_rule() or QuantityRuleData())
    return price


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
