"""Money: an exact Decimal amount and an ISO 4217 currency."""
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from babel.numbers import get_currency_precision


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency_code: str


def round_to_minor(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit; only where money is charged or printed."""
    return amount.quantize(Decimal(1).scaleb(-get_currency_precision(currency)), rounding=ROUND_HALF_EVEN)


def display_amount(amount: Decimal, currency: str) -> Decimal:
    """The exact amount with the currency's minor digits, and more only where they carry value:
    254.7200 USD shows as 254.72, a contracted unit price of 8.6425 stays 8.6425."""
    minor = Decimal(1).scaleb(-get_currency_precision(currency))
    rounded = amount.quantize(minor)
    return rounded if rounded == amount else amount.normalize()
