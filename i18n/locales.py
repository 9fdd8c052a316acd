"""Locale negotiation with Babel: 'de-AT', 'de_DE' and 'de' all find German; unknown ones English."""
from babel import Locale, UnknownLocaleError

DEFAULT = "en"


def normalize_locale(value: str | None) -> str:
    """A Babel locale identifier ('de', 'de_AT'), or 'en' for anything unparseable."""
    if not value or len(value) > 16:
        return DEFAULT
    try:
        return str(Locale.parse(value.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        return DEFAULT


def parse(value: str) -> str | None:
    """The Babel identifier of a locale a person gives ('de-AT' -> 'de_AT'); None when it is none."""
    if not value or len(value) > 16:
        return None
    try:
        return str(Locale.parse(value.strip().replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        return None


def candidates(locale: str | None) -> list[str]:
    """Most specific first, then the language, then English: de_AT, de, en."""
    parsed = normalize_locale(locale)
    out = [parsed]
    language = parsed.split("_", 1)[0]
    if language not in out:
        out.append(language)
    if DEFAULT not in out:
        out.append(DEFAULT)
    return out
