"""Products and variants, priced for the location they are seen from."""
import strawberry
from strawberry.types import Info

from db import models
from db.repositories.catalog import ProductFilter as ProductFilterData
from domain.money import Money as MoneyData
from permissions.checks import guarded
from resolvers import catalog as resolve
from schema.relations import loads, relation
from schema.common import Connection, Money, Node, node_id, rows_of


@strawberry.type
class PriceBreak:
    min_quantity: int

    @strawberry.field
    def unit_price(self) -> Money:
        return MoneyData(self.unit_price, self.currency)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="How many of a variant may be ordered at once.")
class QuantityRule:
    minimum: int
    maximum: int | None
    increment: int


@strawberry.type
class ProductVariant(Node):
    id: strawberry.ID = node_id("ProductVariant")
    is_type_of = rows_of(models.ProductVariant)
    sku: str
    title: str
    is_active: bool

    @guarded("ProductVariant.listPrice", description="The merchant's list price.")
    def list_price(self) -> Money | None:
        return resolve.list_price(self)  # type: ignore[arg-type,return-value]

    @guarded("ProductVariant.price", description="The contracted unit price at the location the catalog is "
                                                 "seen from, for this quantity (price breaks applied).")
    @loads("pricing.schedule", resolve.schedule_key, then=resolve.price_from)
    async def price(self, info: Info, quantity: int = 1) -> Money | None:
        return await resolve.contracted_price(info.context, self, quantity)

    price_breaks = relation(list[PriceBreak] | None, "pricing.schedule", resolve.schedule_key, shape=resolve.price_breaks,
                            field=guarded("ProductVariant.price",
                                          description="Quantity price breaks of the contracted price."))
    quantity_rule = relation(QuantityRule, "pricing.schedule", resolve.schedule_key, shape=resolve.quantity_rule,
                             description="Minimum, maximum and increment at the location.")

    product = relation("Product", "catalog.product", "product_id")


@strawberry.type
class Product(Node):
    id: strawberry.ID = node_id("Product")
    is_type_of = rows_of(models.Product)
    title: str
    description: str | None
    vendor: str | None
    is_active: bool
    is_digital: bool

    variants = relation(list[ProductVariant], "catalog.variants", shape=resolve.located)


ProductConnection = Connection[Product]


@strawberry.input
class ProductFilter:
    search: str | None = strawberry.field(default=None, description="Part of a title or SKU.")
    sku: str | None = None

    def to_data(self) -> ProductFilterData:
        return ProductFilterData(search=self.search, sku=self.sku)
