"""Plain rules of what staff enter in the back office: SKUs, currencies, countries, amounts,
percentages, quantity rules and locales."""
from decimal import Decimal

import pytest

from domain import back_office
from domain.errors import Rejected


def test_back_office_values():
    assert back_office.sku(" ab-1.2/3 ") == "ab-1.2/3"
    assert back_office.currency("eur") == "EUR"
    assert back_office.country("de") == "DE"
    for bad in (lambda: back_office.sku("a b"), lambda: back_office.currency("EURO"),
                lambda: back_office.country("ZZ"), lambda: back_office.amount(Decimal("NaN"), "USD"),
                lambda: back_office.amount(Decimal("0.00001"), "USD"), lambda: back_office.percent(Decimal("-101")),
                lambda: back_office.quantity_rule(0, None, 1), lambda: back_office.locale("!!")):
        with pytest.raises(Rejected):
            bad()
