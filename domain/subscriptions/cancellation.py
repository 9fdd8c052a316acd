"""Cancelling (Stripe's customer portal cancellation): now, or at the period end as the merchant's
portal says, with the customer's reason from a fixed survey and a comment kept in the history.
A cancellation at the period end is taken back by reactivating before then."""
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from db.enums import SubscriptionStatus
from db.models import Subscription
from domain.errors import reject
from domain.subscriptions.codes import SubscriptionErrorCode as E
from domain.subscriptions.pauses import Schedule
from domain.subscriptions.plans import EventKind, event
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
