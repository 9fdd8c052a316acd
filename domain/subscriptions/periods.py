"""Billing periods in UTC. Every boundary is counted from the anchor (the subscription's first
period start), never from the previous boundary, so a day clamped in a short month comes back:
anchor 31 January → 29 February → 31 March; 29 February → 28 February → 29 February in a leap year.
Weekly and daily periods are whole days; the time of day is kept."""
import calendar
from datetime import datetime, timedelta

from db.enums import BillingInterval


def add_months(anchor: datetime, months: int) -> datetime:
    """The anchor moved by whole months, its day clamped to the month's last day."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    day = min(anchor.day, calendar.monthrange(year, month + 1)[1])
    return anchor.replace(year=year, month=month + 1, day=day)


def boundary(anchor: datetime, interval: BillingInterval, count: int, k: int) -> datetime:
    """The k-th period boundary after the anchor (k = 0 is the anchor itself)."""
    if count < 1:
        raise ValueError("a period is at least one interval long")
    steps = count * k
    if interval is BillingInterval.MONTH:
        return add_months(anchor, steps)
    if interval is BillingInterval.YEAR:
        return add_months(anchor, 12 * steps)
    if interval is BillingInterval.WEEK:
        return anchor + timedelta(weeks=steps)
    return anchor + timedelta(days=steps)


def period_at(anchor: datetime, interval: BillingInterval, count: int, at: datetime) -> tuple[datetime, datetime]:
    """The period [start, end) holding `at` (at or after the anchor)."""
    if at < anchor:
        raise ValueError("before the subscription's anchor")
    # An estimate from the average length, then a step either way: no loop over years of periods.
    approx = {BillingInterval.DAY: 86400, BillingInterval.WEEK: 7 * 86400,
              BillingInterval.MONTH: 2629746, BillingInterval.YEAR: 31556952}[interval] * count
    k = max(0, int((at - anchor).total_seconds() // approx) - 1)
    while boundary(anchor, interval, count, k + 1) <= at:
        k += 1
    while k > 0 and boundary(anchor, interval, count, k) > at:
        k -= 1
    return boundary(anchor, interval, count, k), boundary(anchor, interval, count, k + 1)


def next_boundary(anchor: datetime, interval: BillingInterval, count: int, at: datetime) -> datetime:
    """The first boundary strictly after `at`: the next billing date."""
    return period_at(anchor, interval, count, at)[1]
