"""The Stripe adapter, on the official library, against a loopback server answering as Stripe's API
documents: SetupIntents save a card, off-session PaymentIntents charge it under an Idempotency-Key,
and requires_action and card_declined come back as their Outcomes."""
from decimal import Decimal

import pytest

from domain.payments import Outcome
from integrations.stripe_gateway import StripeGateway
from tests.integrations.stripe_server import stripe_server

KEY = "sk_test_loopback_0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def stripe_api():
    with stripe_server() as (url, state):
        yield StripeGateway(KEY, api_base=url, max_network_retries=0), state


async def test_a_token_is_saved_with_a_confirmed_off_session_setup_intent(stripe_api):
    gateway, state = stripe_api
    customer = await gateway.create_customer("account:7", "Acme Industrial")
    saved = await gateway.save_token(customer, "account:7", "tok_visa")
    assert saved.outcome is Outcome.SUCCEEDED and saved.setup_id.startswith("seti_")
    assert (saved.card.brand, saved.card.last4, saved.card.exp_month, saved.card.exp_year) == ("visa", "4242", 12, 2034)
    assert saved.card.method_id.startswith("pm_") and saved.customer_id == customer == "cus_000001LOOPBACK"
    assert saved.account_ref == "account:7"
    created = state.requests[1]
    assert (created["method"], created["path"]) == ("POST", "/v1/setup_intents")
    assert created["form"] == {"customer": customer, "usage": "off_session", "confirm": "true",
                               "payment_method_types[0]": "card", "metadata[portalql_account]": "account:7",
                               "expand[0]": "payment_method", "payment_method_data[type]": "card",
                               "payment_method_data[card][token]": "tok_visa"}
    assert all(r["headers"]["authorization"] == f"Bearer {KEY}" for r in state.requests)
    # The customer is made once per account, whoever retries.
    assert state.requests[0]["headers"]["idempotency-key"] == "portalql-customer-account:7"


async def test_a_setup_intent_started_for_the_page_is_read_back_once_the_customer_confirmed_it(stripe_api):
    gateway, state = stripe_api
    started = await gateway.start_setup("cus_1", "account:7")
    assert started.outcome is Outcome.PENDING and started.client_secret == f"{started.setup_id}_secret_LOOPBACK"
    # Stripe.js confirms it on the page with the card: the server's SetupIntent succeeds.
    state.setups[started.setup_id].update(status="succeeded", payment_method={
        "id": "pm_mastercard_1", "object": "payment_method", "type": "card",
        "card": {"brand": "mastercard", "last4": "4444", "exp_month": 3, "exp_year": 2031}})
    done = await gateway.finish_setup(started.setup_id)
    assert done.outcome is Outcome.SUCCEEDED and done.card.method_id == "pm_mastercard_1"
    assert (done.card.brand, done.card.last4, done.account_ref) == ("mastercard", "4444", "account:7")
    read = state.requests[-1]
    assert (read["method"], read["path"], read["form"]) == ("GET", f"/v1/setup_intents/{started.setup_id}",
                                                            {"expand[0]": "payment_method"})
    missing = await gateway.finish_setup("seti_nothing")
    assert (missing.outcome, missing.decline_code) == (Outcome.ERROR, "resource_missing")


async def test_a_card_needing_3d_secure_at_setup_is_requires_action_with_its_client_secret(stripe_api):
    gateway, _ = stripe_api
    result = await gateway.save_token("cus_1", "account:7", "tok_threeDSecureRequired")
    assert result.outcome is Outcome.REQUIRES_ACTION and result.card is None
    assert result.client_secret == f"{result.setup_id}_secret_LOOPBACK"


@pytest.mark.parametrize("token, outcome, decline", [
    ("tok_chargeDeclined", Outcome.DECLINED, "generic_decline"),
    ("tok_chargeDeclinedInsufficientFunds", Outcome.INSUFFICIENT_FUNDS, "insufficient_funds"),
    ("tok_chargeDeclinedExpiredCard", Outcome.EXPIRED_CARD, "expired_card"),
])
async def test_a_card_declined_at_setup_is_its_outcome_and_decline_code(stripe_api, token, outcome, decline):
    gateway, _ = stripe_api
    result = await gateway.save_token("cus_1", "account:7", token)
    assert (result.outcome, result.decline_code, result.card) == (outcome, decline, None)
    assert result.message


async def test_an_off_session_payment_intent_charges_once_per_idempotency_key(stripe_api):
    gateway, state = stripe_api
    first = await gateway.charge("cus_1", "pm_card_visa", Decimal("1234.50"), "USD", "invoice-7-attempt-1",
                                 "Invoice INV-200001")
    assert first.outcome is Outcome.SUCCEEDED and first.charge_id.startswith("pi_")
    assert (first.amount, first.currency) == (Decimal("1234.50"), "USD")
    sent = state.requests[-1]
    assert sent["path"] == "/v1/payment_intents" and sent["headers"]["idempotency-key"] == "invoice-7-attempt-1"
    assert sent["form"] == {"amount": "123450", "currency": "usd", "customer": "cus_1", "payment_method": "pm_card_visa",
                            "off_session": "true", "confirm": "true", "payment_method_types[0]": "card",
                            "description": "Invoice INV-200001"}
    again = await gateway.charge("cus_1", "pm_card_visa", Decimal("1234.50"), "USD", "invoice-7-attempt-1")
    assert again.charge_id == first.charge_id and len(state.intents) == 1  # Stripe replayed the first answer
    assert (await gateway.retrieve(first.charge_id)).outcome is Outcome.SUCCEEDED
    refund = await gateway.refund(first.charge_id, Decimal("34.50"), "USD", "refund-1")
    assert (refund.outcome, refund.amount) == (Outcome.SUCCEEDED, Decimal("34.50"))
    assert state.requests[-1]["form"] == {"payment_intent": first.charge_id, "amount": "3450"}


async def test_a_payment_intent_that_requires_action_gives_its_client_secret(stripe_api):
    gateway, _ = stripe_api
    result = await gateway.charge("cus_1", "pm_card_threeDSecureRequired", Decimal("10"), "EUR", "k-3ds")
    assert result.outcome is Outcome.REQUIRES_ACTION and result.client_secret == f"{result.charge_id}_secret_LOOPBACK"
    # Off-session, Stripe usually refuses at once (402 authentication_required): the same outcome.
    refused = await gateway.charge("cus_1", "pm_card_authenticationRequired", Decimal("10"), "EUR", "k-auth")
    assert (refused.outcome, refused.decline_code) == (Outcome.REQUIRES_ACTION, "authentication_required")
    assert refused.charge_id.startswith("pi_") and refused.client_secret.endswith("_secret_LOOPBACK")


@pytest.mark.parametrize("method, outcome, decline", [
    ("pm_card_chargeDeclined", Outcome.DECLINED, "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", Outcome.INSUFFICIENT_FUNDS, "insufficient_funds"),
])
async def test_a_card_declined_payment_intent_is_its_outcome_and_decline_code(stripe_api, method, outcome, decline):
    gateway, _ = stripe_api
    result = await gateway.charge("cus_1", method, Decimal("10"), "USD", f"k-{method}")
    assert (result.outcome, result.decline_code) == (outcome, decline)
    assert result.charge_id.startswith("pi_") and result.client_secret is None


async def test_a_saved_card_is_updated_and_detached_and_an_unreachable_stripe_is_an_error(stripe_api):
    gateway, state = stripe_api
    assert (await gateway.update_card("pm_card_visa", 4, 2030)).outcome is Outcome.SUCCEEDED
    assert state.requests[-1]["form"] == {"card[exp_month]": "4", "card[exp_year]": "2030"}
    assert (await gateway.detach("pm_card_visa")).outcome is Outcome.SUCCEEDED
    assert state.requests[-1]["path"] == "/v1/payment_methods/pm_card_visa/detach"
    down = StripeGateway(KEY, api_base="http://127.0.0.1:9", max_network_retries=0, timeout=2)
    failed = await down.charge("cus_1", "pm_card_visa", Decimal("1"), "USD", "k-down")
    assert failed.outcome is Outcome.ERROR and KEY not in failed.message and KEY not in repr(down)


async def test_a_card_is_saved_through_the_api_with_the_stripe_gateway(db, clock, settings, stripe_api):
    import httpx
    from sqlmodel import select

    from db.models import Account, PaymentMethod
    from resolvers.globalid import encode
    from server.app import create_app
    from tests.conftest import make_token

    gateway, state = stripe_api
    app = create_app(settings, db=db, clock=clock, gateway=gateway)
    async with db.session() as s:
        globex = (await s.exec(select(Account).where(Account.name == "Globex GmbH"))).one()
    token = await make_token(db, "admin@globex.example", clock.now())
    query = """mutation($input: PaymentMethodAddInput!) { paymentMethodAdd(input: $input) {
      paymentMethod { brand last4 gateway } declineCode userErrors { code } } }"""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as client:
        async def add(card: str) -> dict:
            response = await client.post("/graphql", headers={"authorization": f"Bearer {token}"}, json={
                "query": query, "variables": {"input": {"accountId": encode("Account", globex.id), "token": card}}})
            return response.json()["data"]["paymentMethodAdd"]
        declined = await add("tok_chargeDeclinedInsufficientFunds")
        saved = await add("tok_visa")
    assert ([e["code"] for e in declined["userErrors"]], declined["declineCode"]) == (["INSUFFICIENT_FUNDS"],
                                                                                      "insufficient_funds")
    assert saved == {"paymentMethod": {"brand": "visa", "last4": "4242", "gateway": "stripe"}, "declineCode": None,
                     "userErrors": []}
    async with db.session() as s:
        stored = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == globex.id,
                                                           PaymentMethod.gateway == "stripe"))).one()
    # A customer was asked for at each attempt, under one idempotency key: Stripe answered the same one.
    customers = [r for r in state.requests if r["path"] == "/v1/customers"]
    assert stored.gateway_method_id.startswith("pm_visa_") and stored.gateway_customer_id == "cus_000001LOOPBACK"
    assert len(customers) == 2 and customers[0]["form"]["metadata[portalql_account]"] == f"account:{globex.id}"


async def test_the_secret_key_reaches_no_log_and_no_settings_printout(stripe_api, caplog, monkeypatch):
    import logging

    from server.settings import Settings
    gateway, _ = stripe_api
    caplog.set_level(logging.DEBUG)
    await gateway.save_token("cus_1", "account:7", "tok_chargeDeclined")
    await gateway.charge("cus_1", "pm_card_visa", Decimal("5"), "USD", "k-log")
    down = StripeGateway(KEY, api_base="http://127.0.0.1:9", max_network_retries=0, timeout=2)
    await down.charge("cus_1", "pm_card_visa", Decimal("5"), "USD", "k-down")
    assert caplog.records and all(KEY not in r.getMessage() for r in caplog.records)
    monkeypatch.setenv("PORTALQL_PAYMENT_GATEWAY", "stripe")
    monkeypatch.setenv("STRIPE_SECRET_KEY", KEY)
    settings = Settings.from_env()
    assert settings.payment_gateway == "stripe" and settings.stripe_secret_key == KEY and KEY not in repr(settings)
    monkeypatch.delenv("STRIPE_SECRET_KEY")
    with pytest.raises(SystemExit, match="STRIPE_SECRET_KEY"):
        Settings.from_env()
