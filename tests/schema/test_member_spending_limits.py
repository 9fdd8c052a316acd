"""membershipSpendingLimitSet: an account ADMIN sets or clears a member's spending limit; audited; the
buyer's next order over it waits for approval."""
from decimal import Decimal

from db.models import AuditEvent, Membership, User
from tests.ordering_support import ADMIN, BUYER, ORDER_PLACE, data, new_cart, plain
from tests.schema.test_sign_up import count
from tests.support import codes, gid, row

SET = """mutation($input: MembershipSpendingLimitSetInput!) { membershipSpendingLimitSet(input: $input) {
  membership { spendingLimit { amount currencyCode } } userErrors { code field } } }"""


async def _limit(db) -> Decimal | None:  # type: ignore[no-untyped-def]
    return (await row(db, Membership, user_id=(await row(db, User, email=BUYER)).id)).spending_limit


async def _buyer(db) -> str:  # type: ignore[no-untyped-def]
    return await gid(db, Membership, user_id=(await row(db, User, email=BUYER)).id)


async def test_only_the_accounts_admin_sets_a_spending_limit(gql, db):
    buyer, before, events = await _buyer(db), await _limit(db), await count(db, AuditEvent)
    for who, code in [(BUYER, "FORBIDDEN"), ("ap@acme.example", "FORBIDDEN"), ("approver@acme.example", "FORBIDDEN"),
                      ("support@merchant.example", "FORBIDDEN"), ("admin@globex.example", "NOT_FOUND")]:
        body = await gql(SET, {"input": {"membershipId": buyer, "amount": "1"}}, as_=who)
        assert codes(body) == [code], who
    assert await _limit(db) == before == Decimal("5000")
    assert await count(db, AuditEvent) == events


async def test_a_bad_amount_is_a_coded_error_and_changes_nothing(gql, db):
    buyer, events = await _buyer(db), await count(db, AuditEvent)
    for amount in ["-1", "10.005", "1000000000.01"]:
        body = await gql(SET, {"input": {"membershipId": buyer, "amount": amount}}, as_=ADMIN)
        assert data(body, "membershipSpendingLimitSet") == {
            "membership": None, "userErrors": [{"code": "INVALID_AMOUNT", "field": ["input", "amount"]}]}, amount
    # Not a number at all: refused by the Decimal scalar before the mutation runs.
    body = await gql(SET, {"input": {"membershipId": buyer, "amount": "NaN"}}, as_=ADMIN)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert await _limit(db) == Decimal("5000")
    assert await count(db, AuditEvent) == events


async def test_an_order_over_the_new_limit_waits_for_approval_and_none_means_no_limit(gql, db):
    # Bob placed 592.00 this month; his limit is 5,000, so a ~263 order would go through.
    buyer, contract_v = await _buyer(db), await plain(db)
    body = await gql(SET, {"input": {"membershipId": buyer, "amount": "600.50"}}, as_=ADMIN)
    assert data(body, "membershipSpendingLimitSet") == {
        "membership": {"spendingLimit": {"amount": "600.50", "currencyCode": "USD"}}, "userErrors": []}
    assert await _limit(db) == Decimal("600.50")
    cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 10}])
    order = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "a", "cartId": cart["id"]}}, as_=BUYER),
                 "orderPlace")["order"]
    assert order["status"] == "PENDING_APPROVAL" and order["approvalReasons"] == ["SPENDING_LIMIT"]
    log = await gql('{ auditEvents(filter: {actions: ["membership.spending_limit_changed"]}) { nodes { actor { email } '
                    'data } } }', as_=ADMIN)
    event = log["data"]["auditEvents"]["nodes"][0]
    assert event["actor"] == {"email": ADMIN}
    assert (event["data"]["before"], event["data"]["after"], event["data"]["currency"]) == ("5000.00", "600.50", "USD")
    # Cleared: no limit, the next order goes through.
    body = await gql(SET, {"input": {"membershipId": buyer, "amount": None}}, as_=ADMIN)
    assert data(body, "membershipSpendingLimitSet") == {"membership": {"spendingLimit": None}, "userErrors": []}
    cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 10}])
    order = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "b", "cartId": cart["id"]}}, as_=BUYER),
                 "orderPlace")["order"]
    assert order["status"] == "OPEN"
