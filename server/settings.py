"""Settings from the environment. Nothing else reads os.environ."""
import os
from dataclasses import dataclass, field
from pathlib import Path

from domain.bank_transfer import BankAccount, bank_account
from domain.addresses import is_country
from domain.documents import Seller
from domain.errors import Rejected
from domain.identity.emails import normalize_email
from domain.invoicing import NumberFormat
from domain.pricing import ListPriceRates
from domain.subscriptions.portal import PRESETS, Action, PortalConfig, Preset
from i18n.locales import normalize_locale
from domain.webhooks.settings import WebhookSettings
from schema.requests import Settings as SessionSettings
from schema.limits import Limits


def home() -> Path:
    """Where the default SQLite file (portalql.db) and uploads (uploads/) live, so that every command
    finds the same database wherever it is run from: the project's folder when Portalql runs from a
    checkout (as `python3 dev.py` runs it), else the working directory (/app in the Docker image)."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{home() / 'portalql.db'}"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = (os.environ.get(name) or default).upper()
    if raw not in allowed:
        raise SystemExit(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw
def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw not in {"0", "1", "true", "false", "yes", "no"}:
        raise SystemExit(f"{name} must be 1 or 0, got {raw!r}")
    return raw in {"1", "true", "yes"}


def _limits() -> Limits:
    d = Limits()
    return Limits(
        max_cost=_int("PORTALQL_MAX_COST", d.max_cost),
        bucket_size=_int("PORTALQL_BUCKET_SIZE", d.bucket_size),
        restore_rate=_int("PORTALQL_RESTORE_RATE", d.restore_rate),
        max_depth=_int("PORTALQL_MAX_DEPTH", d.max_depth),
        max_aliases=_int("PORTALQL_MAX_ALIASES", d.max_aliases),
        max_fields=_int("PORTALQL_MAX_FIELDS", d.max_fields),
        max_tokens=_int("PORTALQL_MAX_TOKENS", d.max_tokens),
        max_directives=_int("PORTALQL_MAX_DIRECTIVES", d.max_directives),
        max_body_bytes=_int("PORTALQL_MAX_BODY_BYTES", d.max_body_bytes),
        timeout_seconds=_int("PORTALQL_TIMEOUT_SECONDS", int(d.timeout_seconds)),
    )


@dataclass
class Settings:
    database_url: str = field(default_factory=default_database_url)
    environment: str = "development"  # or "production": no GraphiQL, no introspection
    redis_url: str | None = None
    # Uploaded files (return photos) on the local disk; served only through authenticated routes.
    upload_dir: str = field(default_factory=lambda: str(home() / "uploads"))
    sessions: SessionSettings = field(default_factory=SessionSettings)
    # Mail: unset in development means messages stay in the outbox (`portalql mail list`).
    smtp_url: str | None = None
    mail_from: str = "Portalql <no-reply@portalql.localhost>"
    limits: Limits = field(default_factory=Limits)  # query cost, throttling, abuse limits
    persisted_queries: str | None = None  # JSON file {sha256: query} of registered operations
    persisted_only: bool = False          # accept registered operations only
    metrics: bool = True                  # /metrics for Prometheus
    # Bearer token /metrics asks for; in production /metrics is served only with one.
    metrics_token: str | None = None
    tracing: bool = False                 # OpenTelemetry (needs the `tracing` extra)
    # The merchant as its invoices, credit notes, receipts and statements name it (PORTALQL_SELLER_*).
    seller: Seller = field(default_factory=lambda: Seller(name="Portalql Merchant"))
    # Cards: the built-in test gateway (test tokens, no network) or Stripe (docs/payments.md).
    payment_gateway: str = "test"
    stripe_secret_key: str | None = field(default=None, repr=False)  # never printed or logged
    stripe_api_base: str | None = None    # another Stripe API address (stripe-mock, the tests' server)
    # The reference portal at / (docs/web-portal.md); off for a deployment that serves only the API.
    portal: bool = True
    # `portalql demo`: the portal's sign-in page lists the demo users (never set it in production).
    demo: bool = False

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def metrics_served(self) -> bool:
        """/metrics is served (and requests observed for it): in production only behind a token,
        since the figures tell anyone the load, the error codes and which routes exist."""
        return self.metrics and (self.metrics_token is not None or not self.production)

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ.get("PORTALQL_ENV", "development")
        if env not in {"development", "production"}:
            raise SystemExit(f"PORTALQL_ENV must be development or production, got {env!r}")
        seller = _seller()
        return cls(
            database_url=os.environ.get("DATABASE_URL") or default_database_url(),
            environment=env,
            redis_url=os.environ.get("REDIS_URL") or None,
            upload_dir=os.environ.get("PORTALQL_UPLOAD_DIR") or str(home() / "uploads"),
            limits=_limits(),
            persisted_queries=os.environ.get("PORTALQL_PERSISTED_QUERIES") or None,
            persisted_only=_flag("PORTALQL_PERSISTED_ONLY"),
            portal=_flag("PORTALQL_PORTAL", True),
            demo=_flag("PORTALQL_DEMO"),
            metrics=_flag("PORTALQL_METRICS", True),
            metrics_token=_secret("PORTALQL_METRICS_TOKEN"),
            tracing=_flag("PORTALQL_TRACING", bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))),
            sessions=SessionSettings(
                session_idle_minutes=_int("PORTALQL_SESSION_IDLE_MINUTES", 30),
                session_lifetime_hours=_int("PORTALQL_SESSION_LIFETIME_HOURS", 12),
                frontend_url=os.environ.get("PORTALQL_FRONTEND_URL") or SessionSettings.frontend_url,
                secret_key=_secret_key(env),
                issuer=os.environ.get("PORTALQL_ISSUER") or SessionSettings.issuer,
                invoice_on=_choice("PORTALQL_INVOICE_ON", ("PLACEMENT", "FULFILMENT"), "PLACEMENT"),
                public_url=_url("PORTALQL_PUBLIC_URL", SessionSettings.public_url),
                invoice_reminder_days=_days("PORTALQL_INVOICE_REMINDER_DAYS", SessionSettings.invoice_reminder_days),
                invoice_drafts=_flag("PORTALQL_INVOICE_DRAFTS"),
                dunning_retry_days=_retry_days("PORTALQL_DUNNING_RETRY_DAYS", SessionSettings.dunning_retry_days),
                dunning_cancel=_flag("PORTALQL_DUNNING_CANCEL", True),
                renewal_notice_days=_days("PORTALQL_RENEWAL_NOTICE_DAYS", SessionSettings.renewal_notice_days),
                invoice_numbering=_number_format(),
                list_price_rates=_list_price_rates(),
                merchant_country=_country("PORTALQL_SELLER_COUNTRY"),
                bank=seller.bank,
                subscription_portal=_subscription_portal(),
                staff_notify_email=_email("PORTALQL_STAFF_NOTIFY_EMAIL"),
                staff_notify_locale=normalize_locale(os.environ.get("PORTALQL_STAFF_NOTIFY_LOCALE") or "en"),
                webhooks=WebhookSettings(production=env == "production",
                                         account_endpoints=_flag("PORTALQL_WEBHOOK_ACCOUNT_ENDPOINTS"),
                                         notify_email=os.environ.get("PORTALQL_WEBHOOK_NOTIFY_EMAIL") or None,
                                         timeout_seconds=_webhook_timeout()),
            ),
            payment_gateway=_gateway(),
            stripe_secret_key=os.environ.get("STRIPE_SECRET_KEY") or None,
            stripe_api_base=os.environ.get("STRIPE_API_BASE") or None,
            smtp_url=os.environ.get("PORTALQL_SMTP_URL") or None,
            mail_from=os.environ.get("PORTALQL_MAIL_FROM") or cls.mail_from,
            seller=seller,
        )


def _subscription_portal() -> PortalConfig:
    """PORTALQL_SUBSCRIPTION_PORTAL: a preset (SAAS, ECOMMERCE, MEMBERSHIP, B2B; B2B when unset);
    PORTALQL_SUBSCRIPTION_ACTIONS: only these of its actions (comma-separated, e.g. PAUSE,SKIP);
    PORTALQL_SUBSCRIPTION_MAX_PAUSE_CYCLES: another pause maximum (1-24)."""
    preset = PRESETS[Preset(_choice("PORTALQL_SUBSCRIPTION_PORTAL", tuple(Preset), Preset.B2B.value))]
    listed = os.environ.get("PORTALQL_SUBSCRIPTION_ACTIONS")
    try:
        actions = frozenset(Action(a.strip().upper()) for a in listed.split(",") if a.strip()) if listed else None
    except ValueError:
        raise SystemExit(f"PORTALQL_SUBSCRIPTION_ACTIONS lists actions of {', '.join(Action)}") from None
    cycles = _int("PORTALQL_SUBSCRIPTION_MAX_PAUSE_CYCLES", preset.max_pause_cycles)
    if not 1 <= cycles <= 24:
        raise SystemExit(f"PORTALQL_SUBSCRIPTION_MAX_PAUSE_CYCLES must be 1 to 24, got {cycles}")
    return preset.narrowed(actions, cycles)


def _webhook_timeout() -> float:
    """PORTALQL_WEBHOOK_TIMEOUT_SECONDS: how long one delivery attempt may take (1-60, 15 when unset)."""
    seconds = _int("PORTALQL_WEBHOOK_TIMEOUT_SECONDS", 15)
    if not 1 <= seconds <= 60:
        raise SystemExit(f"PORTALQL_WEBHOOK_TIMEOUT_SECONDS must be 1 to 60, got {seconds}")
    return float(seconds)


def _seller() -> Seller:
    """PORTALQL_SELLER_NAME, _ADDRESS (lines separated by '|'), _COUNTRY (ISO code), _TAX_ID and the
    bank account for payment by transfer (PORTALQL_BANK_*), as printed on documents."""
    def lines(name: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in os.environ.get(name, "").split("|") if part.strip())
    name = os.environ.get("PORTALQL_SELLER_NAME") or "Portalql Merchant"
    return Seller(name=name, address=lines("PORTALQL_SELLER_ADDRESS"), country=_country("PORTALQL_SELLER_COUNTRY"),
                  tax_id=os.environ.get("PORTALQL_SELLER_TAX_ID") or None, bank=_bank(name))


def _bank(seller: str) -> BankAccount | None:
    """PORTALQL_BANK_IBAN with _BANK_NAME, _BANK_BIC and _BANK_ACCOUNT_HOLDER (the seller's name when
    unset): the account net-terms invoices are paid to. None without an IBAN."""
    iban = (os.environ.get("PORTALQL_BANK_IBAN") or "").strip()
    if not iban:
        return None
    try:
        return bank_account(os.environ.get("PORTALQL_BANK_NAME") or "",
                            os.environ.get("PORTALQL_BANK_ACCOUNT_HOLDER") or seller, iban,
                            os.environ.get("PORTALQL_BANK_BIC") or None)
    except ValueError as e:
        raise SystemExit(f"PORTALQL_BANK_*: {e}") from None


def _country(name: str) -> str | None:
    value = (os.environ.get(name) or "").strip().upper() or None
    if value is not None and not is_country(value):
        raise SystemExit(f"{name} must be an ISO 3166 two-letter country code such as DE, got {value!r}")
    return value


def _gateway() -> str:
    gateway = _choice("PORTALQL_PAYMENT_GATEWAY", ("TEST", "STRIPE"), "TEST").lower()
    if gateway == "stripe" and not os.environ.get("STRIPE_SECRET_KEY"):
        raise SystemExit("PORTALQL_PAYMENT_GATEWAY=stripe needs STRIPE_SECRET_KEY (sk_live_... or sk_test_...)")
    return gateway


def _email(name: str) -> str | None:
    """An email address from the environment (checked as sign-up checks one), or None when unset."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return None
    try:
        return normalize_email(raw)
    except Rejected:
        raise SystemExit(f"{name} must be an email address, got {raw!r}") from None


def _url(name: str, default: str) -> str:
    raw = (os.environ.get(name) or default).rstrip("/")
    if not raw.startswith(("http://", "https://")):
        raise SystemExit(f"{name} must start with http:// or https://, got {raw!r}")
    return raw


def _retry_days(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Comma-separated days after a failed renewal, rising, each 1 to 60 (empty: no retry)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        days = tuple(int(x) for x in raw.split(",") if x.strip())
    except ValueError:
        raise SystemExit(f"{name} must be days separated by commas, got {raw!r}") from None
    if any(not 1 <= d <= 60 for d in days) or list(days) != sorted(set(days)):
        raise SystemExit(f"{name} must be rising days between 1 and 60, got {raw!r}")
    return days


def _days(name: str, default: int) -> int:
    days = _int(name, default)
    if not 0 <= days <= 60:
        raise SystemExit(f"{name} must be between 0 and 60, got {days}")
    return days


def _number_format() -> NumberFormat:
    """PORTALQL_INVOICE_PREFIX, PORTALQL_CREDIT_NOTE_PREFIX (letters, digits, dashes; up to 12),
    PORTALQL_INVOICE_NUMBER_PER_YEAR (1: a series per year, INV-2026-000123) and
    PORTALQL_INVOICE_NUMBER_WIDTH (digits the sequence is padded to, 1–12)."""
    default = NumberFormat()
    prefixes = {}
    for name, fallback in (("PORTALQL_INVOICE_PREFIX", default.invoice_prefix),
                           ("PORTALQL_CREDIT_NOTE_PREFIX", default.credit_note_prefix)):
        value = os.environ.get(name) or fallback
        if not (0 < len(value) <= 12 and value.replace("-", "").isalnum() and value.isascii()):
            raise SystemExit(f"{name} must be 1 to 12 letters, digits or dashes, got {value!r}")
        prefixes[name] = value
    if prefixes["PORTALQL_INVOICE_PREFIX"] == prefixes["PORTALQL_CREDIT_NOTE_PREFIX"]:
        raise SystemExit("PORTALQL_INVOICE_PREFIX and PORTALQL_CREDIT_NOTE_PREFIX must differ")
    width = _int("PORTALQL_INVOICE_NUMBER_WIDTH", default.width)
    if not 1 <= width <= 12:
        raise SystemExit(f"PORTALQL_INVOICE_NUMBER_WIDTH must be 1 to 12, got {width}")
    # By name: a positional per_year once landed in a field added before it (receipt_prefix).
    return NumberFormat(invoice_prefix=prefixes["PORTALQL_INVOICE_PREFIX"],
                        credit_note_prefix=prefixes["PORTALQL_CREDIT_NOTE_PREFIX"],
                        per_year=_flag("PORTALQL_INVOICE_NUMBER_PER_YEAR", default.per_year), width=width)


def _list_price_rates() -> ListPriceRates:
    try:
        return ListPriceRates.parse(os.environ.get("PORTALQL_LIST_PRICE_RATES", ""))
    except ValueError as e:
        raise SystemExit(f"PORTALQL_LIST_PRICE_RATES: {e}") from None


def _secret(name: str) -> str | None:
    """A secret from the environment, 32 characters at least (long enough that guessing it needs
    no rate limit), or None when unset."""
    value = os.environ.get(name) or None
    if value is not None and len(value) < 32:
        raise SystemExit(f"{name} must have at least 32 characters")
    return value


def _secret_key(env: str) -> str:
    """The key that signs integration access tokens (JWT, HS256)."""
    key = _secret("PORTALQL_SECRET_KEY")
    if key is None:
        if env == "production":
            raise SystemExit("PORTALQL_SECRET_KEY must be set in production (e.g. `openssl rand -hex 32`)")
        return SessionSettings.secret_key
    return key
