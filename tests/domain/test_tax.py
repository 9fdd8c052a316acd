"""The built-in tax rules, checked by hand: per line, rounded per line, totals the sums of the lines."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from db.enums import TaxReason
from domain import tax
from domain.billing_details import BillingDetails

AT = datetime(2026, 6, 1, tzinfo=timezone.utc)
SINCE = AT - timedelta(days=365)
RATES = [tax.Rate("US", "CA", Decimal("7.25"), "CA sales tax", SINCE),
         tax.Rate("US", "NY", Decimal("4"), "NY sales tax", SINCE),
         tax.Rate("DE", None, Decimal("19"), "MwSt.", SINCE),
         tax.Rate("FR", None, Decimal("20"), "TVA", SINCE),
         tax.Rate("NL", None, Decimal("21"), "btw", SINCE)]
D = Decimal


def sale(country, region, amounts, *, buyer=None, merchant=None, currency="USD", included=False):
    buyer = buyer or BillingDetails(country=country, region=region)
    return tax.Sale(merchant, buyer, country, region, currency, AT,
                    [tax.TaxableLine(D(a), included) for a in amounts])


def amounts(found):
    return [t.amount for t in found]


def test_two_us_states_tax_each_line_at_their_rate_rounded_per_line():
    lines = ["59.97", "5.05", "0.07"]  # 3 × 19.99, 1 × 5.05, 1 × 0.07
    ca = tax.taxes(sale("US", "CA", lines), RATES)
    # 59.97 × 7.25 % = 4.347825 → 4.35; 5.05 × 7.25 % = 0.366125 → 0.37; 0.07 × 7.25 % = 0.005075 → 0.01
    assert amounts(ca) == [D("4.35"), D("0.37"), D("0.01")]
    assert {t.jurisdiction for t in ca} == {"US-CA"} and {t.label for t in ca} == {"CA sales tax"}
    assert tax.totals(ca) == tax.TaxTotals(D("65.09"), D("4.73"), D("69.82"))
    # Not the tax of the subtotal (65.09 × 7.25 % = 4.719025 → 4.72): what is printed per line adds up.
    ny = tax.taxes(sale("US", "NY", lines), RATES)
    # 59.97 × 4 % = 2.3988 → 2.40; 5.05 × 4 % = 0.202 → 0.20; 0.07 × 4 % = 0.0028 → 0.00
    assert amounts(ny) == [D("2.40"), D("0.20"), D("0.00")]
    assert tax.totals(ny).tax == D("2.60") and {t.percent for t in ny} == {D("4")}


def test_a_state_without_a_rate_is_not_collected_and_a_rate_applies_from_its_start():
    [oregon] = tax.taxes(sale("US", "OR", ["10.00"]), RATES)
    assert (oregon.amount, oregon.reason) == (D(0), TaxReason.NOT_COLLECTED)
    raised = [*RATES, tax.Rate("US", "CA", D("7.5"), "CA sales tax", AT + timedelta(days=1))]
    assert amounts(tax.taxes(sale("US", "CA", ["100.00"]), raised)) == [D("7.25")]  # not yet in force


def test_an_exempt_buyer_pays_no_tax_and_the_reason_says_so():
    buyer = BillingDetails(country="US", region="CA", tax_exempt=True, exemption_reference="CA-RESALE-123")
    found = tax.taxes(sale("US", "CA", ["59.97", "5.05"], buyer=buyer), RATES)
    assert [(t.amount, t.reason, t.net) for t in found] == [(D(0), TaxReason.EXEMPT, D("59.97")),
                                                             (D(0), TaxReason.EXEMPT, D("5.05"))]
    assert tax.totals(found).total == D("65.02")


def test_intra_eu_reverse_charge_for_a_business_with_a_valid_vat_number():
    buyer = BillingDetails(country="FR", is_business=True, tax_id="FR40303265045")
    found = tax.taxes(sale("FR", None, ["100.00", "33.33"], buyer=buyer, merchant="DE", currency="EUR"), RATES)
    assert [(t.percent, t.amount, t.reason) for t in found] == [(D(0), D(0), TaxReason.REVERSE_CHARGE)] * 2
    assert tax.totals(found) == tax.TaxTotals(D("133.33"), D(0), D("133.33"))
    # A VAT number with a wrong check digit, or a consumer: French VAT at 20 % (33.33 × 20 % = 6.666 → 6.67).
    for other in (BillingDetails(country="FR", is_business=True, tax_id="FR40303265046"),
                  BillingDetails(country="FR", is_business=False, tax_id="FR40303265045")):
        found = tax.taxes(sale("FR", None, ["100.00", "33.33"], buyer=other, merchant="DE", currency="EUR"), RATES)
        assert amounts(found) == [D("20.00"), D("6.67")] and found[0].reason is None
    # A merchant outside the EU has no reverse charge to apply.
    assert not tax.is_reverse_charge(sale("FR", None, ["1"], buyer=buyer, merchant="US"))


def test_a_domestic_eu_sale_is_taxed_at_the_country_rate():
    buyer = BillingDetails(country="DE", is_business=True, tax_id="DE136695976")
    found = tax.taxes(sale("DE", "BY", ["100.00", "33.33", "0.10"], buyer=buyer, merchant="DE", currency="EUR"), RATES)
    # 33.33 × 19 % = 6.3327 → 6.33; 0.10 × 19 % = 0.019 → 0.02 (the country's rate: Bavaria has none of its own)
    assert amounts(found) == [D("19.00"), D("6.33"), D("0.02")]
    assert {t.jurisdiction for t in found} == {"DE"}
    assert tax.totals(found) == tax.TaxTotals(D("133.43"), D("25.35"), D("158.78"))


def test_tax_inclusive_prices_have_their_tax_extracted():
    found = tax.taxes(sale("NL", None, ["121.00", "9.99", "0.05"], currency="EUR", included=True), RATES)
    # 121.00 × 21/121 = 21.00; 9.99 × 21/121 = 1.73380… → 1.73 (net 8.26); 0.05 × 21/121 = 0.00867… → 0.01
    assert [(t.amount, t.net, t.gross) for t in found] == [(D("21.00"), D("100.00"), D("121.00")),
                                                          (D("1.73"), D("8.26"), D("9.99")),
                                                          (D("0.01"), D("0.04"), D("0.05"))]
    assert all(t.included for t in found)
    # The gross is what was priced: the total is the sum of the prices, the tax the sum of the lines' tax.
    assert tax.totals(found) == tax.TaxTotals(D("108.30"), D("22.74"), D("131.04"))


def test_a_changed_quantity_is_taxed_at_the_rate_it_was_sold_at():
    assert tax.retaxed(D("59.97"), D("7.25"), False, None, "USD") == (D("4.35"), D("59.97"))
    assert tax.retaxed(D("9.99"), D("21"), True, None, "EUR") == (D("1.73"), D("8.26"))
    assert tax.retaxed(D("59.97"), D(0), False, "EXEMPT", "USD") == (D(0), D("59.97"))


def test_the_breakdown_groups_lines_by_rate_and_sums_their_rounded_tax():
    class Line:
        def __init__(self, amount, percent, tax_amount, reason=None):
            self.amount, self.tax_percent, self.tax_amount = D(amount), D(percent), D(tax_amount)
            self.tax_label, self.tax_jurisdiction, self.tax_reason, self.tax_included = "VAT", "GB", reason, False
    groups = tax.breakdown([Line("10.00", "20", "2.00"), Line("5.05", "20", "1.01"), Line("3.00", "0", "0", "EXEMPT")])
    assert [(g.percent, g.net, g.amount, g.reason) for g in groups] == [(D("20"), D("15.05"), D("3.01"), None),
                                                                       (D("0"), D("3.00"), D(0), "EXEMPT")]
