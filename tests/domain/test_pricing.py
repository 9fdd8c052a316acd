from decimal import Decimal

from domain.pricing import ListPriceRates, PriceLevel, PriceSchedule, PriceSource, QuantityRuleData

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


# Computed prices, rounded when computed (checked by hand) ---------------------------------------

def off(percent: str, currency: str = "USD", precision: int | None = None, rates: str = "") -> PriceSchedule:
    level = PriceLevel(PriceSource.ACCOUNT_PRICE_LIST, currency)
    level.add_adjustment(D(percent), precision)
    return PriceSchedule([level], ListPriceRates.parse(rates))


def test_a_percentage_off_is_rounded_to_the_cent_when_computed():
    # 26.15 x 0.92 = 24.058: shown, and charged, as 24.06 (it used to show 24.058)
    price = off("-8").unit_price(D("26.15"), "USD")
    assert (price.amount, price.currency, price.source) == (D("24.06"), "USD", PriceSource.ACCOUNT_PRICE_LIST)
    # 2.25 x 0.9 = 2.025: half up, 2.03 (half even would give 2.02)
    assert off("-10").unit_price(D("2.25"), "USD").amount == D("2.03")


def test_yen_have_no_minor_unit():
    # 1,245 x 0.9 = 1,120.5 JPY: 1,121 (half up)
    assert str(off("-10", "JPY").unit_price(D("1245"), "JPY").amount) == "1121"
    # 1,234 x 0.92 = 1,135.28 JPY: 1,135
    assert str(off("-8", "JPY").unit_price(D("1234"), "JPY").amount) == "1135"


def test_dinars_have_three_decimals():
    # 12.345 x 0.925 = 11.419125 KWD: 11.419
    assert str(off("-7.5", "KWD").unit_price(D("12.345"), "KWD").amount) == "11.419"
    # 10.125 x 0.9 = 9.1125 KWD: 9.113 (half up)
    assert str(off("-10", "KWD").unit_price(D("10.125"), "KWD").amount) == "9.113"


def test_a_price_list_may_compute_to_its_own_precision():
    # 27.33 x 0.9275 = 25.348575: to 4 places 25.3486, to 0 places 25
    assert str(off("-7.25", precision=4).unit_price(D("27.33"), "USD").amount) == "25.3486"
    assert str(off("-7.25", precision=0).unit_price(D("27.33"), "USD").amount) == "25"
    # 26.15 x 0.92 = 24.058 is exact at 3 places and above
    assert off("-8", precision=3).unit_price(D("26.15"), "USD").amount == D("24.058")


def test_an_eur_lists_percentage_is_taken_of_the_list_price_in_euros():
    # List price 26.15 USD at 0.92 EUR per USD: 24.058, shown as 24.06 EUR; 8 % off: 22.1352, 22.14 EUR.
    price = off("-8", "EUR", rates="USD:EUR=0.92").unit_price(D("26.15"), "USD")
    assert (price.amount, price.currency, price.source) == (D("22.14"), "EUR", PriceSource.ACCOUNT_PRICE_LIST)
    # With a precision of 3: 22.135 EUR (22.1352)
    assert off("-8", "EUR", 3, "USD:EUR=0.92").unit_price(D("26.15"), "USD").amount == D("22.135")
    # No rate to EUR: no percentage of a USD price is an EUR price; the USD list price stays
    # (an EUR order refuses it as CURRENCY_MISMATCH).
    price = off("-8", "EUR").unit_price(D("26.15"), "USD")
    assert (price.amount, price.currency, price.source) == (D("26.15"), "USD", PriceSource.LIST_PRICE)


def test_the_line_total_is_the_shown_unit_price_times_the_quantity_rounded_half_up():
    from domain.ordering import charged
    # 24.06 x 7 = 168.42
    assert charged(off("-8").unit_price(D("26.15"), "USD").amount * 7, "USD") == D("168.42")
    # 25.3486 x 3 = 76.0458: 76.05
    assert charged(off("-7.25", precision=4).unit_price(D("27.33"), "USD").amount * 3, "USD") == D("76.05")
    # 2.2450 x 1 = 2.245: 2.25 (half up)
    assert charged(D("2.2450"), "USD") == D("2.25")
    # 1,121 JPY x 3 = 3,363; 11.419 KWD x 2 = 22.838
    assert str(charged(D("1121") * 3, "JPY")) == "3363.0000"
    assert charged(D("11.419") * 2, "KWD") == D("22.838")
