"""What every resolver of a request sees: the caller, the database, loaders and the clock."""
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from db.engine import Database
from db.scope import RowScope
from domain.audit import Actor
from domain.bank_transfer import BankAccount
from domain.clock import Clock
from domain.invoicing import InvoiceOn, MerchantSettings, NumberFormat
from domain.pricing import ListPriceRates
from domain.subscriptions.portal import PRESETS, PortalConfig, Preset
from domain.tax import TaxSettings
from domain.webhooks.settings import WebhookSettings
from permissions.caller import Caller
from permissions.policy import rule
from resolvers.loaders import Loaders


@dataclass
class Settings:
    session_idle_minutes: int = 30
    session_lifetime_hours: int = 12
    # Identity: where emailed links point, the JWT signing key and issuer (see server/settings.py).
    frontend_url: str = "http://localhost:3000"
    secret_key: str = "portalql-development-key-not-for-production-use"
    issuer: str = "portalql"
    # When net-terms orders are invoiced: PLACEMENT or FULFILMENT (PORTALQL_INVOICE_ON).
    invoice_on: str = "PLACEMENT"
    # The merchant's country, for EU reverse charge (PORTALQL_SELLER_COUNTRY); None: outside the EU's rules.
    merchant_country: str | None = None
    # Invoices start as drafts that staff finalise (PORTALQL_INVOICE_DRAFTS), and how they and
    # credit notes are numbered (PORTALQL_INVOICE_PREFIX and others, see server/settings.py).
    invoice_drafts: bool = False
    invoice_numbering: NumberFormat = field(default_factory=NumberFormat)
    # Where this server is reached from outside, for links in emails to its routes such as invoice
    # PDFs (PORTALQL_PUBLIC_URL); days before the due date an invoice reminder is sent
    # (PORTALQL_INVOICE_REMINDER_DAYS).
    public_url: str = "http://localhost:8000"
    invoice_reminder_days: int = 3
    # Days after a failed renewal charge that it is tried again, and whether the subscription is
    # cancelled when they run out (PORTALQL_DUNNING_RETRY_DAYS, PORTALQL_DUNNING_CANCEL).
    dunning_retry_days: tuple[int, ...] = (1, 3, 5)
    dunning_cancel: bool = True
    # Days before a renewal its payers are told of it, 0 for never (PORTALQL_RENEWAL_NOTICE_DAYS).
    renewal_notice_days: int = 7
    # How list prices are shown to accounts in another currency (PORTALQL_LIST_PRICE_RATES).
    list_price_rates: ListPriceRates = field(default_factory=ListPriceRates)
    # Where net-terms invoices are paid by transfer (PORTALQL_BANK_*): the seller's, as documents print it.
    bank: BankAccount | None = None
    # What the subscription portal offers customers (PORTALQL_SUBSCRIPTION_PORTAL and others), unless
    # staff stored one with subscriptionPortalConfigure (resolvers/subscriptions.portal_configuration).
    subscription_portal: PortalConfig = PRESETS[Preset.B2B]
    # Mail to the merchant's staff (a quote requested): its address and language
    # (PORTALQL_STAFF_NOTIFY_EMAIL, PORTALQL_STAFF_NOTIFY_LOCALE).
    staff_notify_email: str | None = None
    staff_notify_locale: str = "en"
    # Outgoing webhooks (PORTALQL_WEBHOOK_*; production from PORTALQL_ENV).
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    def merchant(self) -> MerchantSettings:
        """The merchant's settings that business rules read (requests and the worker alike)."""
        return MerchantSettings(invoice_on=InvoiceOn(self.invoice_on), invoice_drafts=self.invoice_drafts,
                                numbering=self.invoice_numbering, public_url=self.public_url,
                                reminder_days=self.invoice_reminder_days,
                                dunning_retry_days=self.dunning_retry_days, dunning_cancel=self.dunning_cancel,
                                tax=TaxSettings(merchant_country=self.merchant_country),
                                staff_notify_email=self.staff_notify_email,
                                staff_notify_locale=self.staff_notify_locale,
                                secret_key=self.secret_key,
                                renewal_notice_days=self.renewal_notice_days)


@dataclass
class Context:
    db: Database
    caller: Caller
    clock: Clock
    settings: Settings = field(default_factory=Settings)
    request: Any = None
    response: Any = None
    request_id: str = ""
    client_ip: str | None = None
    user_agent: str | None = None
    # Where uploads go (domain.storage.FileStorage); the server sets it from PORTALQL_UPLOAD_DIR.
    storage: Any = None
    limiter: Any = None  # domain.ratelimit.RateLimiter
    gateway: Any = None  # domain.payments.PaymentGateway (PORTALQL_PAYMENT_GATEWAY)

    @cached_property
    def now(self) -> datetime:
        """One instant for the whole request, so every price and due date agrees."""
        return self.clock.now()

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.db, self.caller, self.now, self.settings.list_price_rates)

    @cached_property
    def merchant(self) -> MerchantSettings:
        """The merchant's settings that business rules read (when and how orders are invoiced)."""
        return self.settings.merchant()

    @property
    def actor(self) -> Actor:
        """The caller as the audit log records it."""
        return Actor(self.caller.kind.value, self.caller.user_id, self.client_ip, self.user_agent)

    def scope(self, key: str) -> RowScope:
        return self.caller.scope(rule(key))
