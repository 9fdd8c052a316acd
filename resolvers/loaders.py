"""The dataloaders of one request, created lazily: a request pays only for those it uses."""
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from aiodataloader import DataLoader

from db import loaders as batch
from db.engine import Database
from domain.pricing import PriceLevel, PriceSchedule, PriceSource, QuantityRuleData
from permissions.caller import Caller
from permissions.policy import rule
from resolvers.loaders_aftersales import AfterSalesLoaders


def _loader(db: Database, fn: Callable[[Database, Sequence[Any]], Any]) -> DataLoader:
    async def load(keys: Sequence[Any]) -> Any:
        return await fn(db, keys)
    return DataLoader(load)


def schedule_from(rows: batch.PriceRows) -> PriceSchedule:
    levels = []
    for source, lists in ((PriceSource.LOCATION_PRICE_LIST, rows.location_lists),
                          (PriceSource.ACCOUNT_PRICE_LIST, rows.account_lists)):
        ids = {pl.id for pl in lists}
        level = PriceLevel(source, currency=lists[0].currency if lists else None)
        for pl in lists:
            if pl.adjustment_percent is not None:
                level.add_adjustment(pl.adjustment_percent)
        for e in rows.entries:
            if e.price_list_id in ids:
                level.add_fixed(e.min_quantity, e.price)
        for r in rows.rules:
            if r.price_list_id in ids and level.rule is None:
                level.rule = QuantityRuleData(r.minimum, r.maximum, r.increment)
        levels.append(level)
    return PriceSchedule(levels)


def schedules_from(rows: Sequence[batch.PriceRows]) -> list[PriceSchedule]:
    """A variant no price list names has its location's schedule: made once per location (price_rows
    shares a location's lists between its rows; the schedule is only read)."""
    by_lists: dict[tuple[int, int], PriceSchedule] = {}
    out = []
    for r in rows:
        if r.entries or r.rules:
            out.append(schedule_from(r))
            continue
        key = (id(r.location_lists), id(r.account_lists))
        found = by_lists.get(key)
        if found is None:
            found = by_lists[key] = schedule_from(r)
        out.append(found)
    return out


class Loaders(AfterSalesLoaders):
    def __init__(self, db: Database, caller: Caller, now: datetime) -> None:
        self.db = db
        self.caller = caller
        self.now = now

    def _make(self, fn: Callable[[Database, Sequence[Any]], Any]) -> DataLoader:
        return _loader(self.db, fn)

    @cached_property
    def account(self) -> DataLoader:
        return self._make(batch.account_by_id)

    @cached_property
    def location(self) -> DataLoader:
        return self._make(batch.location_by_id)

    @cached_property
    def user(self) -> DataLoader:
        return self._make(batch.user_by_id)

    @cached_property
    def product(self) -> DataLoader:
        return self._make(batch.product_by_id)

    @cached_property
    def variant(self) -> DataLoader:
        return self._make(batch.variant_by_id)

    @cached_property
    def order(self) -> DataLoader:
        return self._make(batch.order_by_id)

    @cached_property
    def order_lines(self) -> DataLoader:
        return self._make(batch.lines_by_order)

    @cached_property
    def fulfilments(self) -> DataLoader:
        return self._make(batch.fulfilments_by_order)

    @cached_property
    def fulfilment_lines(self) -> DataLoader:
        return self._make(batch.fulfilment_lines_by_fulfilment)

    @cached_property
    def order_invoices(self) -> DataLoader:
        return self._make(batch.invoices_by_order)

    @cached_property
    def invoice_lines(self) -> DataLoader:
        return self._make(batch.invoice_lines_by_invoice)

    @cached_property
    def payments(self) -> DataLoader:
        return self._make(batch.payments_by_invoice)

    @cached_property
    def subscription_items(self) -> DataLoader:
        return self._make(batch.items_by_subscription)

    @cached_property
    def variants_of_product(self) -> DataLoader:
        fn = batch.variants_by_product if self.caller.is_staff else batch.active_variants_by_product
        return self._make(fn)

    @cached_property
    def addresses(self) -> DataLoader:
        return self._make(batch.addresses_by_location_id)

    @cached_property
    def membership_roles(self) -> DataLoader:
        return self._make(batch.roles_by_membership_id)

    @cached_property
    def balance(self) -> DataLoader:
        return self._make(batch.balance_by_account)

    @cached_property
    def locations_of_account(self) -> DataLoader:
        return self._make(batch.locations_by_account(self.caller.scope(rule("rows:Location"))))

    @cached_property
    def members_of_account(self) -> DataLoader:
        return self._make(batch.memberships_by_account(self.caller.scope(rule("rows:Membership"))))

    @cached_property
    def price_schedule(self) -> DataLoader:
        rows = batch.price_rows(self.now)

        async def load(db: Database, keys: Sequence[tuple[int, int]]) -> list[PriceSchedule]:
            return schedules_from(await rows(db, keys))
        return self._make(load)

    @cached_property
    def ordering(self) -> Any:
        """Loaders of carts, approvals and quotes (resolvers/ordering_loaders.py)."""
        from resolvers.ordering_loaders import OrderingLoaders  # noqa: PLC0415 - it imports this module's users
        return OrderingLoaders(self)
