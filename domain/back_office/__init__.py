"""The staff back office: its error codes and the rules for what staff enter (SKUs, prices,
currencies, countries, locales). The changes themselves: catalog.py (products and variants),
price_lists.py (contracted prices and quantity rules), accounts.py (accounts and locations),
tax_rates.py (the merchant's tax rates)."""
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from babel.numbers import get_currency_precision, list_currencies
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.addresses import is_country
from domain.errors import reject
from i18n import locales

SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
MAX_AMOUNT = Decimal("100000000000")  # the Amount column holds 18 digits, 4 after the point


class BackOfficeErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_SKU = "INVALID_SKU"
    SKU_TAKEN = "SKU_TAKEN"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    INVALID_PERCENT = "INVALID_PERCENT"
    INVALID_PRECISION = "INVALID_PRECISION"
    INVALID_DATES = "INVALID_DATES"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_RULE = "INVALID_RULE"
    DUPLICATE_ENTRY = "DUPLICATE_ENTRY"
    UNKNOWN_VARIANT = "UNKNOWN_VARIANT"
    LOCATION_NOT_IN_ACCOUNT = "LOCATION_NOT_IN_ACCOUNT"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_LOCALE = "INVALID_LOCALE"
    INVALID_TERMS = "INVALID_TERMS"
    INVALID_ADDRESSES = "INVALID_ADDRESSES"
    INVALID_REGION = "INVALID_REGION"
    REGION_REQUIRED = "REGION_REQUIRED"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    INVALID_BILLING_DETAILS = "INVALID_BILLING_DETAILS"


E = BackOfficeErrorCode


async def found(s: AsyncSession, model: Any, pk: int, what: str, *field: str) -> Any:
    """The row of `model` with this id, in the session to change; else NOT_FOUND at `field`."""
    row = await s.get(model, pk)
    if row is None:
        raise reject(E.NOT_FOUND, f"No {what} with that ID", *field)
    return row


def sku(value: str, *field: str) -> str:
    value = value.strip()
    if not SKU.match(value):
        raise reject(E.INVALID_SKU, "SKUs are 1 to 64 letters, digits, dots, dashes, slashes or underscores", *field)
    return value


def currency(code: str, *field: str) -> str:
    code = code.strip().upper()
    if len(code) != 3 or code not in list_currencies():
        raise reject(E.INVALID_CURRENCY, "Give an ISO 4217 currency code such as USD or EUR", *field)
    return code


def amount(value: Decimal, currency_code: str, *field: str, allow_zero: bool = True) -> Decimal:
    """A price in the currency: not negative, at most four decimal places (sub-cent unit prices are fine)."""
    try:
        ok = value.is_finite() and (value >= 0 if allow_zero else value > 0) and value < MAX_AMOUNT
        ok = ok and value == value.quantize(Decimal("0.0001"))
    except InvalidOperation:
        ok = False
    if not ok:
        raise reject(E.INVALID_AMOUNT, f"Give a {'non-negative' if allow_zero else 'positive'} amount with at most "
                                       f"four decimal places", *field)
    get_currency_precision(currency_code)
    return value.quantize(Decimal("0.0001"))  # as the database gives it back


def percent(value: Decimal, *field: str) -> Decimal:
    if not value.is_finite() or value < -100 or value > 1000 or value != value.quantize(Decimal("0.0001")):
        raise reject(E.INVALID_PERCENT, "An adjustment is between -100 and 1000 percent (-10: ten percent off)", *field)
    return value.quantize(Decimal("0.0001"))


def precision(value: int, *field: str) -> int:
    """Decimals of the prices a price list computes: 0 (whole units) to 4 (what an amount is stored with)."""
    if not 0 <= value <= 4:
        raise reject(E.INVALID_PRECISION, "A price precision is 0 to 4 decimal places (null: the currency's)", *field)
    return value


def country(code: str, *field: str) -> str:
    code = code.strip().upper()
    if not is_country(code):
        raise reject(E.INVALID_COUNTRY, "Give an ISO 3166 two-letter country code such as US or DE", *field)
    return code


def locale(code: str, *field: str) -> str:
    if locales.parse(code) is None:
        raise reject(E.INVALID_LOCALE, "Give a locale such as en, de or en-GB", *field)
    return code


def quantity_rule(minimum: int, maximum: int | None, increment: int, *field: str) -> None:
    if minimum < 1 or increment < 1 or (maximum is not None and maximum < minimum) or minimum > 1_000_000:
        raise reject(E.INVALID_RULE, "A rule needs minimum >= 1, increment >= 1 and maximum >= minimum", *field)
