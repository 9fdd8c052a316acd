"""Billing periods counted from the anchor: a clamped day comes back, 29 February returns in leap
years, weeks and days are whole days, the time of day is kept, a boundary starts the next period."""
from datetime import datetime, timedelta, timezone

import pytest

from db.enums import BillingInterval as I
from domain.subscriptions.periods import add_months, boundary, next_boundary, period_at


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_monthly_from_the_31st_clamps_to_the_month_end_and_the_anchor_day_comes_back():
    anchor = at(2032, 1, 31, 10, 15, 30)
    assert [boundary(anchor, I.MONTH, 1, k) for k in range(1, 6)] == [
        at(2032, 2, 29, 10, 15, 30), at(2032, 3, 31, 10, 15, 30), at(2032, 4, 30, 10, 15, 30),
        at(2032, 5, 31, 10, 15, 30), at(2032, 6, 30, 10, 15, 30)]
    assert boundary(at(2031, 1, 31), I.MONTH, 1, 1) == at(2031, 2, 28)  # not a leap year


def test_every_three_months_from_the_30th_of_november():
    anchor = at(2031, 11, 30, 23, 59, 59)
    assert boundary(anchor, I.MONTH, 3, 1) == at(2032, 2, 29, 23, 59, 59)
    assert boundary(anchor, I.MONTH, 3, 2) == at(2032, 5, 30, 23, 59, 59)
    assert add_months(anchor, -11) == at(2030, 12, 30, 23, 59, 59)


def test_yearly_from_29_february_is_28_february_then_29_again_in_a_leap_year():
    anchor = at(2028, 2, 29, 8)
    assert [boundary(anchor, I.YEAR, 1, k) for k in range(1, 5)] == [
        at(2029, 2, 28, 8), at(2030, 2, 28, 8), at(2031, 2, 28, 8), at(2032, 2, 29, 8)]
    assert boundary(anchor, I.YEAR, 2, 1) == at(2030, 2, 28, 8)


def test_weekly_and_daily_are_whole_days_with_the_time_kept():
    anchor = at(2031, 3, 29, 1, 30)  # the night Europe moves its clocks: UTC does not
    assert boundary(anchor, I.WEEK, 2, 1) == at(2031, 4, 12, 1, 30)
    assert boundary(anchor, I.DAY, 1, 3) == at(2031, 4, 1, 1, 30)
    assert boundary(anchor, I.DAY, 10, 1) - anchor == timedelta(days=10)


def test_the_period_holding_an_instant_starts_at_a_boundary_it_reaches():
    anchor = at(2032, 1, 31, 12)
    assert period_at(anchor, I.MONTH, 1, anchor) == (anchor, at(2032, 2, 29, 12))
    assert period_at(anchor, I.MONTH, 1, at(2032, 2, 29, 11, 59, 59)) == (anchor, at(2032, 2, 29, 12))
    assert period_at(anchor, I.MONTH, 1, at(2032, 2, 29, 12)) == (at(2032, 2, 29, 12), at(2032, 3, 31, 12))
    assert next_boundary(anchor, I.MONTH, 1, at(2032, 3, 31, 12)) == at(2032, 4, 30, 12)


@pytest.mark.parametrize("interval,count", [(I.DAY, 1), (I.WEEK, 1), (I.MONTH, 1), (I.MONTH, 6), (I.YEAR, 1)])
def test_the_period_found_directly_is_the_one_reached_step_by_step(interval, count):
    anchor = at(2029, 1, 31, 6, 45)
    instants = [anchor + timedelta(days=d, seconds=s) for d in (0, 1, 27, 59, 366, 1461, 3000) for s in (0, 1, -1)]
    for instant in (i for i in instants if i >= anchor):
        k = 0
        while boundary(anchor, interval, count, k + 1) <= instant:
            k += 1
        assert period_at(anchor, interval, count, instant) == (boundary(anchor, interval, count, k),
                                                               boundary(anchor, interval, count, k + 1))


def test_an_instant_before_the_anchor_or_a_zero_cadence_is_refused():
    with pytest.raises(ValueError):
        period_at(at(2031, 1, 1), I.MONTH, 1, at(2030, 12, 31))
    with pytest.raises(ValueError):
        boundary(at(2031, 1, 1), I.MONTH, 0, 1)
