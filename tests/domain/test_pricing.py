from decimal import Decimal

from domain.pricing import PriceLevel, PriceSchedule, PriceSource, QuantityRuleData

D = Decimal


def schedule(*levels: PriceLevel) -> PriceSchedule:
    return PriceSchedule(list(levels))


def test_no_price_list_means_list_price():
    price = schedule().unit_price(D("10.00"), "USD", 3)
    assert (price.amount, price.currency, price.source) == (D("10.00"), "USD", PriceSource.LIST_PRICE)


def test_location_level_wins_over_account_level():
    loc = PriceLevel(PriceSource.LOCATION_PRICE_LIST, "USD")
    loc.add_fixed(1, D("7.00"))
    acc = PriceLevel(PriceSource.ACCOUNT_PRICE_LIST, "USD")
    acc.add_fixed(1, D("6.00"))
    assert schedule(loc, acc).unit_price(D("10"), "USD").amount == D("7.00")


def test_an_empty_location_level_falls_through_to_the_account():
    acc = PriceLevel(PriceSource.ACCOUNT_PRICE_LIST, "USD", adjustment_percent=D("-10"))
    price = schedule(PriceLevel(PriceSource.LOCATION_PRICE_LIST), acc).unit_price(D("10.00"), "USD")
    assert (price.amount, price.source) == (D("9.0000"), PriceSource.ACCOUNT_PRICE_LIST)


def test_quantity_breaks_take_the_highest_reached():
    level = PriceLevel(PriceSource.ACCOUNT_PRICE_LIST, "USD")
    for q, p in ((1, "9"), (50, "8"), (200, "7")):
        level.add_fixed(q, D(p))
    s = schedule(level)
    assert [s.unit_price(D("10"), "USD", q).amount for q in (1, 49, 50, 199, 200, 10_000)] == \
        [D(9), D(9), D(8), D(8), D(7), D(7)]


def test_breaks_starting_above_one_leave_the_list_price_below_them():
    level = PriceLevel(PriceSource.ACCOUNT_PRICE_LIST, "USD")
    level.add_fixed(100, D("5"))
    s = schedule(level)
    assert s.unit_price(D("10"), "USD", 99).source is PriceSource.LIST_PRICE
    assert s.unit_price(D("10"), "USD", 100).amount == D(5)


def test_two_lists_on_one_level_give_the_lower_price_and_the_better_adjustment():
    level = PriceLevel(PriceSource.ACCOUNT_PRICE_LIST, "EUR")
    level.add_fixed(1, D("8"))
    level.add_fixed(1, D("7.5"))
    level.add_adjustment(D("-5"))
    level.add_adjustment(D("-12"))
    assert level.breaks == {1: D("7.5")} and level.adjustment_percent == D("-12")


def test_fixed_prices_are_in_the_price_lists_currency():
    level = PriceLevel(PriceSource.ACCOUNT_PRICE_LIST, "EUR")
    level.add_fixed(1, D("9.20"))
    assert schedule(level).unit_price(D("10"), "USD").currency == "EUR"


def test_quantity_rule_messages():
    rule = QuantityRuleData(minimum=10, maximum=500, increment=10)
    assert rule.violation(5) == "The minimum quantity is 10"
    assert rule.violation(510) == "The maximum quantity is 500"
    assert rule.violation(25) == "Quantities go in steps of 10 from 10"
    assert rule.violation(30) is None


def test_display_amounts_keep_minor_digits_and_only_meaningful_extra_ones():
    from domain.money import display_amount
    assert str(display_amount(D("254.7200"), "USD")) == "254.72"
    assert str(display_amount(D("9.0000"), "EUR")) == "9.00"
    assert str(display_amount(D("8.6425"), "USD")) == "8.6425"
    assert str(display_amount(D("1200.0000"), "JPY")) == "1200"
