"""Notification preferences and used unsubscribe links."""
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select

from db.models import NotificationPreference, UnsubscribeUse, User


def _insert(session: Any) -> Any:
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def choices(session: Any, user_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    """{user id: {category: enabled}} for the categories each user chose explicitly."""
    ids = list(set(user_ids))
    found: dict[int, dict[str, bool]] = {pk: {} for pk in ids}
    if ids:
        stmt = select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))  # type: ignore[attr-defined]
        for row in (await session.exec(stmt)).all():
            found[row.user_id][row.category] = row.enabled
    return found


async def set_choices(session: Any, user_id: int, choices: dict[str, bool], now: datetime) -> None:
    """One upsert: two requests setting the same category at once both succeed, the later one wins."""
    if not choices:
        return
    stmt = _insert(session)(NotificationPreference).values(
        [{"user_id": user_id, "category": c, "enabled": on, "updated_at": now} for c, on in choices.items()])
    stmt = stmt.on_conflict_do_update(index_elements=["user_id", "category"],
                                      set_={"enabled": stmt.excluded.enabled, "updated_at": stmt.excluded.updated_at})
    await session.exec(stmt)


async def users_by_email(session: Any, addresses: Iterable[str]) -> dict[str, User]:
    wanted = list(set(addresses))
    if not wanted:
        return {}
    rows = (await session.exec(select(User).where(User.email.in_(wanted)))).all()  # type: ignore[attr-defined]
    return {u.email: u for u in rows}


async def mark_link_used(session: Any, message_id: int, user_id: int, category: str, now: datetime) -> bool:
    """Record the link's use; False when it was used before (or is being used right now: of two
    requests with one link, exactly one records it)."""
    stmt = (_insert(session)(UnsubscribeUse)
            .values(message_id=message_id, user_id=user_id, category=category, used_at=now)
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(UnsubscribeUse.message_id))
    return (await session.exec(stmt)).first() is not None


async def link_used(session: Any, message_id: int) -> bool:
    return await session.get(UnsubscribeUse, message_id) is not None
