"""The catalog as seen from a location: each product and variant carries that location,
so `price(quantity:)` is the location's contracted price."""
from typing import Any

from db.models import Location, Product, ProductVariant
from db.repositories.catalog import CatalogRepository, ProductFilter
from domain.money import Money
from domain.pricing import ListPriceRates, PriceBreak, PriceSchedule, QuantityRuleData
from permissions.policy import rule
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import bad_input, forbidden
from resolvers.within import Within


class InCatalog(Within):
    """A product or variant in a location's catalog, which shows list prices in the currency its
    account buys in."""
    __slots__ = ("shown_in", "rates")

    def __init__(self, row: Any, account_id: int, location_id: int, shown_in: str, rates: ListPriceRates) -> None:
        # One call per row of a page: Within's slots set here rather than through super().__init__.
        self.row = row
        self.account_id = account_id
        self.location_id = location_id
        self.shown_in = shown_in
        self.rates = rates


class _LocatedPages:
    def __init__(self, repo: CatalogRepository, location: Location, shown_in: str, rates: ListPriceRates) -> None:
        self.repo = repo
        self.location = location
        self.shown_in = shown_in
        self.rates = rates

    async def page(self, f: ProductFilter, **window: Any) -> Any:
        page = await self.repo.page(f, **window)
        account_id, location_id, shown_in, rates = self.location.account_id, self.location.id, self.shown_in, self.rates
        page.rows = [InCatalog(p, account_id, location_id, shown_in, rates) for p in page.rows]
        return page

    async def count(self, f: ProductFilter) -> int:
        return await self.repo.count(f)


async def catalog(ctx: Context, location: Location, filter_: ProductFilter, window: Window) -> Connection:
    if not ctx.caller.allows(rule("rows:Catalog"), location.account_id, location.id):
        raise forbidden("You have no role at this location")
    if filter_.search is not None and len(filter_.search) > 200:
        raise bad_input("search is limited to 200 characters")
    staff = ctx.caller.is_staff
    shown_in = await ctx.loaders.accounts.currency.load(location.account_id)
    rates = ctx.settings.list_price_rates
    return await paginate(ctx, lambda s: _LocatedPages(CatalogRepository(s, include_inactive=staff), location,
                                                       shown_in, rates), filter_, window)


def located(variants: list[Any], product: Product | Within) -> list[Any]:
    """A product's variants, seen from the location its product is seen from (if any)."""
    if isinstance(product, InCatalog):
        account_id, location_id, shown_in, rates = product.account_id, product.location_id, product.shown_in, product.rates
        return [InCatalog(v, account_id, location_id, shown_in, rates) for v in variants]
    if isinstance(product, Within):
        return [Within(v, product.account_id, product.location_id) for v in variants]
    return variants


def list_price(variant: ProductVariant | Within) -> Money | None:
    """The merchant's list price; in a catalog, in its account's currency (null when the merchant
    has set no rate to it)."""
    if type(variant) is not InCatalog or variant.currency == variant.shown_in:
        return Money(variant.list_price, variant.currency)
    shown = variant.rates.list_price(variant.list_price, variant.currency, variant.shown_in)
    return None if shown is None else Money(*shown)


def schedule_key(variant: ProductVariant | Within) -> tuple[int, int]:
    """The price_schedule loader's key: only a variant seen from a location (its catalog) has one."""
    if not isinstance(variant, Within):
        raise bad_input("Prices depend on the location: read the variant through a location's catalog")
    return (variant.location_id, variant.id)


async def contracted_price(ctx: Context, variant: ProductVariant | Within, quantity: int) -> Money:
    return price_from(await ctx.loaders.pricing.schedule.load(schedule_key(variant)), variant, quantity)


def price_from(schedule: PriceSchedule, variant: Within, quantity: int) -> Money:
    """The contracted unit price for this quantity (price breaks applied)."""
    if quantity < 1 or quantity > 1_000_000:
        raise bad_input("quantity must be between 1 and 1000000")
    price = schedule.unit_price(variant.list_price, variant.currency, quantity)
    return Money(price.amount, price.currency)


def price_breaks(schedule: PriceSchedule, variant: Within) -> list[PriceBreak]:
    return schedule.price_breaks(variant.currency)


def quantity_rule(schedule: PriceSchedule, variant: Within) -> QuantityRuleData:
    return schedule.quantity_rule() or QuantityRuleData()
