"""Money: an exact Decimal amount and an ISO 4217 currency."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import get_currency_precision


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency_code: str


@cache
def minor_unit(currency: str) -> Decimal:
    """0.01 for USD, 1 for JPY: babel looks it up in its locale data, slowly, so once per currency."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def round_to_minor(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half up (as on an invoice checked by hand: 2.345 is
    2.35); only where money is charged or printed."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def round_price(amount: Decimal, currency: str, places: int | None = None) -> Decimal:
    """A computed unit price (a percentage off a list price), half up: to the currency's minor unit,
    or to `places` decimals when the merchant set a price precision (0 to 4: the Amount column's)."""
    if places is None:
        return round_to_minor(amount, currency)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def display_amount(amount: Decimal, currency: str) -> Decimal:
    """The exact amount with the currency's minor digits, and more only where they carry value:
    254.7200 USD shows as 254.72, a contracted unit price of 8.6425 stays 8.6425."""
    rounded = amount.quantize(minor_unit(currency))
    return rounded if rounded == amount else amount.normalize()
