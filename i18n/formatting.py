"""Money and dates as a reader of a locale writes them, for emails and documents.

Code that enqueues an email formats amounts and dates here and passes the strings as
template parameters: templates never format anything themselves."""
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency

from i18n.locales import normalize_locale


def format_money(amount: Decimal, currency: str, locale: str | None = "en") -> str:
    """format_money(Decimal('1234.5'), 'EUR', 'de') -> '1.234,50 €'."""
    return format_currency(amount, currency, locale=normalize_locale(locale))


def format_date(value: date, locale: str | None = "en", fmt: str = "medium") -> str:
    return _format_date(value, format=fmt, locale=normalize_locale(locale))


def format_datetime(value: datetime, locale: str | None = "en", fmt: str = "medium", tz: str = "UTC") -> str:
    return _format_datetime(value, format=fmt, tzinfo=tz, locale=normalize_locale(locale))
