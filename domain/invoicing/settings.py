"""The merchant's invoicing settings: when net-terms orders are invoiced, whether invoices start
as drafts, how invoice and credit note numbers look, how tax is worked out, and the invoice
emails' links and reminders."""
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.tax import TaxSettings


class InvoiceOn(StrEnum):
    """When a net-terms order gets its invoice: a merchant setting."""

    PLACEMENT = "PLACEMENT"
    FULFILMENT = "FULFILMENT"


class Series(StrEnum):
    """A gapless number series (a row of `document_sequence` per series and year)."""

    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"
    RECEIPT = "RECEIPT"


@dataclass(frozen=True)
class NumberFormat:
    """`INV-2026-000123`: prefix, the year of finalisation (when numbered per year, each year
    starting at 1), and the sequence zero-padded to `width` digits."""

    invoice_prefix: str = "INV"
    credit_note_prefix: str = "CN"
    per_year: bool = True
    width: int = 6
    receipt_prefix: str = "RCT"

    def prefix(self, series: Series) -> str:
        return {Series.INVOICE: self.invoice_prefix, Series.CREDIT_NOTE: self.credit_note_prefix,
                Series.RECEIPT: self.receipt_prefix}[series]

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
    tax: TaxSettings = field(default_factory=TaxSettings)
    # Invoice emails: the server's address as its users reach it (links to PDFs), and how many
    # days before the due date the reminder goes out.
    public_url: str = "http://localhost:8000"
    reminder_days: int = 3
    # Subscription dunning: a failed renewal charge is tried again this many days after the
    # failure (each counted from the renewal), then the subscription is cancelled (True) or left
    # PAST_DUE with its invoice open (False).
    dunning_retry_days: tuple[int, ...] = (1, 3, 5)
    dunning_cancel: bool = True
    # Where mail for the merchant's staff goes (a quote requested), in which language
    # (PORTALQL_STAFF_NOTIFY_EMAIL, PORTALQL_STAFF_NOTIFY_LOCALE); None: no such mail.
    staff_notify_email: str | None = None
    staff_notify_locale: str = "en"
    # PORTALQL_SECRET_KEY: seals license keys granted by orders and renewals (domain.licenses).
    secret_key: str = field(default="portalql-development-key-not-for-production-use", repr=False)
    # Days before a subscription's billing date that its payers are told of the renewal (0: not).
    renewal_notice_days: int = 7
