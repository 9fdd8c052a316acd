"""Saved payment methods through the built-in test gateway: who may manage them, each test token's
outcome, setups that need the customer, the default, the expiry flag and the last-method rule."""
from datetime import datetime, timezone

import pytest
from sqlmodel import delete, func, select

from db.enums import CollectionMethod, SubscriptionStatus
from db.models import Account, AuditEvent, PaymentMethod, Subscription
from integrations.test_gateway import EXP_MONTH, EXP_YEAR
from resolvers.globalid import decode_as, encode
from tests.support import codes, finders

AP, ADMIN, BUYER, VIEWER, APPROVER = ("ap@acme.example", "admin@acme.example", "buyer@acme.example",
                                      "viewer@acme.example", "approver@acme.example")
GLOBEX, JO, OPS = "admin@globex.example", "jo@example.com", "ops@merchant.example"

FIELDS = "id brand last4 expMonth expYear isDefault expired expiresSoon gateway"
ADD = f"""mutation($input: PaymentMethodAddInput!) {{ paymentMethodAdd(input: $input) {{
  paymentMethod {{ {FIELDS} }} setup {{ id clientSecret status }} declineCode userErrors {{ code field message }} }} }}"""
SETUP = """mutation($input: PaymentMethodSetupStartInput!) { paymentMethodSetupStart(input: $input) {
  setup { id clientSecret status } userErrors { code field } } }"""
SET_DEFAULT = f"""mutation($input: PaymentMethodIdInput!) {{ paymentMethodSetDefault(input: $input) {{
  paymentMethod {{ {FIELDS} }} userErrors {{ code field }} }} }}"""
EXPIRY = f"""mutation($input: PaymentMethodUpdateExpiryInput!) {{ paymentMethodUpdateExpiry(input: $input) {{
  paymentMethod {{ {FIELDS} }} userErrors {{ code field }} }} }}"""
REMOVE = """mutation($input: PaymentMethodIdInput!) { paymentMethodRemove(input: $input) {
  removedId userErrors { code field message } } }"""
LIST = f"""query($id: ID!) {{ node(id: $id) {{ ... on Account {{ paymentMethods {{ {FIELDS} }} }} }} }}"""


async def _account(db, name: str) -> Account:
    async with db.session() as s:
        return (await s.exec(select(Account).where(Account.name == name))).one()


async def _methods(db, account: Account) -> list[tuple]:
    """The account's methods as stored, to compare before and after."""
    async with db.session() as s:
        rows = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == account.id)
                             .order_by(PaymentMethod.id))).all()
    return [(m.id, m.gateway_method_id, m.brand, m.last4, m.exp_month, m.exp_year, m.is_default) for m in rows]


async def _listed(gql, account: Account, as_: str = AP) -> list[dict]:
    body = await gql(LIST, {"id": encode("Account", account.id)}, as_=as_)
    assert "errors" not in body, body
    return body["data"]["node"]["paymentMethods"]


def _payload(body: dict, name: str) -> dict:
    assert "errors" not in body, body
    return body["data"][name]


def _codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def _forget_attempts(app) -> None:
    """Start each attempt with fresh rate-limit counters (the limit has its own test)."""
    app.state.limiter.store.counts.clear()


async def _add(gql, app, account: Account, as_: str = AP, **given) -> dict:
    _forget_attempts(app)
    return _payload(await gql(ADD, {"input": {"accountId": encode("Account", account.id), **given}}, as_=as_),
                    "paymentMethodAdd")


async def test_viewers_buyers_approvers_staff_and_other_accounts_change_nothing(gql, db, app):
    acme = await _account(db, "Acme Industrial")
    before = await _methods(db, acme)
    method = encode("PaymentMethod", before[0][0])
    account = encode("Account", acme.id)
    for who in (VIEWER, BUYER, APPROVER, OPS):
        for query, given in ((ADD, {"accountId": account, "token": "tok_visa"}), (SETUP, {"accountId": account}),
                             (SET_DEFAULT, {"id": method}), (REMOVE, {"id": method}),
                             (EXPIRY, {"id": method, "expMonth": 1, "expYear": 2030})):
            body = await gql(query, {"input": given}, as_=who)
            assert codes(body) == ["FORBIDDEN"], (who, query, body)
    # Globex's admin may manage Globex's cards, and sees none of Acme's: NOT_FOUND, as for no such thing.
    body = await gql(ADD, {"input": {"accountId": account, "token": "tok_visa"}}, as_=GLOBEX)
    assert _codes(_payload(body, "paymentMethodAdd")) == ["NOT_FOUND"]
    for query, name, given in ((SET_DEFAULT, "paymentMethodSetDefault", {"id": method}),
                               (REMOVE, "paymentMethodRemove", {"id": method}),
                               (EXPIRY, "paymentMethodUpdateExpiry", {"id": method, "expMonth": 1, "expYear": 2030})):
        assert _codes(_payload(await gql(query, {"input": given}, as_=GLOBEX), name)) == ["NOT_FOUND"], name
    assert await _methods(db, acme) == before
    assert app.state.gateway.calls == []  # nobody denied reached the gateway
    # Accounts payable may.
    added = await _add(gql, app, acme, token="tok_visa")
    assert added["userErrors"] == [] and added["paymentMethod"]["last4"] == "4242"
    assert len(await _methods(db, acme)) == len(before) + 1


async def test_a_test_token_saves_its_card_and_the_first_card_is_the_default(gql, db, app):
    globex = await _account(db, "Globex GmbH")
    async with db.transaction() as s:
        await s.exec(delete(PaymentMethod).where(PaymentMethod.account_id == globex.id))
    first = (await _add(gql, app, globex, as_=GLOBEX, token="tok_mastercard"))["paymentMethod"]
    assert (first["brand"], first["last4"], first["expMonth"], first["expYear"], first["isDefault"],
            first["gateway"]) == ("mastercard", "4444", EXP_MONTH, EXP_YEAR, True, "test")
    second = (await _add(gql, app, globex, as_=GLOBEX, token="tok_visa"))["paymentMethod"]
    assert second["isDefault"] is False
    third = (await _add(gql, app, globex, as_=GLOBEX, token="tok_amex", makeDefault=True))["paymentMethod"]
    listed = await _listed(gql, globex, as_=GLOBEX)
    assert [(m["last4"], m["isDefault"]) for m in listed] == [("8431", True), ("4242", False), ("4444", False)]
    assert listed[0]["id"] == third["id"]
    async with db.session() as s:
        stored = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == globex.id))).all()
        events = (await s.exec(select(AuditEvent.action).where(AuditEvent.account_id == globex.id,
                                                               AuditEvent.action == "payment_method.add"))).all()
    assert all(m.gateway_method_id.startswith("pm_test_") and m.gateway_customer_id for m in stored)
    assert len({m.gateway_customer_id for m in stored}) == 1  # one gateway customer per account
    assert len(events) == 3


@pytest.mark.parametrize("token, code, decline", [
    ("tok_chargeDeclined", "CARD_DECLINED", "generic_decline"),
    ("tok_chargeDeclinedInsufficientFunds", "INSUFFICIENT_FUNDS", "insufficient_funds"),
    ("tok_chargeDeclinedExpiredCard", "EXPIRED_CARD", "expired_card"),
    ("tok_chargeDeclinedProcessingError", "GATEWAY_ERROR", "processing_error"),
    ("tok_noSuchToken", "CARD_DECLINED", "invalid_token"),
])
async def test_a_declined_test_token_is_a_coded_error_with_its_decline_code_and_nothing_saved(
        gql, db, app, token, code, decline):
    acme = await _account(db, "Acme Industrial")
    before = await _methods(db, acme)
    out = await _add(gql, app, acme, token=token)
    assert (_codes(out), out["declineCode"], out["paymentMethod"]) == ([code], decline, None)
    assert out["userErrors"][0]["field"] == ["input", "token"]
    assert await _methods(db, acme) == before
    async with db.session() as s:  # each declined attempt is in the audit log (card testing shows there)
        event = (await s.exec(select(AuditEvent).where(AuditEvent.action == "payment_method.add_failed"))).one()
    assert (event.account_id, event.data) == (acme.id, {"code": code, "decline_code": decline})


async def test_a_card_needing_3d_secure_is_saved_only_once_the_customer_completed_it(gql, db, app):
    acme = await _account(db, "Acme Industrial")
    before = await _methods(db, acme)
    out = await _add(gql, app, acme, token="tok_threeDSecureRequired")
    assert _codes(out) == ["REQUIRES_ACTION"] and out["paymentMethod"] is None
    setup = out["setup"]
    assert setup["status"] == "REQUIRES_ACTION" and setup["clientSecret"].startswith(setup["id"] + "_secret_")
    # Asked again before the customer completed it: still nothing saved.
    again = await _add(gql, app, acme, setupId=setup["id"])
    assert _codes(again) == ["REQUIRES_ACTION"] and await _methods(db, acme) == before
    app.state.gateway.complete_action(setup["id"])  # the customer passed 3-D Secure on the page
    saved = await _add(gql, app, acme, setupId=setup["id"])
    assert saved["userErrors"] == [] and saved["paymentMethod"]["last4"] == "3155"
    twice = await _add(gql, app, acme, setupId=setup["id"])
    assert _codes(twice) == ["ALREADY_SAVED"] and len(await _methods(db, acme)) == len(before) + 1


async def test_a_setup_is_started_confirmed_on_the_page_and_saved_by_its_account_only(gql, db, app):
    acme, globex = await _account(db, "Acme Industrial"), await _account(db, "Globex GmbH")
    _forget_attempts(app)
    started = _payload(await gql(SETUP, {"input": {"accountId": encode("Account", acme.id)}}, as_=AP),
                       "paymentMethodSetupStart")
    setup = started["setup"]
    assert started["userErrors"] == [] and setup["status"] == "PENDING" and setup["clientSecret"]
    assert _codes(await _add(gql, app, acme, setupId=setup["id"])) == ["REQUIRES_ACTION"]  # not confirmed yet
    app.state.gateway.confirm_setup(setup["id"], "tok_mastercard")  # Stripe.js on the page
    globex_before = await _methods(db, globex)
    foreign = await _add(gql, app, globex, as_=GLOBEX, setupId=setup["id"])
    assert _codes(foreign) == ["SETUP_NOT_FOUND"] and await _methods(db, globex) == globex_before
    unknown = await _add(gql, app, acme, setupId="seti_test_nothing")
    assert _codes(unknown) == ["SETUP_NOT_FOUND"]
    neither = await _add(gql, app, acme)
    both = await _add(gql, app, acme, token="tok_visa", setupId=setup["id"])
    assert _codes(neither) == _codes(both) == ["TOKEN_OR_SETUP_REQUIRED"]
    saved = await _add(gql, app, acme, setupId=setup["id"])
    assert saved["userErrors"] == [] and saved["paymentMethod"]["brand"] == "mastercard"


async def test_adding_cards_is_rate_limited_per_account_declined_or_not(gql, db, app):
    jo = await _account(db, "Jo Doe")
    before = await _methods(db, jo)
    app.state.limiter.store.counts.clear()
    answers = []
    for _ in range(6):
        body = await gql(ADD, {"input": {"accountId": encode("Account", jo.id), "token": "tok_chargeDeclined"}},
                         as_=JO)
        answers.append(codes(body) or _codes(body["data"]["paymentMethodAdd"]))
    assert answers == [["CARD_DECLINED"]] * 5 + [["THROTTLED"]]
    body = await gql(ADD, {"input": {"accountId": encode("Account", jo.id), "token": "tok_visa"}}, as_=JO)
    assert codes(body) == ["THROTTLED"] and body["errors"][0]["extensions"]["retryAfter"] > 0
    assert await _methods(db, jo) == before
    assert [c for c in app.state.gateway.calls if c[0] == "save_token"] == [("save_token", "tok_chargeDeclined")] * 5


async def test_the_default_is_never_an_expired_card_and_expiry_is_flagged_30_days_ahead(gql, db, app, clock):
    acme = await _account(db, "Acme Industrial")
    listed = await _listed(gql, acme)
    visa, mastercard = listed  # the demo's: a default Visa, a Mastercard expiring this month
    assert (visa["isDefault"], visa["expiresSoon"], mastercard["isDefault"], mastercard["expiresSoon"],
            mastercard["expired"]) == (True, False, False, True, False)
    moved = _payload(await gql(SET_DEFAULT, {"input": {"id": mastercard["id"]}}, as_=AP), "paymentMethodSetDefault")
    assert moved["userErrors"] == [] and moved["paymentMethod"]["isDefault"] is True
    assert [(m["last4"], m["isDefault"]) for m in await _listed(gql, acme)] == [("4444", True), ("4242", False)]
    # Had the Mastercard expired last month, it could not be made the default again.
    _payload(await gql(SET_DEFAULT, {"input": {"id": visa["id"]}}, as_=AP), "paymentMethodSetDefault")
    now = clock.now()
    async with db.transaction() as s:
        card = await s.get(PaymentMethod, decode_as(mastercard["id"], "PaymentMethod"))
        card.exp_month, card.exp_year = (now.month - 1 or 12), now.year - (now.month == 1)
        s.add(card)
    before = await _methods(db, acme)
    [expired] = [m for m in await _listed(gql, acme) if m["last4"] == "4444"]
    assert (expired["expired"], expired["expiresSoon"]) == (True, False)
    refused = _payload(await gql(SET_DEFAULT, {"input": {"id": mastercard["id"]}}, as_=AP), "paymentMethodSetDefault")
    assert _codes(refused) == ["METHOD_EXPIRED"] and await _methods(db, acme) == before
    # The renewed card's expiry: a past one is refused, a future one clears both flags.
    past = _payload(await gql(EXPIRY, {"input": {"id": mastercard["id"], "expMonth": now.month - 1 or 12,
                                                 "expYear": now.year - (now.month == 1)}}, as_=AP),
                    "paymentMethodUpdateExpiry")
    bad_month = _payload(await gql(EXPIRY, {"input": {"id": mastercard["id"], "expMonth": 13, "expYear": 2030}},
                                   as_=AP), "paymentMethodUpdateExpiry")
    assert _codes(past) == _codes(bad_month) == ["INVALID_EXPIRY"] and await _methods(db, acme) == before
    renewed = _payload(await gql(EXPIRY, {"input": {"id": mastercard["id"], "expMonth": 9, "expYear": 31}}, as_=AP),
                       "paymentMethodUpdateExpiry")["paymentMethod"]
    assert (renewed["expMonth"], renewed["expYear"], renewed["expired"], renewed["expiresSoon"]) == (9, 2031, False,
                                                                                                     False)
    assert ("update_card", before[1][1]) in app.state.gateway.calls


async def _auto_charged(db, account: Account) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(Subscription).where(
            Subscription.account_id == account.id,
            Subscription.status.in_([SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING]),
            Subscription.collection_method == CollectionMethod.CHARGE_AUTOMATICALLY))).one()


async def test_the_last_method_stays_while_a_subscription_is_charged_to_it(gql, db, app):
    jo = await _account(db, "Jo Doe")
    assert await _auto_charged(db, jo) == 1  # Jo's trial is charged to the card
    [only] = await _listed(gql, jo, as_=JO)
    before = await _methods(db, jo)
    refused = _payload(await gql(REMOVE, {"input": {"id": only["id"]}}, as_=JO), "paymentMethodRemove")
    assert _codes(refused) == ["LAST_METHOD_IN_USE"] and refused["removedId"] is None
    assert await _methods(db, jo) == before and not any(c[0] == "detach" for c in app.state.gateway.calls)
    # With a second card the first (the default) may go, and the other becomes the default.
    new = (await _add(gql, app, jo, as_=JO, token="tok_mastercard"))["paymentMethod"]
    removed = _payload(await gql(REMOVE, {"input": {"id": only["id"]}}, as_=JO), "paymentMethodRemove")
    assert removed == {"removedId": only["id"], "userErrors": []}
    assert [(m["id"], m["isDefault"]) for m in await _listed(gql, jo, as_=JO)] == [(new["id"], True)]
    assert ("detach", before[0][1]) in app.state.gateway.calls
    last = _payload(await gql(REMOVE, {"input": {"id": new["id"]}}, as_=JO), "paymentMethodRemove")
    assert _codes(last) == ["LAST_METHOD_IN_USE"]
    # Once the subscription is invoiced instead, the last card may go too.
    async with db.transaction() as s:
        for sub in (await s.exec(select(Subscription).where(Subscription.account_id == jo.id))).all():
            sub.collection_method = CollectionMethod.SEND_INVOICE
            s.add(sub)
    gone = _payload(await gql(REMOVE, {"input": {"id": new["id"]}}, as_=JO), "paymentMethodRemove")
    assert gone["userErrors"] == [] and await _listed(gql, jo, as_=JO) == []


async def test_an_account_whose_subscriptions_are_invoiced_may_remove_its_last_card(gql, db, app):
    globex = await _account(db, "Globex GmbH")
    assert await _auto_charged(db, globex) == 0
    [only] = await _listed(gql, globex, as_=GLOBEX)
    gone = _payload(await gql(REMOVE, {"input": {"id": only["id"]}}, as_=GLOBEX), "paymentMethodRemove")
    assert gone["userErrors"] == [] and await _methods(db, globex) == []


async def test_payment_methods_of_a_page_of_accounts_cost_one_statement(gql, db):
    query = """query($n: Int!) { accounts(first: $n) { nodes { name paymentMethods { last4 expiresSoon } } } }"""
    one, three = (await gql(query, {"n": 1}, as_=OPS)), (await gql(query, {"n": 3}, as_=OPS))
    assert "errors" not in one and "errors" not in three
    assert sum(len(a["paymentMethods"]) for a in three["data"]["accounts"]["nodes"]) >= 3
    assert one["_statements"] == three["_statements"]


def test_card_expiry_is_the_end_of_its_month():
    from domain.payments import expires_at
    assert expires_at(12, 2030) == datetime(2031, 1, 1, tzinfo=timezone.utc)
    assert expires_at(2, 2030) == datetime(2030, 3, 1, tzinfo=timezone.utc)


async def test_a_saved_card_is_found_by_id_by_its_account_s_finance_roles_and_staff_only(gql, db):
    acme = await _account(db, "Acme Industrial")
    method = encode("PaymentMethod", (await _methods(db, acme))[0][0])
    assert await finders(gql, method) == {ADMIN, AP, "support@merchant.example", OPS}


async def test_an_integration_needs_payments_write(gql, db, client, app):
    from tests.server.test_oauth import register, token_for
    acme = await _account(db, "Acme Industrial")
    tokens = {}
    for scopes in (["invoices:read"], ["payments:write"]):
        made = (await register(gql, db, scopes))["data"]["oauthClientCreate"]
        tokens[scopes[0]] = (await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()[
            "access_token"]
    before = await _methods(db, acme)
    given = {"input": {"accountId": encode("Account", acme.id), "token": "tok_visa"}}
    refused = await gql(ADD, given, headers={"authorization": f"Bearer {tokens['invoices:read']}"})
    assert codes(refused) == ["FORBIDDEN"] and await _methods(db, acme) == before
    _forget_attempts(app)
    added = await gql(ADD, given, headers={"authorization": f"Bearer {tokens['payments:write']}"})
    assert _payload(added, "paymentMethodAdd")["paymentMethod"]["last4"] == "4242"
    listed = await gql(LIST, {"id": encode("Account", acme.id)},
                       headers={"authorization": f"Bearer {tokens['payments:write']}"})
    assert len(listed["data"]["node"]["paymentMethods"]) == len(before) + 1
