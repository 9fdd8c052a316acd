"""The merchant's invoicing settings: when net-terms orders are invoiced, whether invoices start
as drafts, and how invoice and credit note numbers look."""
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class InvoiceOn(StrEnum):
    """When a net-terms order gets its invoice: a merchant setting."""

    PLACEMENT = "PLACEMENT"
    FULFILMENT = "FULFILMENT"


class Series(StrEnum):
    """A gapless number series (a row of `document_sequence` per series and year)."""

    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"


@dataclass(frozen=True)
class NumberFormat:
    """`INV-2026-000123`: prefix, the year of finalisation (when numbered per year, each year
    starting at 1), and the sequence zero-padded to `width` digits."""

    invoice_prefix: str = "INV"
    credit_note_prefix: str = "CN"
    per_year: bool = True
    width: int = 6

    def prefix(self, series: Series) -> str:
        return self.invoice_prefix if series is Series.INVOICE else self.credit_note_prefix

    def year(self, now: datetime) -> int:
        """The sequence's year key; 0 for one series over all years."""
        return now.year if self.per_year else 0

    def render(self, series: Series, year: int, value: int) -> str:
        parts = [self.prefix(series)] + ([str(year)] if year else []) + [str(value).zfill(self.width)]
        return "-".join(parts)


@dataclass(frozen=True)
class MerchantSettings:
    invoice_on: InvoiceOn = InvoiceOn.PLACEMENT
    # True: an order's invoice is written as a DRAFT (no number) that staff finalise; False: it is
    # finalised when written, as before drafts existed.
    invoice_drafts: bool = False
    numbering: NumberFormat = field(default_factory=NumberFormat)
