"""Tax on order and invoice lines.

A `TaxCalculator` turns a sale (the buyer, where it goes, the lines' amounts) into one `LineTax`
per line; the built-in one reads the merchant's rates (table `tax_rate`) and is the default, and
an external engine (Avalara, Stripe Tax) plugs in as an adapter in `integrations/` implementing
the same Protocol. Tax is computed and rounded per line to the currency's minor unit; an order's
and an invoice's subtotal, tax and total are the sums of their lines, so they can be checked by
hand from what is printed."""
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from db.enums import TaxReason
from db.repositories import tax as repo
from domain.billing_details import BillingDetails
from domain.money import round_to_minor
from domain.tax_ids import EU, is_eu_vat

FOUR_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)
# What the invoice says when the buyer accounts for the VAT (Article 196 of the VAT Directive).
REVERSE_CHARGE_NOTE = "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)"


@dataclass(frozen=True)
class TaxableLine:
    """A line's amount as priced (unit price × quantity, rounded), and whether that price already
    holds the tax (a tax-inclusive price list)."""

    amount: Decimal
    includes_tax: bool = False


@dataclass(frozen=True)
class Sale:
    """What a calculator needs: the seller's country, the buyer's billing details, where the goods
    go (the shipping address, else the billing address), the currency, when, and the lines."""

    merchant_country: str | None
    buyer: BillingDetails
    country: str | None
    region: str | None
    currency: str
    at: datetime
    lines: Sequence[TaxableLine]


@dataclass(frozen=True)
class LineTax:
    """The tax of one line: its rate, its amount (rounded to the minor unit), where it is due, or why
    there is none. `net` + `amount` is the line's gross; `included`: the price was the gross."""

    percent: Decimal
    amount: Decimal
    net: Decimal
    label: str | None = None
    jurisdiction: str | None = None
    reason: TaxReason | None = None
    included: bool = False

    @property
    def gross(self) -> Decimal:
        return self.net + self.amount


class TaxCalculator(Protocol):
    async def calculate(self, session: Any, sale: Sale) -> list[LineTax]:
        """One LineTax per line of `sale`, in order. `session`: the transaction the sale is written
        in (the built-in calculator reads its rates there; an external engine ignores it)."""
        ...


@dataclass(frozen=True)
class Rate:
    country: str
    region: str | None
    percent: Decimal
    label: str
    valid_from: datetime


def line_tax(line: TaxableLine, percent: Decimal, currency: str, **about: Any) -> LineTax:
    """Tax at `percent` on one line, rounded to the currency's minor unit: added to a net price, or
    extracted from a gross one (gross × p / (100 + p))."""
    if line.includes_tax:
        amount = _stored(line.amount * percent / (HUNDRED + percent), currency)
        return LineTax(percent, amount, line.amount - amount, included=True, **about)
    return LineTax(percent, _stored(line.amount * percent / HUNDRED, currency), line.amount, **about)


def untaxed(line: TaxableLine, reason: TaxReason, **about: Any) -> LineTax:
    """No tax: the line's price is what is charged, whether it was entered gross or net."""
    return LineTax(Decimal(0), Decimal("0.0000"), line.amount, reason=reason, included=line.includes_tax, **about)


def rate_for(rates: Sequence[Rate], country: str | None, region: str | None, at: datetime) -> Rate | None:
    """The rate in force at `at`: the region's own if it has one, else the country's."""
    def latest(matching: list[Rate]) -> Rate | None:
        valid = [r for r in matching if r.valid_from <= at]
        return max(valid, key=lambda r: r.valid_from) if valid else None
    in_country = [r for r in rates if r.country == country]
    regional = latest([r for r in in_country if region is not None and r.region == region])
    return regional or latest([r for r in in_country if r.region is None])


def is_reverse_charge(sale: Sale) -> bool:
    """An EU business buyer with a well-formed VAT number of another member state than the seller's."""
    buyer = sale.buyer
    return (sale.merchant_country in EU and buyer.country in EU and buyer.country != sale.merchant_country
            and buyer.is_business and is_eu_vat(buyer.country, buyer.tax_id))


def taxes(sale: Sale, rates: Sequence[Rate]) -> list[LineTax]:
    """The built-in rules over the merchant's rates: exempt buyers pay none, reverse charge is at
    zero, and otherwise the destination's rate applies (none where the merchant collects none)."""
    jurisdiction = sale.country if not sale.region else f"{sale.country}-{sale.region}"
    if sale.buyer.tax_exempt:
        return [untaxed(line, TaxReason.EXEMPT, label="Tax exempt", jurisdiction=jurisdiction) for line in sale.lines]
    if is_reverse_charge(sale):
        return [untaxed(line, TaxReason.REVERSE_CHARGE, label="Reverse charge", jurisdiction=sale.buyer.country)
                for line in sale.lines]
    rate = rate_for(rates, sale.country, sale.region, sale.at)
    if rate is None:
        return [untaxed(line, TaxReason.NOT_COLLECTED, jurisdiction=jurisdiction) for line in sale.lines]
    where = rate.country if rate.region is None else f"{rate.country}-{rate.region}"
    return [line_tax(line, rate.percent, sale.currency, label=rate.label, jurisdiction=where) for line in sale.lines]


@dataclass(frozen=True)
class BuiltInTaxCalculator:
    """The merchant's own rates per country and region (managed with taxRateSet / taxRateDelete)."""

    async def calculate(self, session: Any, sale: Sale) -> list[LineTax]:
        if sale.buyer.tax_exempt or sale.country is None:
            return taxes(sale, [])
        rows = await repo.rates_of(session, sale.country)
        return taxes(sale, [Rate(r.country, r.region, r.percent, r.label, r.valid_from) for r in rows])


@dataclass(frozen=True)
class TaxSettings:
    """The merchant's country (PORTALQL_SELLER_COUNTRY: reverse charge needs it) and its calculator."""

    merchant_country: str | None = None
    calculator: TaxCalculator = field(default_factory=BuiltInTaxCalculator)


def retaxed(amount: Decimal, percent: Decimal, included: bool, reason: str | None, currency: str) -> tuple[Decimal, Decimal]:
    """(tax, net) of a line whose quantity changed, at the rate it was sold at."""
    line = TaxableLine(amount, included)
    if reason is not None:
        return Decimal("0.0000"), amount
    found = line_tax(line, percent, currency)
    return found.amount, found.net


@dataclass(frozen=True)
class TaxTotals:
    subtotal: Decimal  # the lines' net amounts
    tax: Decimal
    total: Decimal


def totals(found: Sequence[LineTax]) -> TaxTotals:
    """An order's or invoice's totals: the sums of its lines, as printed."""
    subtotal = sum((t.net for t in found), Decimal("0.0000"))
    tax = sum((t.amount for t in found), Decimal("0.0000"))
    return TaxTotals(subtotal, tax, subtotal + tax)


def line_totals(lines: Sequence[Any]) -> TaxTotals:
    """The same sums over stored lines (order or invoice line rows, with their tax_* columns)."""
    return totals([LineTax(line.tax_percent, line.tax_amount, _net(line), included=line.tax_included)
                   for line in lines])


@dataclass(frozen=True)
class TaxGroup:
    """One row of an invoice's tax summary: the lines taxed alike, their net sum and their tax."""

    percent: Decimal
    label: str | None
    jurisdiction: str | None
    reason: str | None
    net: Decimal
    amount: Decimal


def breakdown(lines: Sequence[Any]) -> list[TaxGroup]:
    """The tax summary of invoice or order lines (rows with tax_* columns), one group per rate and
    place, in the order they first appear; each group's tax is the sum of its lines' tax."""
    groups: dict[tuple, list[Decimal]] = {}
    for line in lines:
        key = (line.tax_percent, line.tax_label, line.tax_jurisdiction, line.tax_reason)
        net = _net(line)
        sums = groups.setdefault(key, [Decimal(0), Decimal(0)])
        sums[0] += net
        sums[1] += line.tax_amount
    return [TaxGroup(k[0], k[1], k[2], k[3], v[0], v[1]) for k, v in groups.items()]


def note(lines: Sequence[Any]) -> str | None:
    """What an invoice must say about its tax (of order lines): reverse charge, when a line is."""
    return REVERSE_CHARGE_NOTE if any(line.tax_reason == TaxReason.REVERSE_CHARGE for line in lines) else None


def _net(line: Any) -> Decimal:
    """A stored line's net amount: its price total (`amount` of an invoice line, `total` of an order
    line), less the tax it held."""
    priced = line.amount if hasattr(line, "amount") else line.total
    return priced - (line.tax_amount if line.tax_included else Decimal(0))


def _stored(amount: Decimal, currency: str) -> Decimal:
    return round_to_minor(amount, currency).quantize(FOUR_PLACES)
