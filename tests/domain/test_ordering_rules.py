"""Plain rules of ordering: spending periods, approvals needed, CSV rows, mail templates."""
import string
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from db.models import AccountOrderingSettings, OrderLine
from db.models.ordering import SpendingLimitPeriod
from domain.carts import parse_csv
from domain.errors import Rejected
from domain import tax
from domain.ordering import approvals_needed, period_start

AT = datetime(2026, 8, 13, 15, 30, tzinfo=timezone.utc)  # a Thursday


@pytest.mark.parametrize(("period", "start"), [
    (SpendingLimitPeriod.MONTH, datetime(2026, 8, 1, tzinfo=timezone.utc)),
    (SpendingLimitPeriod.WEEK, datetime(2026, 8, 10, tzinfo=timezone.utc)),
    (SpendingLimitPeriod.QUARTER, datetime(2026, 7, 1, tzinfo=timezone.utc)),
    (SpendingLimitPeriod.ORDER, None),
])
def test_spending_periods_start_where_expected(period, start):
    assert period_start(AT, period) == start


def test_a_second_approval_is_needed_only_above_the_threshold():
    settings = AccountOrderingSettings(account_id=1, second_approval_threshold=Decimal("1000"))
    assert approvals_needed(settings, Decimal("1000")) == 1
    assert approvals_needed(settings, Decimal("1000.01")) == 2
    assert approvals_needed(None, Decimal("99999")) == 1


def test_totals_are_the_sums_of_the_lines_taxed_one_by_one():
    # 10.00 at 7.25 % is 0.725 -> 0.72 (half to even), 0.05 -> 0.003625 -> 0.00: the order's tax is
    # 0.72, not 10.05 × 7.25 % = 0.73 as a tax on the subtotal would be.
    lines = [OrderLine(order_id=1, sku="A", title="A", quantity=1, unit_price=a, total=a, currency="USD",
                       tax_percent=Decimal("7.25"), tax_amount=t) for a, t in ((Decimal("10.00"), Decimal("0.72")),
                                                                               (Decimal("0.05"), Decimal("0.00")))]
    t = tax.line_totals(lines)
    assert (t.subtotal, t.tax, t.total) == (Decimal("10.05"), Decimal("0.72"), Decimal("10.77"))


def test_csv_rows_accept_headers_semicolons_and_blank_lines():
    rows = parse_csv("SKU;Quantity\n\nFST-1;10\n FST-2 ; x \n")
    assert [(r.sku, r.quantity, r.row, r.problem and r.problem.code) for r in rows] == [
        ("FST-1", 10, 3, None), ("FST-2", None, 4, "INVALID_QUANTITY")]


def test_a_csv_over_the_size_limit_is_refused():
    with pytest.raises(Rejected) as e:
        parse_csv("A-1,1\n" * 100_000)
    assert e.value.problems[0].code == "CSV_TOO_LARGE"


def test_every_ordering_mail_template_exists_in_english_and_german_with_the_same_fields():
    root = Path(__file__).resolve().parents[2] / "i18n" / "mail"
    for template in ("order_approved", "order_rejected", "order_awaiting_approval", "quote_ready"):
        fields = []
        for locale in ("en", "de"):
            text = (root / template / f"{locale}.txt").read_text()
            assert text.startswith("Subject: ") and "\n\n" in text
            fields.append({f for _, f, _, _ in string.Formatter().parse(text) if f})
        assert fields[0] == fields[1], template
