"""domain.payments without the API: the expiry rules and the charge call that paying an invoice uses."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from db.models import PaymentMethod
from domain import payments
from domain.errors import Rejected
from domain.payments import Outcome
from integrations.test_gateway import TestGateway

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


def _card(method_id: str, month: int = 12, year: int = 2030, gateway: str = "test") -> PaymentMethod:
    return PaymentMethod(account_id=1, gateway=gateway, gateway_method_id=method_id, gateway_customer_id="cus_test_1",
                         brand="visa", last4="4242", exp_month=month, exp_year=year)


def test_a_card_works_through_its_expiry_month_and_is_flagged_30_days_before():
    assert not payments.is_expired(_card("pm", 6, 2026), NOW) and payments.expires_soon(_card("pm", 6, 2026), NOW)
    assert payments.is_expired(_card("pm", 5, 2026), NOW) and not payments.expires_soon(_card("pm", 5, 2026), NOW)
    assert payments.expires_soon(_card("pm", 7, 2026), datetime(2026, 7, 2, tzinfo=timezone.utc))
    assert not payments.expires_soon(_card("pm", 7, 2026), NOW)  # 1 August is 47 days away


async def test_charging_a_saved_card_rounds_to_cents_and_answers_each_outcome():
    gateway = TestGateway()
    ok = await payments.charge(gateway, _card("pm_test_visa_1"), Decimal("10.005"), "USD", "k1", NOW, "INV-1")
    assert (ok.outcome, ok.amount, ok.currency) == (Outcome.SUCCEEDED, Decimal("10.01"), "USD")  # half up
    declined = await payments.charge(gateway, _card("pm_test_visa_chargeDeclined_1"), Decimal(5), "USD", "k2", NOW)
    assert (declined.outcome, declined.decline_code) == (Outcome.DECLINED, "generic_decline")
    assert (await payments.charge(gateway, _card("pm_test_visa_1"), Decimal("10.005"), "USD", "k1", NOW)) == ok
    assert [c for c in gateway.calls if c[0] == "charge"] == [("charge", "pm_test_visa_1"),
                                                              ("charge", "pm_test_visa_chargeDeclined_1")]


@pytest.mark.parametrize("card, code", [(_card("pm_test_visa_1", 5, 2026), "METHOD_EXPIRED"),
                                        (_card("pm_1", gateway="stripe"), "GATEWAY_ERROR")])
async def test_an_expired_card_or_another_gateways_is_refused_before_the_gateway_is_asked(card, code):
    gateway = TestGateway()
    with pytest.raises(Rejected) as refused:
        await payments.charge(gateway, card, Decimal(5), "USD", "k", NOW)
    assert refused.value.code == code and gateway.calls == []
