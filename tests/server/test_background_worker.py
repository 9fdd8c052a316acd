"""`portalql worker` (server/worker.py): besides the mail outbox, each pass forgets idempotency keys
older than a day, so the table does not grow forever; younger keys still replay."""
from datetime import timedelta

from sqlmodel import select

from db.models import IdempotencyKey
from domain import idempotency
from domain.clock import FixedClock
from domain.invoicing import MerchantSettings
from server.worker import work_once
from tests.conftest import NOW


async def test_a_pass_forgets_idempotency_keys_older_than_a_day_and_keeps_the_rest(db):
    ages = {"week-old": timedelta(days=7), "a-day-and-a-minute": timedelta(hours=24, minutes=1),
            "almost-a-day": timedelta(hours=23, minutes=59), "just-now": timedelta(0)}
    async with db.transaction() as s:
        for key, age in ages.items():
            s.add(IdempotencyKey(principal="user:1", operation="orderPlace", key=key, request_hash="0" * 64,
                                 result_type="Order", result_id=1, created_at=NOW - age))
    await work_once(db, None, FixedClock(NOW), MerchantSettings())  # no SMTP: the outbox waits, keys are still pruned
    async with db.session() as s:
        left = set((await s.exec(select(IdempotencyKey.key))).all())
    assert left == {"almost-a-day", "just-now"}
    assert idempotency.KEEP_HOURS == 24
    # A day later the rest go too; a pass with nothing to forget changes nothing.
    assert await idempotency.prune(db, NOW + timedelta(hours=24, seconds=1)) == 2
    assert await idempotency.prune(db, NOW + timedelta(days=2)) == 0
