"""SQL of webhooks: endpoints, the event outbox's fan-out, and claiming deliveries so that several
workers never send the same one at once."""
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from db.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


async def endpoints(session: Any, account_ids: Sequence[int] | None) -> Sequence[WebhookEndpoint]:
    """All endpoints (None: staff), or those of these accounts."""
    stmt = select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))
    if account_ids is not None:
        stmt = stmt.where(col(WebhookEndpoint.account_id).in_(list(account_ids)))
    return (await session.exec(stmt)).all()


async def count_endpoints(session: Any, account_id: int | None) -> int:
    column = col(WebhookEndpoint.account_id)
    where = column.is_(None) if account_id is None else column == account_id
    return (await session.exec(select(sa.func.count()).select_from(WebhookEndpoint).where(where))).one()


async def claim_events(session: Any, lease: str, limit: int) -> Sequence[WebhookEvent]:
    """Events not yet fanned out, claimed by `lease` (one worker each)."""
    ids = select(WebhookEvent.id).where(col(WebhookEvent.fanned_out).is_(False),
                                        col(WebhookEvent.fanout_lease).is_(None)).order_by(col(WebhookEvent.id)).limit(limit)
    # The outer conditions are checked again on each row once its lock is had: of two workers
    # whose subqueries picked the same events, the second finds them fanned out and takes none.
    await session.exec(sa.update(WebhookEvent).where(col(WebhookEvent.id).in_(ids.scalar_subquery()),
                                                     col(WebhookEvent.fanned_out).is_(False),
                                                     col(WebhookEvent.fanout_lease).is_(None))
                       .values(fanout_lease=lease))
    return (await session.exec(select(WebhookEvent).where(WebhookEvent.fanout_lease == lease)
                               .order_by(col(WebhookEvent.id)))).all()


async def enabled_endpoints(session: Any) -> Sequence[WebhookEndpoint]:
    return (await session.exec(select(WebhookEndpoint).where(col(WebhookEndpoint.enabled).is_(True)))).all()


def _earlier_pending() -> Any:
    """An earlier event of the same object still to be delivered to the same endpoint."""
    earlier = sa.orm.aliased(WebhookDelivery)
    return sa.exists().where(earlier.endpoint_id == WebhookDelivery.endpoint_id,
                             earlier.object_key == WebhookDelivery.object_key,
                             earlier.status == "PENDING", earlier.event_id < WebhookDelivery.event_id)


async def due(session: Any, now: datetime, limit: int) -> Sequence[tuple[int, int]]:
    """(delivery id, endpoint id) of deliveries due now, not claimed, of enabled endpoints, and
    first in line for their object at their endpoint; oldest first."""
    stmt = (select(WebhookDelivery.id, WebhookDelivery.endpoint_id)
            .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status == "PENDING", col(WebhookEndpoint.enabled).is_(True),
                   col(WebhookDelivery.next_attempt_at) <= now,
                   sa.or_(col(WebhookDelivery.locked_until).is_(None), col(WebhookDelivery.locked_until) < now),
                   ~_earlier_pending())
            .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id)).limit(limit))
    return [(r[0], r[1]) for r in (await session.exec(stmt)).all()]


async def in_flight(session: Any, now: datetime) -> dict[int, int]:
    """Deliveries claimed and not finished, per endpoint."""
    stmt = (select(WebhookDelivery.endpoint_id, sa.func.count())
            .where(WebhookDelivery.status == "PENDING", col(WebhookDelivery.locked_until) >= now)
            .group_by(col(WebhookDelivery.endpoint_id)))
    return {r[0]: r[1] for r in (await session.exec(stmt)).all()}


async def claim(session: Any, ids: Sequence[int], lease: str, now: datetime, until: datetime) -> Sequence[int]:
    """Take these deliveries for `lease` unless another worker took them first (the WHERE is
    checked again on each row under its lock, so of two workers one gets it)."""
    if not ids:
        return []
    await session.exec(sa.update(WebhookDelivery)
                       .where(col(WebhookDelivery.id).in_(list(ids)), WebhookDelivery.status == "PENDING",
                              sa.or_(col(WebhookDelivery.locked_until).is_(None),
                                     col(WebhookDelivery.locked_until) < now))
                       .values(lease=lease, locked_until=until))
    return (await session.exec(select(WebhookDelivery.id).where(WebhookDelivery.lease == lease,
                                                                col(WebhookDelivery.id).in_(list(ids))))).all()


async def deliveries(session: Any, *, endpoint_ids: Sequence[int] | None, endpoint_id: int | None = None,
                     status: str | None = None, event_type: str | None = None, since: datetime | None = None,
                     until: datetime | None = None, limit: int = 50) -> Sequence[WebhookDelivery]:
    stmt = select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc()).limit(limit)
    if endpoint_ids is not None:
        stmt = stmt.where(col(WebhookDelivery.endpoint_id).in_(list(endpoint_ids)))
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if event_type is not None:
        stmt = stmt.where(WebhookDelivery.event_type == event_type)
    if since is not None:
        stmt = stmt.where(col(WebhookDelivery.created_at) >= since)
    if until is not None:
        stmt = stmt.where(col(WebhookDelivery.created_at) < until)
    return (await session.exec(stmt)).all()


async def attempts(session: Any, delivery_id: int) -> Sequence[WebhookAttempt]:
    return (await session.exec(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
                               .order_by(col(WebhookAttempt.id)))).all()


async def events_between(session: Any, endpoint: WebhookEndpoint, since: datetime, until: datetime,
                         limit: int) -> Sequence[WebhookEvent]:
    """Events of a time range this endpoint receives (its types, its account)."""
    stmt = (select(WebhookEvent).where(col(WebhookEvent.created_at) >= since, col(WebhookEvent.created_at) < until,
                                       col(WebhookEvent.type).in_(list(endpoint.event_types)))
            .order_by(col(WebhookEvent.id)).limit(limit))
    if endpoint.account_id is not None:
        stmt = stmt.where(WebhookEvent.account_id == endpoint.account_id)
    return (await session.exec(stmt)).all()


async def prune(session: Any, before: datetime, limit: int) -> int:
    """Delete events older than `before` whose deliveries are all finished, with their deliveries
    and attempts; how many events went."""
    pending = sa.exists().where(WebhookDelivery.event_id == WebhookEvent.id, WebhookDelivery.status == "PENDING")
    ids = list((await session.exec(select(WebhookEvent.id).where(
        col(WebhookEvent.created_at) < before, col(WebhookEvent.fanned_out).is_(True), ~pending)
        .order_by(col(WebhookEvent.id)).limit(limit))).all())
    if not ids:
        return 0
    deliveries = select(WebhookDelivery.id).where(col(WebhookDelivery.event_id).in_(ids)).scalar_subquery()
    await session.exec(sa.delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(deliveries)))
    await session.exec(sa.delete(WebhookDelivery).where(col(WebhookDelivery.event_id).in_(ids)))
    await session.exec(sa.delete(WebhookEvent).where(col(WebhookEvent.id).in_(ids)))
    return len(ids)
