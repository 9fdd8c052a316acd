"""Proration of a plan change, to the second (Stripe's rule): with f = seconds left ÷ seconds in
the period, a credit of −(old amount × f) and a charge of new amount × f, each rounded half up
to the currency's minor unit. The old amount is the price in effect: after a first upgrade in a
period, the price that upgrade charged for, never the price the period started with."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from domain.money import minor_unit

# How long a preview's quote is honoured: its proration instant is accepted this far back.
QUOTE_VALIDITY = timedelta(minutes=10)


@dataclass(frozen=True)
class Proration:
    at: datetime
    seconds_left: int
    seconds_in_period: int
    credit: Decimal  # ≤ 0
    charge: Decimal  # ≥ 0

    @property
    def total(self) -> Decimal:
        return self.credit + self.charge


def prorated(amount: Decimal, seconds_left: int, seconds_in_period: int, currency: str) -> Decimal:
    """amount × left ÷ period, computed exactly and rounded half up (away from zero) once."""
    exact = Fraction(amount) * seconds_left / seconds_in_period
    unit = Fraction(minor_unit(currency))
    units, rest = divmod(abs(exact), unit)
    if rest * 2 >= unit:
        units += 1
    rounded = Decimal(int(units)) * minor_unit(currency)
    return -rounded if exact < 0 else rounded


def prorate(old_amount: Decimal, new_amount: Decimal, currency: str, start: datetime, end: datetime,
            at: datetime) -> Proration:
    """The two lines of a change at `at` inside the period [start, end)."""
    if not start <= at < end:
        raise ValueError("the proration instant lies outside the period")
    total = int((end - start).total_seconds())
    left = int((end - at).total_seconds())
    return Proration(at, left, total, -prorated(old_amount, left, total, currency),
                     prorated(new_amount, left, total, currency))


def proration_instant(requested: datetime | None, now: datetime, start: datetime, end: datetime) -> datetime | None:
    """The instant a change prorates at: now, or a preview's instant if it lies in the current
    period and is at most QUOTE_VALIDITY old (so a quoted price is honoured, briefly). None when
    the requested instant is not acceptable."""
    # Whole seconds, as Stripe's proration_date: the quoted instant is printed and passed back exactly.
    requested = (now if requested is None else requested).replace(microsecond=0)
    if not start <= requested < end or requested > now or now - requested > QUOTE_VALIDITY:
        return None
    return requested
