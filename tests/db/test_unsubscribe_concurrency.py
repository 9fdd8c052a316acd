"""Two requests with one unsubscribe link at the same moment (a mail client's one-click POST and
the person's click): exactly one changes the preference, the other is USED_TOKEN."""
import asyncio

import pytest
from sqlmodel import func, select

from db.engine import Database
from db.models import NotificationPreference, UnsubscribeUse, User
from domain import notifications
from domain.audit import Actor
from domain.errors import Rejected
from domain.notifications import Category, Links, Unsubscribe

pytestmark = pytest.mark.postgres


async def test_one_link_used_twice_at_once_changes_the_preference_once(db, clock):
    async with db.session() as s:
        user = (await s.exec(select(User).where(User.email == "buyer@acme.example"))).one()
    key = Links().secret_key
    token = notifications.make_token(key, Unsubscribe(user.id, Category.SHIPPING, 4242))  # type: ignore[arg-type]
    workers = [Database(db.url) for _ in range(2)]

    async def use(w: Database) -> str:
        try:
            async with w.transaction() as s:
                await notifications.unsubscribe(s, key, token, clock.now(), Actor("ANONYMOUS"))
            return "OK"
        except Rejected as e:
            return e.code.value
    try:
        results = await asyncio.gather(*(use(w) for w in workers))
        assert sorted(results) == ["OK", "USED_TOKEN"]
        async with db.session() as s:
            assert (await s.exec(select(func.count()).select_from(UnsubscribeUse))).one() == 1
            [pref] = (await s.exec(select(NotificationPreference)
                                   .where(NotificationPreference.user_id == user.id))).all()
        assert (pref.user_id, pref.category, pref.enabled) == (user.id, "SHIPPING", False)
    finally:
        for w in workers:
            await w.dispose()
