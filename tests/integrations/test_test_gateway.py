"""The built-in test gateway: each documented test token's outcome when saved and when charged
(docs/payments.md), idempotent charges and refunds."""
from decimal import Decimal

import pytest

from domain.payments import Outcome
from integrations.test_gateway import TOKENS, TestGateway


@pytest.mark.parametrize("token, outcome, decline", [
    ("tok_visa", Outcome.SUCCEEDED, None),
    ("tok_mastercard", Outcome.SUCCEEDED, None),
    ("tok_chargeDeclined", Outcome.DECLINED, "generic_decline"),
    ("tok_chargeDeclinedInsufficientFunds", Outcome.INSUFFICIENT_FUNDS, "insufficient_funds"),
    ("tok_chargeDeclinedExpiredCard", Outcome.EXPIRED_CARD, "expired_card"),
    ("tok_chargeDeclinedProcessingError", Outcome.ERROR, "processing_error"),
    ("tok_threeDSecureRequired", Outcome.REQUIRES_ACTION, None),
    ("tok_unknown", Outcome.DECLINED, "invalid_token"),
])
async def test_saving_each_test_token(token, outcome, decline):
    gateway = TestGateway()
    result = await gateway.save_token("cus_1", "account:1", token)
    assert (result.outcome, result.decline_code) == (outcome, decline)
    assert (result.card is not None) == (outcome is Outcome.SUCCEEDED)
    if outcome is Outcome.REQUIRES_ACTION:
        assert result.client_secret.startswith(result.setup_id)
        done = gateway.complete_action(result.setup_id)
        assert done.outcome is Outcome.SUCCEEDED and (await gateway.finish_setup(result.setup_id)).card == done.card


@pytest.mark.parametrize("token, outcome, decline", [
    ("tok_visa", Outcome.SUCCEEDED, None),
    ("tok_authenticationRequired", Outcome.REQUIRES_ACTION, None),
    ("tok_visa_chargeDeclined", Outcome.DECLINED, "generic_decline"),
    ("tok_visa_chargeDeclinedInsufficientFunds", Outcome.INSUFFICIENT_FUNDS, "insufficient_funds"),
    ("tok_visa_chargeDeclinedExpiredCard", Outcome.EXPIRED_CARD, "expired_card"),
])
async def test_charging_a_saved_test_card(token, outcome, decline):
    gateway = TestGateway()
    saved = await gateway.save_token("cus_1", "account:1", token)
    assert saved.outcome is Outcome.SUCCEEDED
    charged = await gateway.charge("cus_1", saved.card.method_id, Decimal("25.00"), "USD", f"key-{token}")
    assert (charged.outcome, charged.decline_code, charged.amount) == (outcome, decline, Decimal("25.00"))
    assert (charged.client_secret is not None) == (outcome is Outcome.REQUIRES_ACTION)
    assert (await gateway.retrieve(charged.charge_id)) == charged


async def test_a_key_charges_once_a_detached_card_not_at_all_and_refunds_stay_within_the_charge():
    gateway = TestGateway()
    card = (await gateway.save_token("cus_1", "account:1", "tok_visa")).card
    first = await gateway.charge("cus_1", card.method_id, Decimal("10"), "USD", "k1")
    assert await gateway.charge("cus_1", card.method_id, Decimal("10"), "USD", "k1") == first
    assert [c for c in gateway.calls if c[0] == "charge"] == [("charge", card.method_id)]
    assert (await gateway.refund(first.charge_id, Decimal("11"), "USD", "r0")).outcome is Outcome.ERROR
    refund = await gateway.refund(first.charge_id, Decimal("4"), "USD", "r1")
    assert refund.outcome is Outcome.SUCCEEDED and await gateway.refund(first.charge_id, Decimal("4"), "USD", "r1") == refund
    await gateway.detach(card.method_id)
    assert (await gateway.charge("cus_1", card.method_id, Decimal("10"), "USD", "k2")).outcome is Outcome.ERROR
    # The demo's saved cards (pm_test_visa_demo...) charge like their token, in any process.
    assert (await TestGateway().charge("cus", "pm_test_visa_demo1x0", Decimal("1"), "USD", "k")).outcome \
        is Outcome.SUCCEEDED
    assert set(TOKENS) >= {"visa", "chargeDeclined", "threeDSecureRequired"}
