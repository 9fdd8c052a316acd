"""Tax identification numbers: the format and check digits of a country's VAT or business number.

python-stdnum knows each scheme's layout and checksum (EU VAT numbers of every member state,
GB VAT, US EIN, CA BN, AU ABN, ...); this module picks the scheme by the billing country and
gives back the number in one canonical form, so the same buyer is never stored two ways."""
import re

from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

# EU member states, by ISO 3166 code (VAT numbers of Greece start with EL, of Northern Ireland XI).
EU = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
                "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})
VAT_PREFIX = {"GR": "EL"}

# Countries outside the EU whose business number python-stdnum checks: (module, name shown).
SCHEMES = {"GB": ("vat", "VAT number"), "US": ("ein", "EIN"), "CA": ("bn", "business number"),
           "AU": ("abn", "ABN"), "CH": ("vat", "VAT number"), "NO": ("mva", "MVA number"),
           "JP": ("cn", "corporate number"), "NZ": ("ird", "IRD number"), "IN": ("gstin", "GSTIN"),
           "BR": ("cnpj", "CNPJ"), "MX": ("rfc", "RFC")}
# Any other country: letters, digits and the usual separators.
OTHER = re.compile(r"^[A-Z0-9][A-Z0-9 ./-]{2,48}$")


class InvalidTaxId(ValueError):
    """What is wrong with a tax ID, in words a buyer can act on."""


def normalize(country: str, tax_id: str) -> str:
    """The tax ID in its canonical form for `country` (EU VAT numbers with their country prefix,
    no spaces), or InvalidTaxId."""
    text = tax_id.strip().upper()
    if country in EU:
        prefix = VAT_PREFIX.get(country, country)
        compact = eu_vat.compact(text if text[:2].isalpha() else prefix + text)
        if compact[:2] != prefix:
            raise InvalidTaxId(f"A VAT number of {country} starts with {prefix}")
        try:
            return eu_vat.validate(compact)
        except ValidationError as e:
            raise InvalidTaxId(f"Not a valid VAT number of {country}: {_why(e)}") from None
    scheme = SCHEMES.get(country)
    if scheme is not None:
        module = get_cc_module(country.lower(), scheme[0])
        try:
            compact = module.validate(text)
        except ValidationError as e:
            raise InvalidTaxId(f"Not a valid {scheme[1]} of {country}: {_why(e)}") from None
        # An EIN is written 12-3456789; GB VAT numbers keep their prefix, as EU ones do.
        return module.format(compact) if country == "US" else ("GB" + compact if country == "GB" else compact)
    if not OTHER.match(text):
        raise InvalidTaxId("A tax ID has 3 to 50 letters, digits, spaces, dots, slashes or dashes")
    return text


def is_eu_vat(country: str | None, tax_id: str | None) -> bool:
    """A well-formed VAT number of an EU member state (what reverse charge needs)."""
    if not country or not tax_id or country not in EU:
        return False
    try:
        normalize(country, tax_id)
    except InvalidTaxId:
        return False
    return True


def _why(e: ValidationError) -> str:
    return {"InvalidChecksum": "its check digit is wrong", "InvalidLength": "it has the wrong length",
            "InvalidFormat": "it has the wrong format",
            "InvalidComponent": "a part of it is not valid"}.get(type(e).__name__, "it is not valid")
