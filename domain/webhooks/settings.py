"""The merchant's webhook settings (server/settings.py reads them from the environment)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class WebhookSettings:
    # Production refuses http:// and non-public addresses (address.py).
    production: bool = False
    # An account's ADMIN may register endpoints for its own account's events (PORTALQL_WEBHOOK_ACCOUNT_ENDPOINTS).
    account_endpoints: bool = False
    # Who is told when an endpoint is disabled (PORTALQL_WEBHOOK_NOTIFY_EMAIL); unset: nobody is mailed.
    notify_email: str | None = None
    timeout_seconds: float = 15.0
    per_endpoint: int = 4  # deliveries in flight to one endpoint at once, per worker
    disable_after_days: int = 5  # failing with no success for this long disables an endpoint
    max_endpoints: int = 20  # per account, and the merchant's own
