"""Outgoing webhooks as the API shows them: endpoints, the event catalogue, deliveries and their
attempts, and the mutations that manage them (docs/webhooks.md)."""
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from domain.webhooks.endpoints import EndpointAsk, WebhookErrorCode
from resolvers import webhooks as resolve
from resolvers.globalid import encode
from schema.common import UserError, user_errors

WebhookErrorCodeEnum = strawberry.enum(WebhookErrorCode, name="WebhookErrorCode")


@strawberry.enum(description="Where a delivery stands: PENDING (to be sent or retried), DELIVERED (a 2xx "
                             "answer), FAILED (its retries ran out, or the endpoint answered 410 Gone).")
class WebhookDeliveryStatus(Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@strawberry.type(description="An event the catalogue offers (docs/webhook-events.md lists their payloads).")
class WebhookEventType:
    name: str
    object: str = strawberry.field(description="The type of object the payload carries.")
    description: str


@strawberry.type(description="A URL that receives the events it chose, signed as Standard Webhooks specifies. "
                             "Its secret is only ever shown by webhookEndpointCreate and webhookEndpointRotateSecret.")
class WebhookEndpoint:
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = strawberry.field(
        description="STAFF (turned off by hand), GONE (answered 410) or FAILING (no success for days).")
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="After a rotation, the old secrets sign too until then (the last of them).")
    def previous_secret_until(self, info: Info) -> datetime | None:
        return self.overlap_until(info.context.now)  # type: ignore[attr-defined,no-any-return]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode("WebhookEndpoint", self.id))  # type: ignore[arg-type]

    @strawberry.field(description="The account whose events it receives; null: every account's (the merchant's).")
    def account_id(self) -> strawberry.ID | None:
        return strawberry.ID(encode("Account", self.account_id)) if self.account_id else None  # type: ignore[arg-type]


@strawberry.type(description="One event for one endpoint, with where its delivery stands.")
class WebhookDelivery:
    event_type: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    replay: bool
    created_at: datetime
    delivered_at: datetime | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode("WebhookDelivery", self.id))  # type: ignore[arg-type]

    @strawberry.field
    def endpoint_id(self) -> strawberry.ID:
        return strawberry.ID(encode("WebhookEndpoint", self.endpoint_id))  # type: ignore[arg-type]

    @strawberry.field(description="The global ID of the object the event is about.")
    def object_id(self) -> strawberry.ID:
        kind, _, pk = self.object_key.partition(":")  # type: ignore[attr-defined]
        return strawberry.ID(encode(kind, int(pk)))

    @strawberry.field
    def status(self) -> WebhookDeliveryStatus:
        return WebhookDeliveryStatus(self.status)  # type: ignore[attr-defined]


@strawberry.type(description="One try to deliver: the answer's status code, how long it took, its first bytes, "
                             "or why there was no answer (timeout, refused, closed, blocked address).")
class WebhookAttempt:
    at: datetime
    status_code: int | None
    duration_ms: int
    response_head: str
    error: str | None
    ok: bool


@strawberry.type
class WebhookError(UserError):
    is_type_of = user_errors()
    code: WebhookErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(description="The whsec_ signing secret: shown here only, keep it.")
    user_errors: list[WebhookError]


@strawberry.type
class WebhookReplayPayload:
    endpoint: WebhookEndpoint | None
    delivery: WebhookDelivery | None = strawberry.field(description="The new delivery (webhookDeliveryReplay).")
    replayed: int | None = strawberry.field(description="How many deliveries were queued again.")
    user_errors: list[WebhookError]


@strawberry.input
class WebhookEndpointCreateInput:
    url: str
    event_types: list[str]
    description: str | None = None
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this account's events (an ADMIN must name its account).")
    enabled: bool = True


@strawberry.input
class WebhookEndpointUpdateInput:
    id: strawberry.ID
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


@strawberry.input
class WebhookEndpointRotateSecretInput:
    id: strawberry.ID


@strawberry.input
class WebhookDeliveryReplayInput:
    id: strawberry.ID


@strawberry.input
class WebhookEventsReplayInput:
    endpoint_id: strawberry.ID
    since: datetime
    until: datetime


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Webhook endpoints: staff (STAFF_ADMIN) see all, an ADMIN its accounts' own.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        return await resolve.webhook_endpoints(info.context)  # type: ignore[return-value]

    @strawberry.field(description="The events an endpoint can choose.")
    def webhook_event_types(self, info: Info) -> list[WebhookEventType]:
        return resolve.webhook_event_types(info.context)  # type: ignore[return-value]

    @strawberry.field(description="Deliveries of the endpoints the caller manages, newest first (at most 100).")
    async def webhook_deliveries(self, info: Info, endpoint_id: strawberry.ID | None = None,
                                 status: WebhookDeliveryStatus | None = None, event_type: str | None = None,
                                 since: datetime | None = None, until: datetime | None = None,
                                 first: int | None = 50) -> list[WebhookDelivery]:
        return await resolve.webhook_deliveries(info.context, endpoint_id, status.value if status else None,  # type: ignore[return-value]
                                                event_type, since, until, first)

    @strawberry.field(description="Every attempt of one delivery, oldest first.")
    async def webhook_delivery_attempts(self, info: Info, delivery_id: strawberry.ID) -> list[WebhookAttempt]:
        return await resolve.webhook_delivery_attempts(info.context, delivery_id)  # type: ignore[return-value]


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Register a webhook endpoint (STAFF_ADMIN; an ADMIN for its account's events "
                                     "if the merchant allows it). HTTPS only (http:// to localhost in development).")
    async def webhook_endpoint_create(self, info: Info, input: WebhookEndpointCreateInput) -> WebhookEndpointPayload:
        ask = EndpointAsk(input.url, list(input.event_types), input.description, input.enabled)
        return await resolve.webhook_endpoint_create(info.context, ask, input.account_id)  # type: ignore[return-value]

    @strawberry.mutation(description="Change an endpoint; enabled: false stops its deliveries (kept until enabled).")
    async def webhook_endpoint_update(self, info: Info, input: WebhookEndpointUpdateInput) -> WebhookEndpointPayload:
        ask = EndpointAsk(input.url, list(input.event_types) if input.event_types is not None else None,
                          input.description, input.enabled)
        return await resolve.webhook_endpoint_update(info.context, input.id, ask)  # type: ignore[return-value]

    @strawberry.mutation(description="A new signing secret; the old one signs alongside it for 24 hours.")
    async def webhook_endpoint_rotate_secret(self, info: Info,
                                             input: WebhookEndpointRotateSecretInput) -> WebhookEndpointPayload:
        return await resolve.webhook_endpoint_rotate_secret(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Deliver one delivery's event again (same webhook-id).")
    async def webhook_delivery_replay(self, info: Info, input: WebhookDeliveryReplayInput) -> WebhookReplayPayload:
        return await resolve.webhook_delivery_replay(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Deliver an endpoint's events of a time range again (at most 31 days, 1000 "
                                     "events).")
    async def webhook_events_replay(self, info: Info, input: WebhookEventsReplayInput) -> WebhookReplayPayload:
        return await resolve.webhook_events_replay(info.context, input.endpoint_id, input.since,  # type: ignore[return-value]
                                                   input.until)
