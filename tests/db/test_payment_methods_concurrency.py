"""Concurrent removals of an account's payment methods on PostgreSQL: the account's row lock makes
them one after the other, so the last method of an automatically charged subscription stays."""
import asyncio

import pytest
from sqlmodel import select

from db.models import Account, PaymentMethod
from resolvers.globalid import encode

pytestmark = pytest.mark.postgres

REMOVE = """mutation($input: PaymentMethodIdInput!) { paymentMethodRemove(input: $input) {
  removedId userErrors { code } } }"""


async def test_two_removals_at_once_leave_the_last_method_of_a_charged_subscription(gql, db):
    async with db.session() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        methods = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == acme.id))).all()
    assert len(methods) == 2  # the demo's Visa and Mastercard; its Denver subscription is charged automatically
    for who in ("ap@acme.example", "admin@acme.example"):
        await gql("{ viewer { name } }", as_=who)  # sessions first, so the removals start together
    results = await asyncio.gather(*(
        gql(REMOVE, {"input": {"id": encode("PaymentMethod", m.id)}}, as_=who)
        for m, who in zip(methods, ("ap@acme.example", "admin@acme.example"))))
    payloads = [r["data"]["paymentMethodRemove"] for r in results]
    assert sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads) == [(), ("LAST_METHOD_IN_USE",)]
    async with db.session() as s:
        left = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == acme.id))).all()
    assert len(left) == 1 and left[0].is_default
