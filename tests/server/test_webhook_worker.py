"""`portalql worker` delivering webhooks to real receivers on loopback: a worker killed in the
middle of deliveries and started again, a receiver down for a while and back, and two workers at
once on one database. Every event arrives at every endpoint, signed (verified with the Standard
Webhooks algorithm), in order per object; a duplicate only where a killed worker's attempt is
sent again, recognisable by its webhook-id."""
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from db.models import Order, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from domain import audit
from domain.audit import Actor
from domain.clock import SystemClock
from domain.webhooks import endpoints, signing
from domain.webhooks.endpoints import EndpointAsk
from domain.webhooks.settings import WebhookSettings
from server.settings import Settings
from server.worker import run_worker
from tests.server.helpers import DEADLINE_SECONDS, free_port
from tests.webhook_receiver import Receiver

BIN = Path(sys.executable).parent / "portalql"
EVENTS = 60


def start_worker(db, log: Path, *args: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": db.url, "PORTALQL_ENV": "development",
           "PORTALQL_WEBHOOK_TIMEOUT_SECONDS": "2"}
    env.pop("PORTALQL_SMTP_URL", None)
    with log.open("ab") as out:  # noqa: ASYNC230
        return subprocess.Popen([BIN, "worker", *args], env=env, stdout=out, stderr=subprocess.STDOUT)


async def make_events(db, n: int = EVENTS) -> list[WebhookEvent]:  # type: ignore[no-untyped-def]
    """n order changes, each in its own transaction, over a few orders (several events per object)."""
    now = SystemClock().now()
    async with db.session() as s:
        orders = [o.id for o in (await s.exec(select(Order).order_by(Order.id).limit(5))).all()]
    for i in range(n):
        async with db.transaction() as s:
            audit.record(s, Actor("STAFF"), "order.update", now, target_type="Order", target_id=orders[i % len(orders)])
    async with db.session() as s:
        return list((await s.exec(select(WebhookEvent).order_by(WebhookEvent.id))).all())


async def register(db, url: str) -> tuple[WebhookEndpoint, str]:  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        return await endpoints.register(s, EndpointAsk(url, ["order.changed"]), None, None, SystemClock().now(),
                                        WebhookSettings())


async def statuses(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        rows = (await s.exec(select(WebhookDelivery.status, sa.func.count()).group_by(WebhookDelivery.status))).all()
    return dict(rows)  # type: ignore[arg-type]


async def wait_until(check, what: str, deadline: float = DEADLINE_SECONDS):  # type: ignore[no-untyped-def]
    end = time.monotonic() + deadline
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


def check_received(receiver: Receiver, secret: str, events: list[WebhookEvent]) -> int:
    """Every event arrived, verified, in order per object; returns how many arrived twice or more."""
    first_seen: dict[str, list[int]] = defaultdict(list)
    bodies: dict[str, bytes] = {}
    seen: set[str] = set()
    for got in list(receiver.got):
        assert signing.verify(secret, got.headers, got.body, now=int(time.time()))
        msg_id = got.headers["webhook-id"]
        if msg_id in bodies:
            assert bodies[msg_id] == got.body  # a duplicate is the same message
            continue
        bodies[msg_id] = got.body
        data = json.loads(got.body)["data"]
        first_seen[data["id"]].append(data["version"])
        seen.add(msg_id)
    assert seen == {e.uid for e in events}
    for versions in first_seen.values():
        assert versions == sorted(versions)  # per object, in the order of the changes
    return len(receiver.got) - len(seen)


async def test_a_killed_worker_and_a_receiver_down_lose_nothing(db, tmp_path):
    slow = Receiver(delay=0.03).start()
    down_port = free_port()
    later = Receiver(port=down_port)
    try:
        a, a_secret = await register(db, slow.url())
        b, b_secret = await register(db, f"http://127.0.0.1:{down_port}/hook")
        events = await make_events(db)
        worker = start_worker(db, tmp_path / "worker1.log", "--webhooks-only")
        try:
            await wait_until(lambda: asyncio.sleep(0, len(slow.got) >= 15), "the first deliveries")
        finally:
            worker.send_signal(signal.SIGKILL)  # in the middle of its deliveries
            worker.wait(DEADLINE_SECONDS)
        assert (await statuses(db)).get("PENDING", 0) > 0
        async with db.session() as s:
            failed_b = (await s.exec(select(sa.func.count()).select_from(WebhookAttempt).join(
                WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id).where(
                WebhookDelivery.endpoint_id == b.id, WebhookAttempt.ok.is_(False)))).one()
        assert failed_b > 0  # the receiver that is down: refused, recorded, to be retried
        later.start()  # back
        async with db.transaction() as s:  # ... a while later: the retries it scheduled are due
            await s.exec(sa.update(WebhookDelivery).where(WebhookDelivery.status == "PENDING")
                         .values(next_attempt_at=SystemClock().now()))
        worker = start_worker(db, tmp_path / "worker2.log", "--webhooks-only")
        try:
            await wait_until(lambda: _all_delivered(db), "every delivery", 90)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(DEADLINE_SECONDS)
        assert await statuses(db) == {"DELIVERED": 2 * EVENTS}
        duplicates = check_received(slow, a_secret, events)
        assert duplicates <= 50  # only attempts the killed worker had in flight are sent again
        assert check_received(later, b_secret, events) == 0
    finally:
        slow.stop()
        later.stop()


async def _all_delivered(db) -> bool:  # type: ignore[no-untyped-def]
    return await statuses(db) == {"DELIVERED": 2 * EVENTS}


async def test_two_workers_at_once_never_send_one_delivery_twice(db, tmp_path):
    receiver = Receiver(delay=0.01).start()
    try:
        _, secret = await register(db, receiver.url())
        events = await make_events(db, 80)
        # Delivering only: the other jobs (catching up on the demo data's renewals) would slow the test.
        workers = [start_worker(db, tmp_path / "worker1.log", "--webhooks-only"),
                   start_worker(db, tmp_path / "worker2.log", "--webhooks-only")]
        try:
            await wait_until(lambda: _delivered(db, 80), "every delivery")
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            for w in workers:
                w.wait(DEADLINE_SECONDS)
        assert check_received(receiver, secret, events) == 0  # each sent once
        async with db.session() as s:
            attempts = (await s.exec(select(sa.func.count()).select_from(WebhookAttempt))).one()
        assert attempts == 80
    finally:
        receiver.stop()


async def test_a_full_worker_pass_delivers_too(db):
    receiver = Receiver().start()
    try:
        _, secret = await register(db, receiver.url())
        events = await make_events(db, 3)
        assert await run_worker(Settings(database_url=db.url), once=True) == 0
        assert check_received(receiver, secret, events) == 0
        assert await _delivered(db, 3)
    finally:
        receiver.stop()


async def _delivered(db, n: int) -> bool:  # type: ignore[no-untyped-def]
    return await statuses(db) == {"DELIVERED": n}


async def test_the_delivery_loop_alone_makes_one_pass_with_once(db):
    receiver = Receiver().start()
    try:
        _, secret = await register(db, receiver.url())
        events = await make_events(db, 3)
        done = await asyncio.wait_for(run_worker(Settings(database_url=db.url), once=True, webhooks_only=True),
                                      DEADLINE_SECONDS)
        assert done == 0 and check_received(receiver, secret, events) == 0
        assert await _delivered(db, 3)
    finally:
        receiver.stop()
