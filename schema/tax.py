"""Tax as the API shows it: each line's tax, an invoice's summary per rate, and the merchant's
rates that staff manage (taxRates, taxRateSet, taxRateDelete)."""
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from db.enums import TaxReason
from domain.money import Money as MoneyData
from resolvers import tax_rates as resolve
from resolvers.globalid import encode
from schema.common import Money
from schema.staff import BackOfficeError

TaxReasonEnum = strawberry.enum(TaxReason, name="TaxReason",
                                description="Why a line has no tax at its place's rate.")


@strawberry.type(description="The tax of one line: rate, amount rounded to the currency's minor unit, where it "
                             "is due, or why there is none.")
class LineTax:
    percent: Decimal
    amount: Money
    label: str | None
    jurisdiction: str | None = strawberry.field(description="ISO 3166 country, or country-subdivision (US-CA).")
    reason: TaxReasonEnum | None  # type: ignore[valid-type]
    included: bool = strawberry.field(description="The line's price already held the tax (a tax-inclusive "
                                                  "price list): it was extracted, not added.")


def percent(value: Decimal) -> Decimal:
    """A rate as people write it: 19, 7.25, 14.975 (not 19.0000, nor 1.9E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def line_tax(row: Any) -> LineTax:
    """The LineTax of an order or invoice line row (its tax_* columns)."""
    return LineTax(percent=percent(row.tax_percent),  # type: ignore[call-arg]
                   amount=MoneyData(row.tax_amount, row.currency),
                   label=row.tax_label, jurisdiction=row.tax_jurisdiction,
                   reason=TaxReason(row.tax_reason) if row.tax_reason else None, included=row.tax_included)


@strawberry.type(description="One row of an invoice's tax summary: the lines taxed alike, their net amount and "
                             "their tax (the sum of the lines' rounded tax).")
class TaxBreakdownEntry:
    percent: Decimal
    label: str | None
    jurisdiction: str | None
    reason: TaxReasonEnum | None  # type: ignore[valid-type]
    net: Money
    amount: Money


@strawberry.type(description="A rate the merchant collects in a country or one of its regions, from validFrom on.")
class TaxRate:
    country: str
    region: str | None = strawberry.field(description="ISO 3166-2 subdivision (CA for California); null: the "
                                                      "whole country, unless a region has its own rate.")
    label: str
    valid_from: datetime

    @strawberry.field(name="percent")
    def percent_(self) -> Decimal:
        return percent(self.percent)  # type: ignore[arg-type]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode("TaxRate", self.id))  # type: ignore[arg-type]


@strawberry.input(description="Set the rate of a place from validFrom (default now); the same place and start "
                               "changes that row.")
class TaxRateSetInput:
    country: str
    percent: Decimal
    label: str
    region: str | None = None
    valid_from: datetime | None = None


@strawberry.input
class TaxRateDeleteInput:
    id: strawberry.ID


@strawberry.type
class TaxRatePayload:
    tax_rate: TaxRate | None
    user_errors: list[BackOfficeError]


@strawberry.type
class TaxRateDeletePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[BackOfficeError]


@strawberry.type
class TaxQueries:
    @strawberry.field(description="The merchant's tax rates (staff only), by country, region and start.")
    async def tax_rates(self, info: Info) -> list[TaxRate]:
        return await resolve.tax_rates(info.context)  # type: ignore[return-value]


@strawberry.type
class TaxMutations:
    @strawberry.mutation(description="Set a tax rate of a country or region (STAFF_ADMIN).")
    async def tax_rate_set(self, info: Info, input: TaxRateSetInput) -> TaxRatePayload:
        return await resolve.tax_rate_set(info.context, input.country, input.region, input.percent,  # type: ignore[return-value]
                                          input.label, input.valid_from)

    @strawberry.mutation(description="Remove a tax rate (STAFF_ADMIN); orders already placed keep their tax.")
    async def tax_rate_delete(self, info: Info, input: TaxRateDeleteInput) -> TaxRateDeletePayload:
        return await resolve.tax_rate_delete(info.context, input.id)  # type: ignore[return-value]
