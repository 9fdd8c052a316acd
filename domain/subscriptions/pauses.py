"""Pausing and resuming (Recharge's and Stripe's pause): a paused subscription bills nothing until
it resumes, on a date the customer chose or after N skipped cycles, never longer than the
merchant's maximum. Resuming early bills again from the next date of its cadence. Neither costs
anything now, so a preview is the dates alone."""
from dataclasses import dataclass
from datetime import datetime

from db.enums import SubscriptionStatus
from db.models import Subscription
from domain.errors import reject
from domain.subscriptions.codes import SubscriptionErrorCode as E
from domain.subscriptions.periods import boundary, period_at
from domain.subscriptions.plans import EventKind, event

@dataclass(frozen=True)
class PauseAsk:
    until: datetime | None = None
    cycles: int | None = None


@dataclass(frozen=True)
class Schedule:
    """What a pause or resume does: from when, and when the subscription bills next."""

    subscription: Subscription
    effective_at: datetime
    next_billing_at: datetime | None


def _horizon(sub: Subscription, cycles: int) -> datetime:
    """The billing date `cycles` renewals after the current period ends."""
    return boundary(sub.current_period_start, sub.interval, sub.interval_count, cycles + 1)


def pause_plan(sub: Subscription, ask: PauseAsk, now: datetime, max_cycles: int) -> Schedule:
    """When a pause of `ask` resumes billing, at most `max_cycles` (the merchant's portal) ahead;
    written nowhere."""
    if sub.status is not SubscriptionStatus.ACTIVE or sub.cancel_at_period_end:
        why = "ends at the period end" if sub.status is SubscriptionStatus.ACTIVE else f"is {sub.status.value}"
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} {why}: only an active one is paused", "input", "id")
    if (ask.until is None) == (ask.cycles is None):
        raise reject(E.INVALID_PAUSE, "Give either a date to resume on or a number of cycles", "input", "until")
    limit = _horizon(sub, max_cycles)
    if ask.cycles is not None:
        if not 1 <= ask.cycles <= max_cycles:
            raise reject(E.INVALID_PAUSE, f"Pause for 1 to {max_cycles} cycles", "input", "cycles")
        resumes = _horizon(sub, ask.cycles)
    else:
        resumes = ask.until  # type: ignore[assignment]
        if resumes <= now:
            raise reject(E.INVALID_PAUSE, "The date to resume on must be in the future", "input", "until")
        if resumes > limit:
            raise reject(E.BEYOND_HORIZON, f"A pause lasts at most {max_cycles} cycles: resume by "
                         f"{limit:%Y-%m-%d}", "input", "until")
    return Schedule(sub, now, resumes)


def resume_plan(sub: Subscription, now: datetime) -> Schedule:
    if sub.status is not SubscriptionStatus.PAUSED:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} is {sub.status.value}: only a paused one resumes",
                     "input", "id")
    anchor = min(sub.current_period_start, now)
    return Schedule(sub, now, period_at(anchor, sub.interval, sub.interval_count, now)[1])


def pause(session, schedule: Schedule, user_id: int | None, now: datetime) -> Subscription:  # type: ignore[no-untyped-def]
    sub = schedule.subscription
    sub.status, sub.paused_until, sub.next_billing_at = SubscriptionStatus.PAUSED, schedule.next_billing_at, None
    sub.version += 1
    session.add(sub)
    event(session, sub, EventKind.PAUSED, now, user_id, resumesAt=schedule.next_billing_at.isoformat())  # type: ignore[union-attr]
    return sub


def resume(session, schedule: Schedule, user_id: int | None, now: datetime) -> Subscription:  # type: ignore[no-untyped-def]
    sub = schedule.subscription
    sub.status, sub.paused_until, sub.next_billing_at = SubscriptionStatus.ACTIVE, None, schedule.next_billing_at
    sub.version += 1
    session.add(sub)
    event(session, sub, EventKind.RESUMED, now, user_id, nextBillingAt=schedule.next_billing_at.isoformat())  # type: ignore[union-attr]
    return sub
