"""Proration to the second, worked by hand (the shape of Stripe's proration examples): f = seconds
left ÷ seconds in the period; credit −(old × f) and charge new × f, each rounded half up to the
currency's minor unit (USD cents, JPY yen, KWD fils)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from domain.subscriptions.proration import QUOTE_VALIDITY, prorate, prorated, proration_instant


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_usd_monthly_upgrade_on_the_16th_of_a_31_day_month():
    # 16 of 31 days left: 10.00 × 16/31 = 5.1612… → 5.16; 20.00 × 16/31 = 10.3225… → 10.32
    p = prorate(D("10.00"), D("20.00"), "USD", at(2031, 1, 1), at(2031, 2, 1), at(2031, 1, 16))
    assert (p.seconds_left, p.seconds_in_period) == (16 * 86400, 31 * 86400)
    assert (p.credit, p.charge, p.total) == (D("-5.16"), D("10.32"), D("5.16"))


def test_jpy_yearly_over_a_leap_day_rounds_to_whole_yen():
    # 1 March 2031 → 1 March 2032 holds 29 February: 366 days; 182 left from 1 September.
    # 1000 × 182/366 = 497.26… → 497; 3000 × 182/366 = 1491.80… → 1492
    p = prorate(D("1000"), D("3000"), "JPY", at(2031, 3, 1), at(2032, 3, 1), at(2031, 9, 1))
    assert p.seconds_in_period == 366 * 86400
    assert (p.credit, p.charge) == (D("-497"), D("1492"))


def test_kwd_weekly_half_way_rounds_half_up_to_three_decimals():
    # 3.5 of 7 days left at 21:30: 12.345 / 2 = 6.1725 → 6.173 (half up, also for the credit)
    p = prorate(D("12.345"), D("20.000"), "KWD", at(2031, 1, 6, 9, 30), at(2031, 1, 13, 9, 30),
                at(2031, 1, 9, 21, 30))
    assert (p.credit, p.charge) == (D("-6.173"), D("10.000"))


def test_eur_daily_exact_half_cent_rounds_up():
    # 0.05 for half a day: 0.025 → 0.03 both ways
    p = prorate(D("0.05"), D("0.05"), "EUR", at(2031, 6, 1), at(2031, 6, 2), at(2031, 6, 1, 12))
    assert (p.credit, p.charge) == (D("-0.03"), D("0.03"))


def test_a_change_one_second_before_the_period_ends():
    start, end = at(2031, 4, 1), at(2031, 5, 1)  # 30 days: 2,592,000 s
    p = prorate(D("30.00"), D("100000.00"), "USD", start, end, end - timedelta(seconds=1))
    # 30 / 2,592,000 = 0.0000115… → 0.00; 100000 / 2,592,000 = 0.0385… → 0.04
    assert (p.seconds_left, p.credit, p.charge) == (1, D("0.00"), D("0.04"))
    p = prorate(D("3000"), D("90000"), "JPY", start, end, end - timedelta(seconds=1))
    assert (p.credit, p.charge) == (D("0"), D("0"))


def test_a_change_at_the_period_start_credits_and_charges_in_full():
    p = prorate(D("49.99"), D("99.99"), "USD", at(2032, 2, 1), at(2032, 3, 1), at(2032, 2, 1))
    assert (p.credit, p.charge) == (D("-49.99"), D("99.99"))


def test_a_second_upgrade_prorates_the_price_the_first_one_charged_for():
    start, end = at(2031, 4, 1), at(2031, 5, 1)
    first = prorate(D("10.00"), D("20.00"), "USD", start, end, at(2031, 4, 16))  # half left
    second = prorate(D("20.00"), D("30.00"), "USD", start, end, at(2031, 4, 23, 12))  # a quarter left
    assert (first.credit, first.charge) == (D("-5.00"), D("10.00"))
    assert (second.credit, second.charge) == (D("-5.00"), D("7.50"))  # not −2.50 (10.00 × ¼)


def test_the_instant_must_lie_in_the_period():
    with pytest.raises(ValueError):
        prorate(D("1"), D("2"), "USD", at(2031, 4, 1), at(2031, 5, 1), at(2031, 5, 1))
    assert prorated(D("-10.00"), 1, 3, "USD") == D("-3.33")


def test_a_quoted_instant_is_honoured_briefly_and_only_inside_the_period():
    start, end, now = at(2031, 4, 1), at(2031, 5, 1), at(2031, 4, 10, 12)
    assert proration_instant(None, now, start, end) == now
    quoted = now - QUOTE_VALIDITY
    assert proration_instant(quoted, now, start, end) == quoted
    assert proration_instant(quoted - timedelta(seconds=1), now, start, end) is None  # too old
    assert proration_instant(now + timedelta(seconds=1), now, start, end) is None  # in the future
    assert proration_instant(start - timedelta(seconds=1), start + timedelta(minutes=1), start, end) is None
    assert proration_instant(None, end, start, end) is None  # the period is over: renew first


def test_the_instant_is_whole_seconds_so_a_quote_passed_back_is_the_same_instant():
    start, end = at(2031, 4, 1), at(2031, 5, 1)
    now = at(2031, 4, 10, 12).replace(microsecond=726006)
    assert proration_instant(None, now, start, end) == at(2031, 4, 10, 12)
    assert proration_instant(now, now, start, end) == at(2031, 4, 10, 12)
