"""Delivering the outbox. The worker fans each event out to the endpoints that take it (one
delivery per endpoint), claims due deliveries with a lease (several workers: each delivery is
sent by one at a time), posts them signed, and records every attempt. Only a 2xx counts; anything
else is retried on SCHEDULE, then given up. An endpoint answering 410 Gone, or failing without a
success for days, is disabled and the merchant is mailed. Per endpoint, the events of one object
are delivered in order: a later one waits while an earlier one is pending."""
import asyncio
import json
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from db.engine import Database
from db.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from db.repositories import webhooks as repo
from db.repositories.base import lock_row
from domain import mail
from domain.clock import Clock
from domain.webhooks import address, signing
from domain.webhooks.ids import global_id
from domain.webhooks.settings import WebhookSettings

log = logging.getLogger("portalql.webhooks")

# After the first attempt fails, the retries come this long after the one before.
SCHEDULE = (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
            timedelta(hours=5), timedelta(hours=10), timedelta(hours=14), timedelta(hours=20), timedelta(hours=24))
LEASE_PER_TIMEOUT = 4  # a claim lasts 4 timeouts (60 s): longer than its attempt can take, then it is free again
HEAD_BYTES = 500  # of the answer, kept with the attempt
KEEP_DAYS = 35  # events, deliveries and attempts are kept this long once finished (a replay reaches 31 days back)


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (error says why)
    head: str = ""
    error: str | None = None


class Sender(Protocol):
    """Posts a body to the checked address (integrations/webhook_http.py), never following a redirect."""

    async def post(self, target: address.Target, ip: str, headers: dict[str, str], body: bytes,
                   timeout: float) -> Answer: ...


@dataclass
class Passed:
    fanned_out: int = 0
    delivered: int = 0
    failed: int = 0  # attempts that failed (retried or given up)
    disabled: list[int] = field(default_factory=list)


def body_of(event: WebhookEvent) -> bytes:
    """The payload: the event's type and time, and the object's global ID, its state after the
    change and a version (increasing with every event of the object)."""
    data = {"object": event.object_type, "id": global_id(event.object_type, event.object_id),
            "version": event.id, "state": event.payload}
    return json.dumps({"type": event.type, "timestamp": event.created_at.isoformat(), "data": data},
                      separators=(",", ":"), sort_keys=True).encode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    return endpoint.secrets_at(now)


def takes(endpoint: WebhookEndpoint, event: WebhookEvent) -> bool:
    return event.type in endpoint.event_types and (endpoint.account_id is None
                                                   or endpoint.account_id == event.account_id)


def new_delivery(endpoint: WebhookEndpoint, event: WebhookEvent, now: datetime, replay: bool = False) -> WebhookDelivery:
    return WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, event_type=event.type,  # type: ignore[arg-type]
                           object_key=f"{event.object_type}:{event.object_id}", next_attempt_at=now,
                           created_at=now, replay=replay)


async def fan_out(db: Database, now: datetime, batch: int = 500) -> int:
    """Deliveries for events not fanned out yet, for the endpoints enabled now."""
    total = 0
    while True:
        lease = secrets.token_hex(8)
        async with db.transaction() as s:
            events = await repo.claim_events(s, lease, batch)
            if not events:
                return total
            endpoints = await repo.enabled_endpoints(s)
            for event in events:
                for endpoint in endpoints:
                    if takes(endpoint, event):
                        s.add(new_delivery(endpoint, event, now))
                event.fanned_out = True
                s.add(event)
        total += len(events)


async def claim_due(db: Database, now: datetime, settings: WebhookSettings, room: int,
                    busy: dict[int, int] | None = None) -> list[int]:
    """Claim up to `room` due deliveries, at most settings.per_endpoint in flight per endpoint."""
    if room <= 0:
        return []
    lease = secrets.token_hex(8)
    async with db.transaction() as s:
        flying = await repo.in_flight(s, now)
        for endpoint_id, n in (busy or {}).items():
            flying[endpoint_id] = max(flying.get(endpoint_id, 0), n)
        chosen: list[int] = []
        for delivery_id, endpoint_id in await repo.due(s, now, room * 4):
            if flying.get(endpoint_id, 0) < settings.per_endpoint and len(chosen) < room:
                flying[endpoint_id] = flying.get(endpoint_id, 0) + 1
                chosen.append(delivery_id)
        until = now + timedelta(seconds=settings.timeout_seconds * LEASE_PER_TIMEOUT)
        return list(await repo.claim(s, chosen, lease, now, until))


async def attempt(db: Database, sender: Sender, clock: Clock, settings: WebhookSettings, delivery_id: int) -> bool:
    """Send one claimed delivery and record the attempt; True when delivered."""
    async with db.session() as s:
        delivery = await s.get(WebhookDelivery, delivery_id)
        endpoint = await s.get(WebhookEndpoint, delivery.endpoint_id)  # type: ignore[union-attr]
        event = await s.get(WebhookEvent, delivery.event_id)  # type: ignore[union-attr]
    assert delivery is not None and endpoint is not None and event is not None
    lease, now = delivery.lease, clock.now()
    body = body_of(event)
    started = time.monotonic()
    try:
        target = address.parse(endpoint.url, production=settings.production)
        ip = await address.resolve(target, production=settings.production)
        headers = signing.headers(event.uid, int(now.timestamp()), body, signing_secrets(endpoint, now))
        answer = await sender.post(target, ip, headers, body, settings.timeout_seconds)
    except address.NotAllowed as e:
        answer = Answer(None, error=f"blocked: {e}"[:200])
    except Exception as e:  # noqa: BLE001 - any failure of the adapter is a failed attempt, retried
        answer = Answer(None, error=f"{type(e).__name__}"[:200])
    ms = int((time.monotonic() - started) * 1000)
    return await _record(db, clock, settings, delivery_id, lease, answer, ms)


async def _record(db: Database, clock: Clock, settings: WebhookSettings, delivery_id: int, lease: str | None,
                  answer: Answer, ms: int) -> bool:
    now = clock.now()
    ok = answer.status is not None and 200 <= answer.status < 300
    async with db.transaction() as s:
        await lock_row(s, WebhookDelivery, delivery_id)
        delivery = await s.get(WebhookDelivery, delivery_id, populate_existing=True)
        assert delivery is not None
        s.add(WebhookAttempt(delivery_id=delivery_id, at=now, status_code=answer.status, duration_ms=ms,
                             response_head=answer.head[:HEAD_BYTES], error=answer.error, ok=ok))
        if delivery.lease != lease or delivery.status != "PENDING":
            return ok  # our claim ran out and another worker has it: its outcome will count
        delivery.attempts += 1
        delivery.lease = delivery.locked_until = None
        delivery.last_status_code, delivery.last_error = answer.status, answer.error
        await lock_row(s, WebhookEndpoint, delivery.endpoint_id)
        endpoint = await s.get(WebhookEndpoint, delivery.endpoint_id, populate_existing=True)
        assert endpoint is not None
        if ok:
            delivery.status, delivery.delivered_at = "DELIVERED", now
            endpoint.failing_since = None
        else:
            if delivery.attempts > len(SCHEDULE):
                delivery.status = "FAILED"
            else:
                delivery.next_attempt_at = now + SCHEDULE[delivery.attempts - 1]
            endpoint.failing_since = endpoint.failing_since or now
            if endpoint.enabled and answer.status == 410:
                disable(s, endpoint, "GONE", now, settings)
                delivery.status = "FAILED"
            elif endpoint.enabled and now - endpoint.failing_since >= timedelta(days=settings.disable_after_days):
                disable(s, endpoint, "FAILING", now, settings)
        s.add(delivery)
        s.add(endpoint)
    return ok


def disable(s: Any, endpoint: WebhookEndpoint, reason: str, now: datetime, settings: WebhookSettings) -> None:
    """No more deliveries to it (those pending wait until it is enabled again); the merchant is told."""
    endpoint.enabled, endpoint.disabled_reason, endpoint.updated_at = False, reason, now
    log.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)
    if reason != "STAFF" and settings.notify_email:
        mail.enqueue(s, to=settings.notify_email, template="webhook_endpoint_disabled", now=now,
                     url=endpoint.url, reason=reason, days=settings.disable_after_days,
                     endpoint=global_id("WebhookEndpoint", endpoint.id))  # type: ignore[arg-type]


async def run(db: Database, sender: Sender, clock: Clock, settings: WebhookSettings, *, room: int = 100) -> Passed:
    """One pass: fan out, then claim what is due and send it all concurrently (tests, `worker --once`)."""
    passed = Passed(fanned_out=await fan_out(db, clock.now()))
    claimed = await claim_due(db, clock.now(), settings, room)
    results = await asyncio.gather(*(attempt(db, sender, clock, settings, d) for d in claimed))
    passed.delivered = sum(results)
    passed.failed = len(results) - passed.delivered
    return passed


class Dispatcher:
    """The worker's delivery loop: claims what is due as room frees up, so a slow endpoint holds
    only its own few slots and never the others' deliveries (or the worker's other jobs)."""

    def __init__(self, db: Database, sender: Sender, clock: Clock, settings: WebhookSettings,
                 capacity: int = 50) -> None:
        self.db, self.sender, self.clock, self.settings, self.capacity = db, sender, clock, settings, capacity
        self.running: dict[asyncio.Task[bool], int] = {}  # task -> endpoint id

    async def step(self) -> int:
        await fan_out(self.db, self.clock.now())
        busy: dict[int, int] = {}
        for endpoint_id in self.running.values():
            busy[endpoint_id] = busy.get(endpoint_id, 0) + 1
        claimed = await claim_due(self.db, self.clock.now(), self.settings, self.capacity - len(self.running), busy)
        if claimed:
            async with self.db.session() as s:
                owners = {d: (await s.get(WebhookDelivery, d)).endpoint_id for d in claimed}  # type: ignore[union-attr]
            for d in claimed:
                task = asyncio.create_task(attempt(self.db, self.sender, self.clock, self.settings, d))
                self.running[task] = owners[d]
                task.add_done_callback(self._done)
        return len(claimed)

    def _done(self, task: "asyncio.Task[bool]") -> None:
        self.running.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook attempt failed: %r", task.exception())

    async def once(self) -> int:
        """One pass and the attempts it started, awaited (`portalql worker --webhooks-only --once`)."""
        claimed = await self.step()
        await asyncio.gather(*list(self.running), return_exceptions=True)
        return claimed

    async def loop(self, interval: float = 0.5) -> None:
        while True:
            try:
                await self.step()
            except Exception:  # noqa: BLE001 - a database hiccup: try again
                log.exception("webhook pass failed; trying again")
            await asyncio.sleep(interval)


async def prune(db: Database, now: datetime, batch: int = 1000) -> int:
    """Forget events older than KEEP_DAYS whose deliveries are all finished (and their log)."""
    total = 0
    while True:
        async with db.transaction() as s:
            gone = await repo.prune(s, now - timedelta(days=KEEP_DAYS), batch)
        total += gone
        if gone < batch:
            return total


async def replay(session: Any, endpoint: WebhookEndpoint, events: Sequence[WebhookEvent], now: datetime) -> int:
    """Deliver these events to the endpoint again, with their own webhook-id (receivers that saw
    one already recognise it)."""
    for event in events:
        session.add(new_delivery(endpoint, event, now, replay=True))
    return len(events)
