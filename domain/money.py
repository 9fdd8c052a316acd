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
