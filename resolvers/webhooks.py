"""Webhook endpoints and their deliveries: STAFF_ADMIN manages every endpoint; an account's ADMIN
its own account's endpoints (registering them when the merchant allows it)."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from db.repositories import webhooks as repo
from domain.errors import reject
from domain.webhooks import endpoints as rules
from domain.webhooks.catalogue import EVENTS, EventType
from domain.webhooks.endpoints import EndpointAsk, WebhookErrorCode as E
from permissions.caller import CallerKind
from permissions.policy import rule
from resolvers.context import Context
from resolvers.errors import UserError, bad_input, forbidden
from resolvers.globalid import decode_as, decode_or_reject
from resolvers.identity import throttle
from resolvers.mutation import admit, mutation, require

MAX_LISTED = 100


def _account_ids(ctx: Context, key: str) -> list[int] | None:
    """None: every endpoint (staff); else the accounts where the caller is an account-wide ADMIN."""
    admit(ctx, key, rule(key))
    scope = ctx.scope(key)
    if scope.everything:
        return None
    return [a.account_id for a in scope.accounts if a.location_ids is None]


def _may_see(ctx: Context, endpoint: WebhookEndpoint | None) -> WebhookEndpoint:
    """The endpoint, if the caller may manage it; else NOT_FOUND (as for one that does not exist)."""
    if endpoint is not None and (ctx.caller.kind is CallerKind.STAFF or (
            endpoint.account_id is not None
            and ctx.caller.allows(rule("rows:WebhookEndpoint"), endpoint.account_id))):
        return endpoint
    raise reject(E.NOT_FOUND, "No webhook endpoint with that ID", "input", "id")


async def webhook_endpoints(ctx: Context) -> list[WebhookEndpoint]:
    accounts = _account_ids(ctx, "rows:WebhookEndpoint")
    async with ctx.db.session() as s:
        return list(await repo.endpoints(s, accounts))


def webhook_event_types(ctx: Context) -> list[EventType]:
    admit(ctx, "webhookEventTypes", rule("rows:WebhookEndpoint"))
    return list(EVENTS.values())


async def webhook_deliveries(ctx: Context, endpoint_id: str | None, status: str | None, event_type: str | None,
                             since: datetime | None, until: datetime | None, first: int | None) -> list[WebhookDelivery]:
    accounts = _account_ids(ctx, "rows:WebhookEndpoint")
    async with ctx.db.session() as s:
        visible = None if accounts is None else [e.id for e in await repo.endpoints(s, accounts)]
        pk = decode_as(endpoint_id, "WebhookEndpoint") if endpoint_id else None
        return list(await repo.deliveries(s, endpoint_ids=visible, endpoint_id=pk, status=status,
                                          event_type=event_type, since=since, until=until,
                                          limit=_first(first)))


def _first(first: int | None) -> int:
    if first is not None and not 1 <= first <= MAX_LISTED:
        raise bad_input(f"first must be from 1 to {MAX_LISTED}")
    return first or 50


async def webhook_delivery_attempts(ctx: Context, delivery_id: str) -> list[WebhookAttempt]:
    accounts = _account_ids(ctx, "rows:WebhookEndpoint")
    pk = decode_as(delivery_id, "WebhookDelivery")
    async with ctx.db.session() as s:
        found = await s.get(WebhookDelivery, pk)
        if found is None or (accounts is not None and found.endpoint_id not in
                             {e.id for e in await repo.endpoints(s, accounts)}):
            return []
        return list(await repo.attempts(s, pk))


@dataclass
class EndpointPayload:
    endpoint: WebhookEndpoint | None = None
    secret: str | None = None
    delivery: WebhookDelivery | None = None
    replayed: int | None = None
    user_errors: list[UserError] = field(default_factory=list)


@mutation("webhookEndpointCreate", EndpointPayload, audit="webhook_endpoint.create")
async def webhook_endpoint_create(ctx: Context, s: Any, ask: EndpointAsk, account_id: str | None) -> dict[str, Any]:
    await _limit(ctx)
    staff = ctx.caller.kind is CallerKind.STAFF
    pk = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId") if account_id else None
    if not staff:
        if pk is None:
            raise forbidden("An account's endpoint needs its accountId")
        require(ctx, "Mutation.webhookEndpointCreate", pk)
    endpoint, secret = await rules.register(s, ask, pk, ctx.caller.user_id, ctx.now, ctx.settings.webhooks,
                                            by_account=not staff)
    return {"endpoint": endpoint, "secret": secret}


async def _limit(ctx: Context) -> None:
    await throttle(ctx, "webhooks", f"user:{ctx.caller.user_id}")


async def _endpoint(ctx: Context, s: Any, endpoint_id: str) -> WebhookEndpoint:
    pk = decode_or_reject(endpoint_id, "WebhookEndpoint", E.NOT_FOUND, "input", "id")
    return _may_see(ctx, await rules.locked(s, pk))


@mutation("webhookEndpointUpdate", EndpointPayload, audit="webhook_endpoint.update")
async def webhook_endpoint_update(ctx: Context, s: Any, endpoint_id: str, ask: EndpointAsk) -> dict[str, Any]:
    endpoint = await _endpoint(ctx, s, endpoint_id)
    return {"endpoint": await rules.update(s, endpoint, ask, ctx.now, ctx.settings.webhooks)}


@mutation("webhookEndpointRotateSecret", EndpointPayload, audit="webhook_endpoint.rotate_secret")
async def webhook_endpoint_rotate_secret(ctx: Context, s: Any, endpoint_id: str) -> dict[str, Any]:
    await _limit(ctx)
    endpoint = await _endpoint(ctx, s, endpoint_id)
    return {"endpoint": endpoint, "secret": rules.rotate(s, endpoint, ctx.now)}


@mutation("webhookDeliveryReplay", EndpointPayload, audit="webhook_delivery.replay")
async def webhook_delivery_replay(ctx: Context, s: Any, delivery_id: str) -> dict[str, Any]:
    await _limit(ctx)
    pk = decode_or_reject(delivery_id, "WebhookDelivery", E.NOT_FOUND, "input", "id")
    original = await s.get(WebhookDelivery, pk)
    if original is None:
        raise reject(E.NOT_FOUND, "No webhook delivery with that ID", "input", "id")
    endpoint = _may_see(ctx, await rules.locked(s, original.endpoint_id))
    return {"endpoint": endpoint, "delivery": await rules.replay_one(s, original, ctx.now), "replayed": 1}


@mutation("webhookEventsReplay", EndpointPayload, audit="webhook_endpoint.replay")
async def webhook_events_replay(ctx: Context, s: Any, endpoint_id: str, since: datetime,
                                until: datetime) -> dict[str, Any]:
    await _limit(ctx)
    endpoint = await _endpoint(ctx, s, endpoint_id)
    return {"endpoint": endpoint, "replayed": await rules.replay_range(s, endpoint, since, until, ctx.now)}
