"""The carriers we know, and how to link to their tracking pages.

A fulfilment names its carrier by code; the tracking URL is made from the carrier's template,
so staff never type URLs and customers never get a link to somewhere unexpected."""
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    # "{}" is replaced by the URL-quoted tracking number; None: no public tracking page.
    url_template: str | None


CARRIERS: dict[str, Carrier] = {c.code: c for c in [
    Carrier("UPS", "UPS", "https://www.ups.com/track?tracknum={}"),
    Carrier("FEDEX", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={}"),
    Carrier("DHL", "DHL", "https://www.dhl.com/en/express/tracking.html?AWB={}"),
    Carrier("USPS", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={}"),
    Carrier("DPD", "DPD", "https://tracking.dpd.de/parcelstatus?query={}"),
    Carrier("GLS", "GLS", "https://gls-group.com/track/{}"),
    Carrier("DHL_PAKET", "DHL Paket", "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={}"),
    Carrier("ROYAL_MAIL", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{}"),
    Carrier("CANADA_POST", "Canada Post", "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{}"),
    Carrier("OTHER", "Other carrier", None),
]}


def carrier(code_or_name: str | None) -> Carrier | None:
    """By code ("FEDEX") or by stored display name ("FedEx"), ignoring case."""
    if not code_or_name:
        return None
    wanted = code_or_name.strip().upper()
    found = CARRIERS.get(wanted.replace(" ", "_"))
    if found:
        return found
    return next((c for c in CARRIERS.values() if c.name.upper() == wanted), None)


def tracking_url(c: Carrier, tracking_number: str | None) -> str | None:
    if c.url_template is None or not tracking_number:
        return None
    return c.url_template.format(quote(tracking_number.strip(), safe=""))


def valid_tracking_number(number: str) -> bool:
    """Letters, digits, spaces and dashes, 4 to 60 of them: what carriers print on labels."""
    n = number.strip()
    return 4 <= len(n) <= 60 and all(ch.isascii() and (ch.isalnum() or ch in " -") for ch in n)
