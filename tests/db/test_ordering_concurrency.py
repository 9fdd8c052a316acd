"""Concurrent placements on PostgreSQL: row locks and the idempotency key's unique index decide."""
import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from db.models import Account, IdempotencyKey, Invoice, Order, OrderApproval, OrderLine, Quote
from db.repositories.ordering import credit_exposure
from resolvers.globalid import decode_as, encode
from tests.conftest import NOW
from tests.ordering_support import (ADMIN, APPROVER, BUYER, ORDER_APPROVE, ORDER_CANCEL, ORDER_PLACE, ORDER_REJECT,
                                    ORDER_UPDATE, STAFF_ADMIN, count, data, error_codes, location_gid, new_cart,
                                    plain)

pytestmark = pytest.mark.postgres


async def test_two_buyers_placing_the_same_cart_at_once_make_one_order(gql, db):
    contract_v = await plain(db)
    for round_ in range(3):
        cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 2}])
        before = await count(db, Order)
        results = await asyncio.gather(*(
            gql(ORDER_PLACE, {"input": {"idempotencyKey": f"{who}-{round_}", "cartId": cart["id"]}}, as_=who)
            for who in (BUYER, ADMIN)))
        payloads = [data(r, "orderPlace") for r in results]
        placed = [p for p in payloads if p["order"]]
        refused = [p for p in payloads if not p["order"]]
        assert len(placed) == 1 and [error_codes(p) for p in refused] == [["CART_ORDERED"]]
        assert await count(db, Order) == before + 1


async def test_concurrent_requests_with_one_key_return_the_same_order(gql, db):
    contract_v = await plain(db)
    denver = await location_gid(db, "Denver Plant")
    await gql("{ viewer { name } }", as_=BUYER)  # one session for both requests
    before = await count(db, Order)
    request = {"input": {"idempotencyKey": "erp-po-77", "locationId": denver,
                         "lines": [{"sku": contract_v.sku, "quantity": 3}]}}
    results = await asyncio.gather(*(gql(ORDER_PLACE, request, as_=BUYER) for _ in range(4)))
    payloads = [data(r, "orderPlace") for r in results]
    assert all(p["userErrors"] == [] for p in payloads), payloads
    assert len({p["order"]["id"] for p in payloads}) == 1
    assert sorted(p["replayed"] for p in payloads) == [False, True, True, True]
    assert await count(db, Order) == before + 1
    assert await count(db, IdempotencyKey) == 1


async def test_concurrent_orders_cannot_together_pass_the_credit_limit(gql, db):
    contract_v = await plain(db)
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        owed = await credit_exposure(s, acme.id)
    carts = [await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 25}], as_=ADMIN) for _ in range(2)]
    one_order = sum(Decimal(x["total"]["amount"]) for x in carts[0]["lines"]) * Decimal("1.2")  # with any tax
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        acme.credit_limit = owed + one_order * Decimal("1.5")  # room for one order, not two
        s.add(acme)
    results = await asyncio.gather(*(
        gql(ORDER_PLACE, {"input": {"idempotencyKey": f"c-{i}", "cartId": c["id"]}}, as_=ADMIN)
        for i, c in enumerate(carts)))
    codes = sorted(tuple(error_codes(data(r, "orderPlace"))) for r in results)
    assert codes == [(), ("CREDIT_LIMIT_EXCEEDED",)]


# Two people deciding on one order or quote at once: exactly one wins, the other gets the userError
# it would get one after the other, and money is written once.

WAITING = "100023"  # placed by the buyer, waiting for one approval


async def _pending(db) -> tuple[str, int]:
    async with db.session() as s:
        order = (await s.exec(select(Order).where(Order.number == WAITING))).one()
    return encode("Order", order.id), order.id


async def _race(gql, *requests: tuple[str, str, dict[str, Any], str]) -> list[dict[str, Any]]:
    """(document, field, input, who) sent at once; each caller signs in before the race."""
    for who in {r[3] for r in requests}:
        await gql("{ viewer { name } }", as_=who)
    bodies = await asyncio.gather(*(gql(doc, {"input": inp}, as_=who) for doc, _, inp, who in requests))
    return [data(b, field) for b, (_, field, _, _) in zip(bodies, requests)]


async def _order_state(db, order_id: int) -> tuple[str, int, int]:
    async with db.session() as s:
        status = (await s.exec(select(Order.status).where(Order.id == order_id))).one()
    return (status, await count(db, OrderApproval, OrderApproval.order_id == order_id),
            await count(db, Invoice, Invoice.order_id == order_id, Invoice.status == "OPEN"))


async def test_two_approvers_approving_at_once_approve_and_invoice_once(gql, db):
    gid, oid = await _pending(db)
    payloads = await _race(gql, (ORDER_APPROVE, "orderApprove", {"orderId": gid}, APPROVER),
                           (ORDER_APPROVE, "orderApprove", {"orderId": gid}, ADMIN))
    assert sorted(tuple(error_codes(p)) for p in payloads) == [(), ("NOT_PENDING_APPROVAL",)], payloads
    assert await _order_state(db, oid) == ("OPEN", 1, 1)


async def test_approve_and_reject_at_once_decide_once(gql, db):
    gid, oid = await _pending(db)
    payloads = await _race(gql, (ORDER_APPROVE, "orderApprove", {"orderId": gid}, APPROVER),
                           (ORDER_REJECT, "orderReject", {"orderId": gid}, ADMIN))
    assert sorted(tuple(error_codes(p)) for p in payloads) == [(), ("NOT_PENDING_APPROVAL",)], payloads
    winner = next(p for p in payloads if not p["userErrors"])["order"]["status"]
    assert await _order_state(db, oid) == (winner, 1, 1 if winner == "OPEN" else 0)


async def test_approve_and_the_buyers_cancel_at_once_one_wins(gql, db):
    gid, oid = await _pending(db)
    approve, cancel = await _race(gql, (ORDER_APPROVE, "orderApprove", {"orderId": gid}, APPROVER),
                                  (ORDER_CANCEL, "orderCancel", {"orderId": gid}, BUYER))
    # Either way the buyer's cancel wins in the end: after an approval the order is OPEN and still
    # cancellable. Never a cancel that reports success and leaves the order open and invoiced.
    assert cancel["userErrors"] == [] and cancel["order"]["status"] == "CANCELLED", cancel
    assert await _order_state(db, oid) == ("CANCELLED", 0 if approve["userErrors"] else 1, 0)
    if approve["userErrors"]:  # the cancel went first: nothing was left to approve
        assert error_codes(approve) == ["NOT_PENDING_APPROVAL"]
    assert await count(db, Invoice, Invoice.order_id == oid) == (0 if approve["userErrors"] else 1)


async def test_cancel_and_update_at_once_one_wins(gql, db):
    gid, oid = await _pending(db)
    async with db.session() as s:
        line = (await s.exec(select(OrderLine).where(OrderLine.order_id == oid).order_by(OrderLine.id))).first()
    update = {"orderId": gid, "lines": [{"lineId": encode("OrderLine", line.id), "quantity": line.quantity * 2}]}
    cancel, changed = await _race(gql, (ORDER_CANCEL, "orderCancel", {"orderId": gid}, BUYER),
                                  (ORDER_UPDATE, "orderUpdate", update, BUYER))
    async with db.session() as s:
        status = (await s.exec(select(Order.status).where(Order.id == oid))).one()
        quantity = (await s.exec(select(OrderLine.quantity).where(OrderLine.id == line.id))).one()
    assert status == "CANCELLED" and cancel["userErrors"] == []
    if changed["userErrors"]:  # the cancel went first
        assert error_codes(changed) == ["NOT_CHANGEABLE"] and quantity == line.quantity
    else:  # the change went first, and was cancelled with the order
        assert changed["order"]["lines"][0]["quantity"] == quantity == line.quantity * 2


QUOTE_FIELDS = "quote { id status lines { id } } userErrors { code field }"
QUOTE_REQUEST = f"mutation($input: QuoteRequestInput!) {{ quoteRequest(input: $input) {{ {QUOTE_FIELDS} }} }}"
QUOTE_RESPOND = f"mutation($input: QuoteRespondInput!) {{ quoteRespond(input: $input) {{ {QUOTE_FIELDS} }} }}"
QUOTE_ACCEPT = ("mutation($input: QuoteAcceptInput!) { quoteAccept(input: $input) { quote { status } "
                "order { number } userErrors { code field } } }")
QUOTE_DECLINE = f"mutation($input: QuoteDeclineInput!) {{ quoteDecline(input: $input) {{ {QUOTE_FIELDS} }} }}"


async def _quoted(gql, db) -> str:
    sku = (await plain(db)).sku
    asked = data(await gql(QUOTE_REQUEST, {"input": {"locationId": await location_gid(db, "Denver Plant"),
                                                     "lines": [{"sku": sku, "quantity": 20}]}}, as_=BUYER),
                 "quoteRequest")
    quote = asked["quote"]
    answered = data(await gql(QUOTE_RESPOND, {"input": {
        "quoteId": quote["id"], "expiresAt": (NOW + timedelta(days=7)).isoformat(),
        "lines": [{"lineId": x["id"], "unitPrice": "9.50"} for x in quote["lines"]]}}, as_=STAFF_ADMIN),
        "quoteRespond")
    assert answered["userErrors"] == [] and answered["quote"]["status"] == "QUOTED", answered
    return quote["id"]


async def test_a_quote_accepted_twice_at_once_makes_one_order(gql, db):
    quote = await _quoted(gql, db)
    before = await count(db, Order)
    payloads = await _race(gql, (QUOTE_ACCEPT, "quoteAccept", {"quoteId": quote}, BUYER),
                           (QUOTE_ACCEPT, "quoteAccept", {"quoteId": quote}, ADMIN))
    assert sorted(tuple(error_codes(p)) for p in payloads) == [(), ("QUOTE_NOT_OPEN",)], payloads
    assert await count(db, Order) == before + 1


async def test_a_quote_accepted_and_declined_at_once_ends_one_way(gql, db):
    quote = await _quoted(gql, db)
    before = await count(db, Order)
    accept, decline = await _race(gql, (QUOTE_ACCEPT, "quoteAccept", {"quoteId": quote}, BUYER),
                                  (QUOTE_DECLINE, "quoteDecline", {"quoteId": quote}, ADMIN))
    async with db.session() as s:
        status = (await s.exec(select(Quote.status).where(Quote.id == decode_as(quote, "Quote")))).one()
    if status == "ACCEPTED":
        assert accept["userErrors"] == [] and error_codes(decline) == ["QUOTE_CLOSED"]
        assert await count(db, Order) == before + 1
    else:
        assert status == "DECLINED" and decline["userErrors"] == [] and error_codes(accept) == ["QUOTE_NOT_OPEN"]
        assert await count(db, Order) == before
