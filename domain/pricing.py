"""Contracted prices: a location's price lists over its account's over the list price; and list
prices in a customer's currency.

A computed price (a percentage off the list price) is rounded when it is computed: to its currency's
minor unit, or to the price list's own precision. What a catalog, a cart or an order line shows as
the unit price is then exactly the price its line total is computed from (docs/ordering.md)."""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from enum import StrEnum

from domain.money import round_price, round_to_minor

FOUR_PLACES = Decimal("0.0001")


class PriceSource(StrEnum):
    LOCATION_PRICE_LIST = "LOCATION_PRICE_LIST"
    ACCOUNT_PRICE_LIST = "ACCOUNT_PRICE_LIST"
    LIST_PRICE = "LIST_PRICE"


@dataclass(frozen=True)
class QuantityRuleData:
    minimum: int = 1
    maximum: int | None = None
    increment: int = 1

    def violation(self, quantity: int) -> str | None:
        """Why `quantity` breaks the rule, or None."""
        if quantity < self.minimum:
            return f"The minimum quantity is {self.minimum}"
        if self.maximum is not None and quantity > self.maximum:
            return f"The maximum quantity is {self.maximum}"
        if (quantity - self.minimum) % self.increment:
            return f"Quantities go in steps of {self.increment} from {self.minimum}"
        return None


@dataclass(frozen=True)
class UnitPrice:
    amount: Decimal
    currency: str
    source: PriceSource
    includes_tax: bool = False  # from a tax-inclusive price list: the line's tax is extracted from it


@dataclass(frozen=True)
class PriceBreak:
    min_quantity: int
    unit_price: Decimal
    currency: str


@dataclass
class PriceLevel:
    """What the valid price lists of one level (location or account) say about one variant."""

    source: PriceSource
    currency: str | None = None  # of the fixed prices (the price lists' currency)
    breaks: dict[int, Decimal] = field(default_factory=dict)  # min quantity -> lowest fixed price
    adjustment_percent: Decimal | None = None  # the most favourable adjustment of the level
    precision: int | None = None  # decimals of a price it computes (its list's), else the minor unit's
    rule: QuantityRuleData | None = None
    includes_tax: bool = False  # the level's lists are tax-inclusive

    def add_fixed(self, min_quantity: int, price: Decimal) -> None:
        current = self.breaks.get(min_quantity)
        self.breaks[min_quantity] = price if current is None else min(current, price)

    def add_adjustment(self, percent: Decimal, precision: int | None = None) -> None:
        if self.adjustment_percent is None or percent < self.adjustment_percent:
            self.adjustment_percent = percent
            self.precision = precision


@dataclass
class PriceSchedule:
    """Levels in precedence order: location first, then account."""

    levels: list[PriceLevel] = field(default_factory=list)
    # How the list price is had in a price list's currency (ListPriceRates, below).
    rates: "ListPriceRates" = field(default_factory=lambda: ListPriceRates())

    def quantity_rule(self) -> QuantityRuleData | None:
        return next((lvl.rule for lvl in self.levels if lvl.rule is not None), None)

    def _deciding_level(self) -> PriceLevel | None:
        return next((lvl for lvl in self.levels if lvl.breaks or lvl.adjustment_percent is not None), None)

    def unit_price(self, list_price: Decimal, list_currency: str, quantity: int = 1) -> "UnitPrice":
        """Fixed prices are in their price list's currency; so is a percentage, taken of the list
        price in that currency (converted at the merchant's rate, as a catalog shows it) and rounded
        to the list's precision. With no rate to it, the list price stays in its own currency (an
        order in the price list's currency refuses it)."""
        level = self._deciding_level()
        if level is None:
            return UnitPrice(list_price, list_currency, PriceSource.LIST_PRICE)
        applicable = [q for q in level.breaks if q <= quantity]
        if applicable:
            return UnitPrice(level.breaks[max(applicable)], level.currency or list_currency, level.source,
                             level.includes_tax)
        currency = level.currency or list_currency
        base = list_price
        if currency != list_currency:
            converted = self.rates.list_price(list_price, list_currency, currency)
            if converted is None:
                return UnitPrice(list_price, list_currency, PriceSource.LIST_PRICE)
            base = converted[0]
        if level.adjustment_percent is not None:
            adjusted = base * (Decimal(100) + level.adjustment_percent) / Decimal(100)
            return UnitPrice(round_price(adjusted, currency, level.precision), currency, level.source,
                             level.includes_tax)
        # Fixed prices start above this quantity: the list price holds below the first break.
        return UnitPrice(base, currency, PriceSource.LIST_PRICE)

    def price_breaks(self, list_currency: str) -> list[PriceBreak]:
        level = self._deciding_level()
        if level is None or not level.breaks:
            return []
        return [PriceBreak(q, level.breaks[q], level.currency or list_currency) for q in sorted(level.breaks)]


@dataclass(frozen=True)
class ListPriceRates:
    """How the merchant converts its list prices for customers who buy in another currency
    (PORTALQL_LIST_PRICE_RATES, e.g. "USD:EUR=0.92"): units of the second currency per unit of the first."""

    rates: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> "ListPriceRates":
        """"USD:EUR=0.92,USD:GBP=0.79"; ValueError saying which part is wrong."""
        rates = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            pair, _, value = part.partition("=")
            source, _, target = pair.strip().upper().partition(":")
            try:
                rate = Decimal(value.strip())
            except InvalidOperation:
                rate = Decimal(0)
            if len(source) != 3 or len(target) != 3 or rate <= 0:
                raise ValueError(f"{part!r} is not FROM:TO=RATE (e.g. USD:EUR=0.92)")
            rates[(source, target)] = rate
        return cls(rates)

    def list_price(self, amount: Decimal, currency: str, shown_in: str) -> tuple[Decimal, str] | None:
        """The list price in the currency `shown_in`, rounded to its minor unit, or None when the
        merchant has no rate for it (a price in another currency beside the customer's would mislead)."""
        if currency == shown_in:
            return amount, currency
        rate = self.rates.get((currency, shown_in))
        return None if rate is None else (round_to_minor(amount * rate, shown_in), shown_in)


# Schedules from the price lists' rows (db/loaders/pricing.py price_rows): the request's loader
# (resolvers/pricing.py) and the billing worker's recurring orders make them the same way.

def schedule_from(rows: Any, rates: ListPriceRates) -> PriceSchedule:
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


def schedules_from(rows: Sequence[Any], rates: ListPriceRates) -> list[PriceSchedule]:
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


def pricer_of(schedules: Mapping[tuple[int, int], PriceSchedule]) -> Any:
    """A pricer (domain.ordering.Pricer) over schedules loaded beforehand, keyed (location id,
    variant id): the billing worker loads a recurring order's at once, in its transaction."""
    async def price(location_id: int, variant: Any, quantity: int) -> tuple[UnitPrice, QuantityRuleData]:
        schedule = schedules[(location_id, variant.id)]
        return (schedule.unit_price(variant.list_price, variant.currency, quantity),
                schedule.quantity_rule() or QuantityRuleData())
    return price
