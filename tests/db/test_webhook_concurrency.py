"""Several webhook workers on one PostgreSQL database: claims taken at the same moment never
overlap (no delivery is sent by two workers at once) and no event is fanned out twice."""
import asyncio

import pytest
from sqlmodel import select

from db.engine import Database
from db.models import Order, WebhookDelivery, WebhookEvent
from domain import audit
from domain.audit import Actor
from domain.webhooks import delivery, endpoints
from domain.webhooks.endpoints import EndpointAsk
from domain.webhooks.settings import WebhookSettings
from tests.conftest import NOW

pytestmark = pytest.mark.postgres

WIDE = WebhookSettings(per_endpoint=1000)


async def _events(db, n: int) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        orders = [o.id for o in (await s.exec(select(Order).order_by(Order.id).limit(n))).all()]
    for order_id in orders:  # one event per object: all are first in line
        async with db.transaction() as s:
            audit.record(s, Actor("STAFF"), "order.cancel", NOW, target_type="Order", target_id=order_id)


async def test_fan_outs_and_claims_at_once_split_the_work_without_overlap(db):
    async with db.transaction() as s:
        for host in ("a", "b"):
            await endpoints.register(s, EndpointAsk(f"https://{host}.example.com/", ["order.cancelled"]), None,
                                     None, NOW, WebhookSettings())
    await _events(db, 40)
    async with db.session() as s:
        n = len((await s.exec(select(WebhookEvent))).all())
    others = [Database(db.url) for _ in range(3)]  # as separate workers: their own connections
    try:
        fanned = await asyncio.gather(*(delivery.fan_out(d, NOW, batch=7) for d in [db, *others]))
        assert sum(fanned) == n
        async with db.session() as s:
            deliveries = (await s.exec(select(WebhookDelivery))).all()
        assert len(deliveries) == 2 * n  # each event to each endpoint, once
        taken: list[int] = []
        while True:  # rounds of four claims at once, until nothing is left (a claim lasts a minute)
            claimed = await asyncio.gather(*(delivery.claim_due(d, NOW, WIDE, room=30) for d in [db, *others]))
            if not any(claimed):
                break
            taken += [d for batch in claimed for d in batch]
    finally:
        for d in others:
            await d.dispose()
    assert len(taken) == len(set(taken))  # no delivery claimed twice
    assert set(taken) == {d.id for d in deliveries}
