"""Cancelling (Stripe's customer portal cancellation): now, or at the period end as the merchant's
portal says, with the customer's reason from a fixed survey and a comment kept in the history.
A cancellation at the period end is taken back by reactivating before then; reactivating one that
has ended begins a new subscription."""
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from db.enums import SubscriptionStatus
from db.models import Subscription, SubscriptionItem
from db.repositories import subscriptions as repo
from domain import ordering
from domain.errors import reject
from domain.invoicing import MerchantSettings
from domain.ordering import LineRequest, Pricer
from domain.payments import PaymentGateway
from domain.subscriptions.codes import SubscriptionErrorCode as E
from domain.subscriptions.pauses import Schedule
from domain.pricing import ListPriceRates
from domain.subscriptions import renewals
from domain.subscriptions.plans import EventKind, _priced_problems, event
from domain.subscriptions.portal import CancelMode

CANCELLABLE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAUSED,
               SubscriptionStatus.PAST_DUE)
COMMENT_LENGTH = 1000


class CancelReason(StrEnum):
    """Stripe's cancellation survey."""

    TOO_EXPENSIVE = "TOO_EXPENSIVE"
    MISSING_FEATURES = "MISSING_FEATURES"
    SWITCHED_SERVICE = "SWITCHED_SERVICE"
    UNUSED = "UNUSED"
    CUSTOMER_SERVICE = "CUSTOMER_SERVICE"
    TOO_COMPLEX = "TOO_COMPLEX"
    LOW_QUALITY = "LOW_QUALITY"
    OTHER = "OTHER"


@dataclass(frozen=True)
class Cancellation:
    schedule: Schedule  # effective now or at the period end; nothing billed after
    mode: CancelMode
    reason: CancelReason | None
    comment: str | None


def cancel_plan(sub: Subscription, mode: CancelMode, reason: CancelReason | None, comment: str | None,
                now: datetime) -> Cancellation:
    if sub.status not in CANCELLABLE or sub.cancel_at_period_end:
        why = "ends at the period end already" if sub.cancel_at_period_end else f"is {sub.status.value}"
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} {why}", "input", "id")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_LENGTH:
        raise reject(E.INVALID_COMMENT, f"A comment is at most {COMMENT_LENGTH} characters", "input", "comment")
    # Only an active period runs to its end; a paused or past-due one stops now.
    if sub.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING) or now >= sub.current_period_end:
        mode = CancelMode.NOW
    at = now if mode is CancelMode.NOW else sub.current_period_end
    return Cancellation(Schedule(sub, at, None), mode, reason, comment)


def cancel(session: Any, c: Cancellation, user_id: int | None, now: datetime) -> Subscription:
    sub = c.schedule.subscription
    if c.mode is CancelMode.NOW:
        sub.status, sub.cancelled_at, sub.next_billing_at, sub.paused_until = \
            SubscriptionStatus.CANCELLED, now, None, None
    else:
        sub.cancel_at_period_end = True  # the renewal at the period end expires it instead
    sub.version += 1
    session.add(sub)
    event(session, sub, EventKind.CANCELLED if c.mode is CancelMode.NOW else EventKind.CANCEL_SCHEDULED, now,
          user_id, effectiveAt=c.schedule.effective_at.isoformat(),
          reason=c.reason.value if c.reason else None, comment=c.comment)
    return sub


def reactivate(session: Any, sub: Subscription, user_id: int | None, now: datetime) -> Subscription:
    """Take back a cancellation at the period end, before that end."""
    if not sub.cancel_at_period_end or sub.status not in CANCELLABLE or now >= sub.current_period_end:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} is not ending at its period end", "input", "id")
    sub.cancel_at_period_end = False
    sub.version += 1
    session.add(sub)
    event(session, sub, EventKind.REACTIVATED, now, user_id)
    return sub


ENDED = (SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED)


@dataclass(frozen=True)
class Restart:
    """A subscription that ended, begun again as a new one: its items at today's contracted prices."""

    ended: Subscription
    subscription: Subscription
    items: list[SubscriptionItem]


async def restart_plan(session: Any, sub: Subscription, pricer: Pricer, now: datetime) -> Restart:
    """Reactivating after the end makes a new subscription (Stripe's rule: an ended one stays
    ended), numbered after the old one, of the same items and cadence, billed from now."""
    if sub.status not in ENDED:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} has not ended", "input", "id")
    number = f"{sub.number}-R"
    if len(number) > 32 or await repo.successor_of(session, sub.number):
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} was reactivated already", "input", "id")
    if sub.location_id is None:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} has no location to price at", "input", "id")
    old = await repo.items_of(session, sub.id)  # type: ignore[arg-type]
    priced, found = await ordering.price_lines(session, sub.location_id, sub.currency,
                                               [LineRequest(i.quantity, variant_id=i.variant_id) for i in old],
                                               pricer, merge=False)
    if found:
        raise _priced_problems(found)
    new = Subscription(number=number, account_id=sub.account_id, location_id=sub.location_id,
                       status=SubscriptionStatus.ACTIVE, kind=sub.kind, interval=sub.interval,
                       interval_count=sub.interval_count, currency=sub.currency, current_period_start=now,
                       current_period_end=now, next_billing_at=now, collection_method=sub.collection_method,
                       placed_by_user_id=sub.placed_by_user_id, created_at=now)
    items = [SubscriptionItem(variant_id=i.variant_id, quantity=i.quantity, unit_price=p.unit_price,
                              currency=sub.currency) for i, p in zip(old, priced)]
    return Restart(sub, new, items)


async def restart(session: Any, r: Restart, gateway: PaymentGateway, merchant: MerchantSettings,
                  user_id: int | None, now: datetime, rates: ListPriceRates | None = None) -> Subscription:
    """Write the new subscription and bill its first period now (as a renewal does)."""
    new = r.subscription
    session.add(new)
    await session.flush()  # the number is unique: a second reactivation at the same moment fails here
    for item in r.items:
        item.subscription_id = new.id
        session.add(item)
    event(session, r.ended, EventKind.REACTIVATED, now, user_id, newSubscriptionId=new.id, number=new.number)
    event(session, new, EventKind.REACTIVATED, now, user_id, fromSubscriptionId=r.ended.id, number=r.ended.number)
    await session.flush()
    await renewals.renew_now(session, new, gateway, merchant, now, rates)
    return new
