"""The staff back office: catalog, price lists and quantity rules, accounts and locations.
Every mutation here is STAFF_ADMIN only; STAFF_SUPPORT reads but never writes."""
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from db import models
from domain.back_office import BackOfficeErrorCode
from domain.money import Money as MoneyData
from resolvers import staff_accounts, staff_catalog, staff_pricing
from resolvers.connections import Window
from schema.relations import relation
from schema.common import Connection, Money, Node, UserError, node_id, rows_of, user_errors

if TYPE_CHECKING:
    from schema.accounts import Account, AccountKindEnum, AddressKindEnum, Location
    from schema.catalog import Product, ProductVariant

BackOfficeErrorCodeEnum = strawberry.enum(BackOfficeErrorCode, name="BackOfficeErrorCode")
_AccountKind = Annotated["AccountKindEnum", strawberry.lazy("schema.accounts")]


def changes(obj: Any, **renames: str) -> dict[str, Any]:
    """The input's fields that were given (null included), keyed by model attribute."""
    out = {}
    for name, value in vars(obj).items():
        if value is strawberry.UNSET or name.startswith("_"):
            continue
        out[renames.get(name, name)] = value.value if hasattr(value, "value") and not isinstance(value, Decimal) else value
    return out


class _InCurrency:
    """A price list entry with its list's currency, which the row lacks."""

    __slots__ = ("row", "currency")

    def __init__(self, row: Any, currency: str) -> None:
        self.row, self.currency = row, currency

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


@strawberry.type
class BackOfficeError(UserError):
    is_type_of = user_errors()
    code: BackOfficeErrorCodeEnum  # type: ignore[valid-type]


# Price lists ------------------------------------------------------------------------------

@strawberry.type(description="A fixed unit price from a minimum quantity on (more rows are price breaks).")
class PriceListEntry:
    min_quantity: int

    @strawberry.field
    def price(self) -> Money:
        return MoneyData(self.price, self.currency)  # type: ignore[attr-defined,return-value]

    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")], "catalog.variant", "variant_id")


@strawberry.type(description="Minimum, maximum and increment for a variant under a price list.")
class PriceListQuantityRule:
    minimum: int
    maximum: int | None
    increment: int

    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")], "catalog.variant", "variant_id")


_PRECISION = ("Decimal places (0 to 4) a price computed from adjustmentPercent is rounded to, half up; "
              "null: the currency's minor unit (2 for USD, 0 for JPY, 3 for KWD).")


@strawberry.type(description="Prices contracted with an account, or with one of its locations.")
class PriceList(Node):
    id: strawberry.ID = node_id("PriceList")
    is_type_of = rows_of(models.PriceList)
    name: str
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    adjustment_percent: Decimal | None = strawberry.field(description="-10 is ten percent off the list price.")
    price_precision: int | None = strawberry.field(description=_PRECISION)
    prices_include_tax: bool = strawberry.field(description="Its prices are gross: tax is extracted from them.")
    valid_from: datetime | None
    valid_until: datetime | None
    created_at: datetime

    account = relation(Annotated["Account", strawberry.lazy("schema.accounts")], "accounts.account", "account_id")
    location = relation(
        Annotated["Location", strawberry.lazy("schema.accounts")] | None, "accounts.location", "location_id",
        description="Null: the list applies to every location of the account.")

    @strawberry.field
    async def entries(self, info: Info) -> list[PriceListEntry]:
        rows = await info.context.loaders.pricing.entries.load(self.id)
        return [_InCurrency(r, self.currency) for r in rows]  # type: ignore[attr-defined,misc]

    quantity_rules = relation("list[PriceListQuantityRule]", "pricing.rules")


PriceListConnection = Connection[PriceList]


@strawberry.input
class PriceListEntryInput:
    variant_id: strawberry.ID
    price: Decimal
    min_quantity: int = 1


@strawberry.input
class QuantityRuleInput:
    variant_id: strawberry.ID
    minimum: int = 1
    maximum: int | None = None
    increment: int = 1


@strawberry.input
class PriceListCreateInput:
    account_id: strawberry.ID
    name: str
    location_id: strawberry.ID | None = strawberry.field(default=None, description="Null: the whole account.")
    currency_code: str | None = strawberry.field(default=None, description="Default: the account's currency.")
    adjustment_percent: Decimal | None = None
    price_precision: int | None = strawberry.field(default=None, description=_PRECISION)
    prices_include_tax: bool = strawberry.field(default=False, description="Prices entered with tax included.")
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    entries: list[PriceListEntryInput] = strawberry.field(default_factory=list)
    quantity_rules: list[QuantityRuleInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Fields left out stay as they are; null clears a field that may be empty.")
class PriceListUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    location_id: strawberry.ID | None = strawberry.UNSET
    adjustment_percent: Decimal | None = strawberry.UNSET
    price_precision: int | None = strawberry.field(default=strawberry.UNSET, description=_PRECISION)
    prices_include_tax: bool | None = strawberry.UNSET
    valid_from: datetime | None = strawberry.UNSET
    valid_until: datetime | None = strawberry.UNSET
    entries: list[PriceListEntryInput] | None = strawberry.field(default=None,
                                                                 description="The whole new set of fixed prices.")
    quantity_rules: list[QuantityRuleInput] | None = strawberry.field(default=None,
                                                                      description="The whole new set of rules.")


@strawberry.input
class PriceListDeleteInput:
    id: strawberry.ID


@strawberry.type
class PriceListPayload:
    price_list: PriceList | None
    user_errors: list[BackOfficeError]


@strawberry.type
class PriceListDeletePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[BackOfficeError]


def _entries(items: list[PriceListEntryInput]) -> list[staff_pricing.EntryData]:
    return [staff_pricing.EntryData(e.variant_id, e.price, e.min_quantity) for e in items]


def _rules(items: list[QuantityRuleInput]) -> list[staff_pricing.RuleData]:
    return [staff_pricing.RuleData(r.variant_id, r.minimum, r.maximum, r.increment) for r in items]


# Catalog --------------------------------------------------------------------------------------

@strawberry.input
class ProductCreateInput:
    title: str
    description: str | None = None
    vendor: str | None = None
    is_digital: bool = False
    is_active: bool = True


@strawberry.input(description="Fields left out stay as they are. isActive false takes the product off sale.")
class ProductUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    vendor: str | None = strawberry.UNSET
    is_digital: bool | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET


@strawberry.input
class VariantCreateInput:
    product_id: strawberry.ID
    sku: str
    title: str
    list_price: Decimal
    currency_code: str
    position: int | None = None
    is_active: bool = True


@strawberry.input(description="Fields left out stay as they are. isActive false takes the variant off sale.")
class VariantUpdateInput:
    id: strawberry.ID
    sku: str | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    list_price: Decimal | None = strawberry.UNSET
    position: int | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET


@strawberry.type
class ProductPayload:
    product: Annotated["Product", strawberry.lazy("schema.catalog")] | None
    user_errors: list[BackOfficeError]


@strawberry.type
class VariantPayload:
    product: Annotated["Product", strawberry.lazy("schema.catalog")] | None
    variant: Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None
    user_errors: list[BackOfficeError]


# Accounts and locations ---------------------------------------------------------------------

@strawberry.input
class BillingDetailsInput:
    country: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    postal_code: str | None = strawberry.UNSET
    business_name: str | None = strawberry.UNSET
    tax_id: str | None = strawberry.UNSET
    is_business: bool | None = strawberry.UNSET
    tax_exempt: bool | None = strawberry.field(default=strawberry.UNSET,
                                               description="Set from the buyer's exemption certificate.")
    exemption_reference: str | None = strawberry.field(default=strawberry.UNSET,
                                                       description="The certificate's number, printed on invoices.")


@strawberry.input
class AccountCreateInput:
    name: str
    kind: _AccountKind  # type: ignore[valid-type]
    currency_code: str
    locale: str = "en"
    payment_terms_days: int = 0
    credit_limit: Decimal | None = None
    requires_approval: bool = False
    card_required: bool = strawberry.field(default=False, description="Orders are paid by card when placed, "
                                           "whatever the payment terms.")
    billing: BillingDetailsInput | None = None


@strawberry.input(description="Fields left out stay as they are; null clears the credit limit.")
class AccountUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    kind: _AccountKind | None = strawberry.UNSET  # type: ignore[valid-type]
    locale: str | None = strawberry.UNSET
    payment_terms_days: int | None = strawberry.UNSET
    credit_limit: Decimal | None = strawberry.UNSET
    requires_approval: bool | None = strawberry.UNSET
    card_required: bool | None = strawberry.UNSET
    billing: BillingDetailsInput | None = strawberry.UNSET


@strawberry.input
class AddressInput:
    kind: Annotated["AddressKindEnum", strawberry.lazy("schema.accounts")]  # type: ignore[valid-type]
    line1: str
    city: str
    country: str = strawberry.field(description="ISO 3166 two-letter code.")
    is_default: bool = False
    recipient: str | None = None
    line2: str | None = None
    region: str | None = None
    postal_code: str | None = None


@strawberry.input
class LocationCreateInput:
    account_id: strawberry.ID
    name: str
    addresses: list[AddressInput] = strawberry.field(default_factory=list)


@strawberry.input
class LocationUpdateInput:
    id: strawberry.ID
    name: str | None = None
    addresses: list[AddressInput] | None = strawberry.field(default=None,
                                                           description="The whole new set of addresses.")
    tax_exempt: bool | None = strawberry.field(default=None, description="What is sold to this location is "
                                               "tax exempt (an exemption certificate of its own).")
    exemption_reference: str | None = strawberry.field(default=None, description="The certificate's number, "
                                                       "printed on invoices; required when taxExempt.")


@strawberry.type
class AccountPayload:
    account: Annotated["Account", strawberry.lazy("schema.accounts")] | None
    user_errors: list[BackOfficeError]


@strawberry.type
class LocationPayload:
    location: Annotated["Location", strawberry.lazy("schema.accounts")] | None
    account: Annotated["Account", strawberry.lazy("schema.accounts")] | None
    user_errors: list[BackOfficeError]


def _account_changes(input: Any) -> dict[str, Any]:
    found = changes(input, currency_code="currency")
    if found.get("billing") is not None:
        found["billing"] = changes(found["billing"])
    return found


def _address_rows(items: list[AddressInput]) -> list[dict[str, Any]]:
    return [changes(a) for a in items]


@strawberry.type
class StaffQueries:
    @strawberry.field(description="Price lists (staff only), by name; of one account when accountId is given.")
    async def price_lists(self, info: Info, account_id: strawberry.ID | None = None, first: int | None = None,
                          after: str | None = None, last: int | None = None,
                          before: str | None = None) -> PriceListConnection:  # type: ignore[valid-type]
        return await staff_pricing.price_lists(info.context, account_id, Window(first, after, last, before))  # type: ignore[return-value]


@strawberry.type
class StaffMutations:
    @strawberry.mutation(description="Add a product (STAFF_ADMIN).")
    async def product_create(self, info: Info, input: ProductCreateInput) -> ProductPayload:
        return await staff_catalog.product_create(info.context, changes(input))  # type: ignore[return-value]

    @strawberry.mutation(description="Change a product, or take it off sale with isActive false (STAFF_ADMIN).")
    async def product_update(self, info: Info, input: ProductUpdateInput) -> ProductPayload:
        found = changes(input)
        return await staff_catalog.product_update(info.context, found.pop("id"), found)  # type: ignore[return-value]

    @strawberry.mutation(description="Add a variant to a product (STAFF_ADMIN).")
    async def variant_create(self, info: Info, input: VariantCreateInput) -> VariantPayload:
        found = changes(input, currency_code="currency")
        if found.get("position") is None:
            found.pop("position", None)
        return await staff_catalog.variant_create(info.context, found.pop("product_id"), found)  # type: ignore[return-value]

    @strawberry.mutation(description="Change a variant, or take it off sale with isActive false (STAFF_ADMIN).")
    async def variant_update(self, info: Info, input: VariantUpdateInput) -> VariantPayload:
        found = changes(input)
        return await staff_catalog.variant_update(info.context, found.pop("id"), found)  # type: ignore[return-value]

    @strawberry.mutation(description="Contract prices with an account or one of its locations (STAFF_ADMIN).")
    async def price_list_create(self, info: Info, input: PriceListCreateInput) -> PriceListPayload:
        found = changes(input, currency_code="currency")
        entries, rules = found.pop("entries"), found.pop("quantity_rules")
        return await staff_pricing.price_list_create(info.context, found.pop("account_id"), found,  # type: ignore[return-value]
                                                     _entries(entries), _rules(rules))

    @strawberry.mutation(description="Change a price list; entries and quantityRules replace the old ones when "
                                     "given (STAFF_ADMIN).")
    async def price_list_update(self, info: Info, input: PriceListUpdateInput) -> PriceListPayload:
        found = changes(input)
        entries, rules = found.pop("entries", None), found.pop("quantity_rules", None)
        return await staff_pricing.price_list_update(  # type: ignore[return-value]
            info.context, found.pop("id"), found, None if entries is None else _entries(entries),
            None if rules is None else _rules(rules))

    @strawberry.mutation(description="Remove a price list with its entries and rules (STAFF_ADMIN).")
    async def price_list_delete(self, info: Info, input: PriceListDeleteInput) -> PriceListDeletePayload:
        return await staff_pricing.price_list_delete(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Add a customer account (STAFF_ADMIN).")
    async def account_create(self, info: Info, input: AccountCreateInput) -> AccountPayload:
        return await staff_accounts.account_create(info.context, _account_changes(input))  # type: ignore[return-value]

    @strawberry.mutation(description="Change an account's terms and billing details (STAFF_ADMIN).")
    async def account_update(self, info: Info, input: AccountUpdateInput) -> AccountPayload:
        found = _account_changes(input)
        return await staff_accounts.account_update(info.context, found.pop("id"), found)  # type: ignore[return-value]

    @strawberry.mutation(description="Add a location with its addresses to an account (STAFF_ADMIN).")
    async def location_create(self, info: Info, input: LocationCreateInput) -> LocationPayload:
        return await staff_accounts.location_create(info.context, input.account_id, input.name,  # type: ignore[return-value]
                                                    _address_rows(input.addresses))

    @strawberry.mutation(description="Rename a location or replace its addresses (STAFF_ADMIN).")
    async def location_update(self, info: Info, input: LocationUpdateInput) -> LocationPayload:
        return await staff_accounts.location_update(  # type: ignore[return-value]
            info.context, input.id, input.name, None if input.addresses is None else _address_rows(input.addresses),
            None if input.tax_exempt is None else (input.tax_exempt, input.exemption_reference))
