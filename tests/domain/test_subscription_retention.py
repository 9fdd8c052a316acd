"""A retention discount's line: percent of the items' amounts, negative, rounded half up to the
currency's minor unit (whole yen, fils); it counts down one renewal at a time and then stops."""
from decimal import Decimal

from db.models import Subscription
from domain.subscriptions import retention


def _sub(currency: str, percent: str | None, cycles: int) -> Subscription:
    return Subscription(currency=currency, discount_percent=Decimal(percent) if percent else None,
                        discount_cycles_left=cycles)


def test_the_discount_is_rounded_to_the_minor_unit_and_counts_down():
    assert retention.discount(_sub("USD", "20", 2), [Decimal("10.00"), Decimal("2.55")]) == Decimal("-2.51")
    assert retention.discount(_sub("JPY", "15", 1), [Decimal("1001")]) == Decimal("-150")  # 150.15
    assert retention.discount(_sub("KWD", "12.5", 1), [Decimal("12.345")]) == Decimal("-1.543")  # 1.543125
    assert retention.discount(_sub("USD", "20", 0), [Decimal("10.00")]) is None
    sub = _sub("USD", "20", 2)
    retention.discount_used(sub)
    assert (sub.discount_percent, sub.discount_cycles_left) == (Decimal("20"), 1)
    retention.discount_used(sub)
    assert (sub.discount_percent, sub.discount_cycles_left) == (None, 0)
    assert retention.discount_label(_sub("EUR", "12.5000", 1)) == "Discount 12.5%"
