"""Money and dates as a reader of a locale writes them, for emails and documents.

Code that enqueues an email formats amounts and dates here and passes the strings as
template parameters: templates never format anything themselves."""
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from i18n.locales import normalize_locale


def format_money(amount: Decimal, currency: str, locale: str | None = "en", *, exact: bool = False) -> str:
    """format_money(Decimal('1234.5'), 'EUR', 'de') -> '1.234,50 €'. `exact` keeps digits past the
    currency's minor unit (a contracted unit price of 8.6425 prints as 8.6425, not 8.64)."""
    return format_currency(amount, currency, locale=normalize_locale(locale), decimal_quantization=not exact)


def format_date(value: date, locale: str | None = "en", fmt: str = "medium") -> str:
    return _format_date(value, format=fmt, locale=normalize_locale(locale))


def format_datetime(value: datetime, locale: str | None = "en", fmt: str = "medium", tz: str = "UTC") -> str:
    return _format_datetime(value, format=fmt, tzinfo=tz, locale=normalize_locale(locale))


def format_number(value: Decimal | int, locale: str | None = "en") -> str:
    """A quantity: format_number(Decimal('1234.5'), 'de') -> '1.234,5'."""
    return format_decimal(value, locale=normalize_locale(locale))


def format_rate(rate: Decimal, locale: str | None = "en") -> str:
    """A tax rate given as a fraction, up to two decimals: format_rate(Decimal('0.0725'), 'de') -> '7,25%'."""
    return format_percent(rate, "#,##0.##%", locale=normalize_locale(locale))
