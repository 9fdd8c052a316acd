"""Subscriptions as the caller may see them."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import select

from db.enums import SubscriptionStatus
from db.models import PaymentMethod, Subscription, SubscriptionEvent, SubscriptionItem
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


@dataclass(frozen=True)
class SubscriptionFilter:
    statuses: tuple[SubscriptionStatus, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    next_billing_after: datetime | None = None
    next_billing_before: datetime | None = None
    account_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()
    number: str | None = None


class SubscriptionRepository(ScopedRepository[Subscription]):
    model = Subscription

    def visible(self) -> Select:
        return select(Subscription).where(self.scope.where(Subscription.account_id, Subscription.location_id))

    def filtered(self, f: SubscriptionFilter) -> Select:
        stmt = self.visible()
        if f.statuses:
            stmt = stmt.where(Subscription.status.in_(f.statuses))
        if f.created_after:
            stmt = stmt.where(Subscription.created_at >= f.created_after)
        if f.created_before:
            stmt = stmt.where(Subscription.created_at < f.created_before)
        if f.next_billing_after:
            stmt = stmt.where(Subscription.next_billing_at >= f.next_billing_after)
        if f.next_billing_before:
            stmt = stmt.where(Subscription.next_billing_at < f.next_billing_before)
        if f.account_ids:
            stmt = stmt.where(Subscription.account_id.in_(f.account_ids))
        if f.location_ids:
            stmt = stmt.where(Subscription.location_id.in_(f.location_ids))
        if f.number:
            stmt = stmt.where(Subscription.number == f.number)
        return stmt

    async def page(self, f: SubscriptionFilter, **window: Any) -> Page[Subscription]:
        return await keyset_page(self.session, self.filtered(f),
                                 [Subscription.created_at, Subscription.id], **window)

    async def count(self, f: SubscriptionFilter) -> int:
        return await count_rows(self.session, self.filtered(f))


async def items_of(session: Any, subscription_id: int) -> list[SubscriptionItem]:
    stmt = select(SubscriptionItem).where(SubscriptionItem.subscription_id == subscription_id).order_by(SubscriptionItem.id)
    return list((await session.exec(stmt)).all())


async def default_method(session: Any, account_id: int) -> PaymentMethod | None:
    stmt = select(PaymentMethod).where(PaymentMethod.account_id == account_id,
                                       PaymentMethod.is_default == True)  # noqa: E712
    return (await session.exec(stmt)).first()


async def events_of(session: Any, subscription_id: int) -> list[SubscriptionEvent]:
    stmt = select(SubscriptionEvent).where(SubscriptionEvent.subscription_id == subscription_id).order_by(SubscriptionEvent.id)
    return list((await session.exec(stmt)).all())
