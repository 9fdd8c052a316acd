"""Subscriptions as the caller may see them."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import select

from db.enums import SubscriptionStatus
from db.models import (Account, Invoice, Location, PaymentMethod, ProductVariant, Subscription, SubscriptionAddon, SubscriptionCycle, SubscriptionEvent,
                       SubscriptionItem, SubscriptionPortalSetting, SubscriptionRetentionOffer)
from db.models.subscriptions import BILLING_AT, LIVE, NOT_NOTIFIED, PAUSED
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


# The renewal worker's claims (domain/subscriptions/renewals.py): a batch of rows locked with
# SKIP LOCKED on PostgreSQL, so two workers take different ones; SQLite has one writer anyway.

def _claimed(session: Any, stmt: Any, of: Any) -> Any:
    if session.bind.dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True, of=of)
    return stmt


# The claims' conditions as written in the partial indexes they read (db/models/subscriptions.py);
# unqualified, as the claims read the subscription table alone.
_BILLING_AT = sa.literal_column(BILLING_AT)
_LIVE, _PAUSED, _NOT_NOTIFIED = sa.text(LIVE), sa.text(PAUSED), sa.text(NOT_NOTIFIED)


async def due_for_renewal(session: Any, now: datetime, limit: int) -> list[Subscription]:
    """Subscriptions whose billing date has come (ACTIVE, TRIALING), oldest date first, then those
    whose pause ended (PAUSED): a read of an index each (ix_subscription_billing_due, _pause_end)."""
    live = (select(Subscription).where(_LIVE, _BILLING_AT <= now)
            .order_by(_BILLING_AT, Subscription.id).limit(limit))
    found = list((await session.exec(_claimed(session, live, Subscription))).all())
    if len(found) < limit:
        paused = (select(Subscription).where(_PAUSED, Subscription.paused_until <= now)  # type: ignore[operator]
                  .order_by(Subscription.paused_until, Subscription.id).limit(limit - len(found)))
        found += (await session.exec(_claimed(session, paused, Subscription))).all()
    return found


async def accounts_and_locations(session: Any, account_ids: list[int], location_ids: list[int]) -> None:
    """Read these accounts and locations into the session at once (a worker batch then finds them
    there). The session's identity map holds rows weakly: session.info keeps them for the transaction."""
    rows: list[Any] = list((await session.exec(select(Account).where(Account.id.in_(account_ids)))).all())  # type: ignore[attr-defined]
    if location_ids:
        rows += (await session.exec(select(Location).where(Location.id.in_(location_ids)))).all()  # type: ignore[attr-defined]
    session.info["held_rows"] = rows


async def items_of_all(session: Any, subscription_ids: list[int]) -> dict[int, list[SubscriptionItem]]:
    stmt = (select(SubscriptionItem).where(SubscriptionItem.subscription_id.in_(subscription_ids))  # type: ignore[attr-defined]
            .order_by(SubscriptionItem.id))
    out: dict[int, list[SubscriptionItem]] = {}
    for item in (await session.exec(stmt)).all():
        out.setdefault(item.subscription_id, []).append(item)
    return out


async def retries_due(session: Any, now: datetime, limit: int) -> list[SubscriptionCycle]:
    """Cycles whose failed charge is to be tried again now."""
    stmt = (select(SubscriptionCycle).where(SubscriptionCycle.next_retry_at <= now)  # type: ignore[operator]
            .order_by(SubscriptionCycle.next_retry_at, SubscriptionCycle.id).limit(limit))
    return list((await session.exec(_claimed(session, stmt, SubscriptionCycle))).all())


async def subscriptions_locked(session: Any, ids: list[int]) -> dict[int, Subscription]:
    stmt = select(Subscription).where(Subscription.id.in_(ids)).order_by(Subscription.id)  # type: ignore[union-attr]
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return {s.id: s for s in (await session.exec(stmt)).all()}


async def invoices_locked(session: Any, ids: list[int]) -> dict[int, Invoice]:
    stmt = select(Invoice).where(Invoice.id.in_(ids)).order_by(Invoice.id)  # type: ignore[union-attr]
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return {i.id: i for i in (await session.exec(stmt)).all()}


# The merchant's portal, retention offers, add-ons and the cancellation report ----------------------

async def portal_setting(session: Any) -> SubscriptionPortalSetting | None:
    return await session.get(SubscriptionPortalSetting, 1)


async def portal_setting_locked(session: Any) -> SubscriptionPortalSetting | None:
    stmt = select(SubscriptionPortalSetting).where(SubscriptionPortalSetting.id == 1)
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def sibling_variants(session: Any, variant_id: int) -> list[int]:
    """The other active variants of a variant's product (pricing says whether each is sold here)."""
    product = select(ProductVariant.product_id).where(ProductVariant.id == variant_id).scalar_subquery()
    stmt = (select(ProductVariant.id).where(ProductVariant.product_id == product, ProductVariant.id != variant_id,
                                            ProductVariant.is_active == True)  # noqa: E712
            .order_by(ProductVariant.id))
    return list((await session.exec(stmt)).all())


async def successor_of(session: Any, number: str) -> bool:
    """Whether a subscription was begun again after `number` ended (numbered `<number>-R`)."""
    stmt = select(Subscription.id).where(Subscription.number == f"{number}-R")
    return (await session.exec(stmt)).first() is not None


async def offer_of(session: Any, subscription_id: int) -> SubscriptionRetentionOffer | None:
    stmt = select(SubscriptionRetentionOffer).where(SubscriptionRetentionOffer.subscription_id == subscription_id)
    return (await session.exec(stmt)).first()


async def open_addons(session: Any, subscription_ids: list[int]) -> dict[int, list[SubscriptionAddon]]:
    """The add-ons not yet billed, by subscription, oldest first (one statement for a batch)."""
    stmt = (select(SubscriptionAddon).where(SubscriptionAddon.subscription_id.in_(subscription_ids),  # type: ignore[attr-defined]
                                            SubscriptionAddon.invoice_id.is_(None),  # type: ignore[union-attr]
                                            SubscriptionAddon.order_id.is_(None))  # type: ignore[union-attr]
            .order_by(SubscriptionAddon.id))
    out: dict[int, list[SubscriptionAddon]] = {}
    for addon in (await session.exec(stmt)).all():
        out.setdefault(addon.subscription_id, []).append(addon)
    return out


async def cancellation_events(session: Any, since: datetime | None) -> list[SubscriptionEvent]:
    """Every cancellation (now or scheduled) since an instant: the report counts them."""
    stmt = select(SubscriptionEvent).where(SubscriptionEvent.kind.in_(["CANCELLED", "CANCEL_SCHEDULED"]))  # type: ignore[attr-defined]
    if since is not None:
        stmt = stmt.where(SubscriptionEvent.created_at >= since)
    return list((await session.exec(stmt.order_by(SubscriptionEvent.id))).all())


async def offers_since(session: Any, since: datetime | None) -> list[SubscriptionRetentionOffer]:
    stmt = select(SubscriptionRetentionOffer)
    if since is not None:
        stmt = stmt.where(SubscriptionRetentionOffer.shown_at >= since)
    return list((await session.exec(stmt.order_by(SubscriptionRetentionOffer.id))).all())


async def due_for_notice(session: Any, now: datetime, horizon: datetime, limit: int) -> list[Subscription]:
    """Live subscriptions renewing after now and by `horizon` whose notices for that billing date
    are not yet sent (`notified_for`); not those ending at the period end."""
    stmt = (select(Subscription).where(
        _LIVE, _NOT_NOTIFIED, _BILLING_AT > now, _BILLING_AT <= horizon,  # ix_subscription_notice_due
        Subscription.cancel_at_period_end == False)  # noqa: E712
        .order_by(_BILLING_AT, Subscription.id).limit(limit))
    return list((await session.exec(_claimed(session, stmt, Subscription))).all())


async def default_methods_locked(session: Any, account_ids: list[int]) -> dict[int, PaymentMethod]:
    """The accounts' default payment methods, locked (PostgreSQL): a card is told of its expiry once
    even when two workers notice two subscriptions of its account at once."""
    stmt = (select(PaymentMethod).where(PaymentMethod.account_id.in_(account_ids),  # type: ignore[attr-defined]
                                        PaymentMethod.is_default == True)  # noqa: E712
            .order_by(PaymentMethod.id))
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return {m.account_id: m for m in (await session.exec(stmt)).all()}
