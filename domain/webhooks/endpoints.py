"""Registering webhook endpoints: merchant staff for every account's events, an account's ADMIN
for its own account's only (when the merchant allows it); choosing event types, enabling,
disabling, rotating the secret (the old one keeps signing for a day), and replaying deliveries."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from db.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from db.repositories import webhooks as repo
from db.repositories.base import lock_row
from domain.errors import reject
from domain.text import check_text
from domain.webhooks import address, delivery, signing
from domain.webhooks.catalogue import EVENTS
from domain.webhooks.settings import WebhookSettings

ROTATION_OVERLAP = timedelta(hours=24)
REPLAY_AT_MOST = 1000  # events of one replayed time range


class WebhookErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_URL = "INVALID_URL"
    URL_NOT_ALLOWED = "URL_NOT_ALLOWED"
    UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE"
    NO_EVENT_TYPES = "NO_EVENT_TYPES"
    INVALID_DESCRIPTION = "INVALID_DESCRIPTION"
    ACCOUNT_ENDPOINTS_OFF = "ACCOUNT_ENDPOINTS_OFF"
    TOO_MANY_ENDPOINTS = "TOO_MANY_ENDPOINTS"
    INVALID_RANGE = "INVALID_RANGE"
    TOO_MANY_EVENTS = "TOO_MANY_EVENTS"


E = WebhookErrorCode


@dataclass(frozen=True)
class EndpointAsk:
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


async def _checked_url(url: str, settings: WebhookSettings) -> str:
    try:
        target = address.parse(url, production=settings.production)
    except address.NotAllowed as e:
        raise reject(E.INVALID_URL, f"Invalid endpoint URL: {e}", "input", "url") from None
    if settings.production:
        try:
            await address.resolve(target, production=True)
        except address.NotAllowed as e:
            raise reject(E.URL_NOT_ALLOWED, f"This URL may not be called: {e}", "input", "url") from None
    return url.strip()


def _checked_types(types: list[str]) -> list[str]:
    if not types:
        raise reject(E.NO_EVENT_TYPES, "Choose at least one event type", "input", "eventTypes")
    for i, name in enumerate(types):
        if name not in EVENTS:
            raise reject(E.UNKNOWN_EVENT_TYPE, f"Unknown event type {name[:64]!r} (see docs/webhook-events.md)",
                         "input", "eventTypes", str(i))
    return sorted(set(types))


async def register(s: Any, ask: EndpointAsk, account_id: int | None, user_id: int | None, now: datetime,
                   settings: WebhookSettings, *, by_account: bool = False) -> tuple[WebhookEndpoint, str]:
    """A new endpoint, enabled, and its secret (shown this once). `by_account`: an account's ADMIN
    registers it (for its own account's events), which the merchant may not allow."""
    if by_account and not settings.account_endpoints:
        raise reject(E.ACCOUNT_ENDPOINTS_OFF, "The merchant does not let accounts register webhook endpoints",
                     "input", "accountId")
    url = await _checked_url(ask.url or "", settings)
    types = _checked_types(ask.event_types or [])
    description = check_text(ask.description, 200, E.INVALID_DESCRIPTION, "input", "description") or ""
    if await repo.count_endpoints(s, account_id) >= settings.max_endpoints:
        raise reject(E.TOO_MANY_ENDPOINTS, f"At most {settings.max_endpoints} endpoints", "input")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(account_id=account_id, url=url, description=description, event_types=types,
                               enabled=ask.enabled is not False, secret=secret, created_by_user_id=user_id,
                               created_at=now, updated_at=now, disabled_reason=None if ask.enabled is not False else "STAFF")
    s.add(endpoint)
    await s.flush()
    return endpoint, secret


async def locked(s: Any, endpoint_id: int) -> WebhookEndpoint:
    await lock_row(s, WebhookEndpoint, endpoint_id)
    endpoint = await s.get(WebhookEndpoint, endpoint_id, populate_existing=True)
    if endpoint is None:
        raise reject(E.NOT_FOUND, "No such webhook endpoint", "input", "id")
    return endpoint


async def update(s: Any, endpoint: WebhookEndpoint, ask: EndpointAsk, now: datetime,
                 settings: WebhookSettings) -> WebhookEndpoint:
    if ask.url is not None:
        endpoint.url = await _checked_url(ask.url, settings)
    if ask.event_types is not None:
        endpoint.event_types = _checked_types(ask.event_types)
    if ask.description is not None:
        endpoint.description = check_text(ask.description, 200, E.INVALID_DESCRIPTION, "input", "description") or ""
    if ask.enabled is True and not endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since = True, None, None
    elif ask.enabled is False and endpoint.enabled:
        delivery.disable(s, endpoint, "STAFF", now, settings)
    endpoint.updated_at = now
    s.add(endpoint)
    return endpoint


def rotate(s: Any, endpoint: WebhookEndpoint, now: datetime) -> str:
    """A new secret signs from now on; the current one signs alongside it for ROTATION_OVERLAP, as
    do the ones rotated out earlier until their own overlap ends."""
    endpoint.previous_secrets = [*endpoint.still_signing(now),
                                 {"secret": endpoint.secret, "until": (now + ROTATION_OVERLAP).isoformat()}]
    endpoint.secret = signing.new_secret()
    endpoint.updated_at = now
    s.add(endpoint)
    return endpoint.secret


async def replay_one(s: Any, original: WebhookDelivery, now: datetime) -> WebhookDelivery:
    endpoint = await s.get(WebhookEndpoint, original.endpoint_id)
    event = await s.get(WebhookEvent, original.event_id)
    again = delivery.new_delivery(endpoint, event, now, replay=True)
    s.add(again)
    await s.flush()
    return again


async def replay_range(s: Any, endpoint: WebhookEndpoint, since: datetime, until: datetime, now: datetime) -> int:
    if since >= until or until - since > timedelta(days=31):
        raise reject(E.INVALID_RANGE, "Give a range of at most 31 days, its start before its end", "input", "since")
    events = await repo.events_between(s, endpoint, since, until, REPLAY_AT_MOST + 1)
    if len(events) > REPLAY_AT_MOST:
        raise reject(E.TOO_MANY_EVENTS, f"At most {REPLAY_AT_MOST} events at once: choose a shorter range",
                     "input", "since")
    return await delivery.replay(s, endpoint, events, now)
