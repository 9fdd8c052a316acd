"""Quotes: buyer requests, staff respond with prices and expiry, buyer accepts (an order through approvals)
or declines; expired quotes cannot be accepted."""
from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from db.models import Order, OutboxMessage, Quote, UserAddress
from tests.conftest import NOW
from tests.ordering_support import (ADMIN, APPROVER, BUYER, GLOBEX_BUYER, STAFF_ADMIN, STAFF_SUPPORT, VIEWER, count,
                                    data, error_codes, location_gid, money, ruled)
from tests.support import codes, gid, row

QUOTE = "quote { id number status note responseNote expiresAt total { amount } lines { id sku quantity unitPrice { amount } } order { number status } }"
REQUEST = f"mutation($input: QuoteRequestInput!) {{ quoteRequest(input: $input) {{ {QUOTE} userErrors {{ code field }} }} }}"
RESPOND = f"mutation($input: QuoteRespondInput!) {{ quoteRespond(input: $input) {{ {QUOTE} userErrors {{ code field }} }} }}"
ACCEPT = f"""mutation($input: QuoteAcceptInput!) {{ quoteAccept(input: $input) {{ {QUOTE}
    order {{ number status total {{ amount }} lines {{ sku unitPrice {{ amount }} }} approvalReasons }}
    userErrors {{ code message }} }} }}"""
DECLINE = f"mutation($input: QuoteDeclineInput!) {{ quoteDecline(input: $input) {{ {QUOTE} userErrors {{ code }} }} }}"
LIST = "{ viewer { quotes(first: 10) { totalCount nodes { number status } } } }"


async def _request(gql, db, quantity=600, as_=BUYER):
    ruled_v = await ruled(db)
    body = await gql(REQUEST, {"input": {"locationId": await location_gid(db, "Denver Plant"),
                                         "lines": [{"sku": ruled_v.sku, "quantity": quantity}],
                                         "note": "Annual volume, can you do better?"}}, as_=as_)
    return data(body, "quoteRequest")


async def _respond(gql, quote, price="18.50", days=14, as_=STAFF_ADMIN):
    body = await gql(RESPOND, {"input": {"quoteId": quote["id"], "expiresAt": (NOW + timedelta(days=days)).isoformat(),
                                         "note": "Volume price",
                                         "lines": [{"lineId": x["id"], "unitPrice": price} for x in quote["lines"]]}},
                     as_=as_)
    return body


async def test_who_may_request_a_quote(gql, db):
    for who in (VIEWER, APPROVER):
        body = await gql(REQUEST, {"input": {"locationId": await location_gid(db, "Austin Warehouse"),
                                             "lines": [{"sku": "FST-1000-1", "quantity": 10}]}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], who
    assert error_codes(await _request(gql, db, as_=GLOBEX_BUYER)) == ["LOCATION_NOT_FOUND"]
    assert await count(db, Quote) == 0
    # More than the maximum of 500 is what quotes are for; the increment still holds.
    assert error_codes(await _request(gql, db, quantity=605)) == ["QUANTITY_RULE"]
    payload = await _request(gql, db)
    assert payload["userErrors"] == [] and payload["quote"]["status"] == "REQUESTED"
    assert payload["quote"]["total"] is None and payload["quote"]["lines"][0]["unitPrice"] is None


async def test_staff_answer_and_the_buyer_accepts_an_order_at_the_quoted_prices(gql, db):
    quote = (await _request(gql, db))["quote"]
    # Only STAFF_ADMIN answers: not support staff, not the buyer.
    for who in (STAFF_SUPPORT, BUYER):
        assert codes(await _respond(gql, quote, as_=who)) == ["FORBIDDEN"], who
    payload = data(await _respond(gql, quote), "quoteRespond")
    assert payload["userErrors"] == []
    quoted = payload["quote"]
    assert quoted["status"] == "QUOTED" and money(quoted["total"]) == Decimal("11100.00")
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage))).one()
        assert mail.template == "quote_ready" and mail.to_address == BUYER and mail.params["total"] == "$11,100.00"
    # Another account cannot see it; a viewer of the account cannot accept it.
    for who in (GLOBEX_BUYER,):
        payload = data(await gql(ACCEPT, {"input": {"quoteId": quote["id"]}}, as_=who), "quoteAccept")
        assert error_codes(payload) == ["QUOTE_NOT_FOUND"]
    before = await count(db, Order)
    payload = data(await gql(ACCEPT, {"input": {"quoteId": quote["id"], "idempotencyKey": "q-1",
                                              "poNumber": "PO-Q"}}, as_=BUYER), "quoteAccept")
    assert payload["userErrors"] == []
    order = payload["order"]
    assert money(order["lines"][0]["unitPrice"]) == Decimal("18.50")
    # 11,100 is over Bob's 5,000 limit: the order goes through approvals like any order.
    assert order["status"] == "PENDING_APPROVAL" and order["approvalReasons"] == ["SPENDING_LIMIT"]
    assert payload["quote"]["status"] == "ACCEPTED" and payload["quote"]["order"]["number"] == order["number"]
    assert await count(db, Order) == before + 1
    # A retry with the key returns the same order; without it, the quote is closed.
    again = data(await gql(ACCEPT, {"input": {"quoteId": quote["id"], "idempotencyKey": "q-1", "poNumber": "PO-Q"}},
                           as_=BUYER), "quoteAccept")
    assert again["order"]["number"] == order["number"]
    closed = data(await gql(ACCEPT, {"input": {"quoteId": quote["id"]}}, as_=BUYER), "quoteAccept")
    assert error_codes(closed) == ["QUOTE_NOT_OPEN"]
    assert await count(db, Order) == before + 1


async def test_an_expired_quote_cannot_be_accepted(gql, db):
    quote = (await _request(gql, db))["quote"]
    await _respond(gql, quote, days=7)
    async with db.transaction() as s:  # a week later (moving the clock would expire the test's sessions)
        row = (await s.exec(select(Quote))).one()
        row.expires_at = NOW - timedelta(minutes=1)
        s.add(row)
    body = await gql(LIST, as_=BUYER)
    assert data(body, "viewer")["quotes"]["nodes"][0]["status"] == "EXPIRED"
    payload = data(await gql(ACCEPT, {"input": {"quoteId": quote["id"]}}, as_=BUYER), "quoteAccept")
    assert error_codes(payload) == ["QUOTE_EXPIRED"] and payload["order"] is None
    assert data(await gql(LIST.replace("quotes(first: 10)", "quotes(first: 10, status: [QUOTED])"), as_=BUYER),
                "viewer")["quotes"]["totalCount"] == 0


async def test_staff_must_price_every_line_with_a_future_expiry(gql, db):
    quote = (await _request(gql, db))["quote"]
    payload = data(await gql(RESPOND, {"input": {"quoteId": quote["id"], "lines": [],
                                                 "expiresAt": (NOW + timedelta(days=3)).isoformat()}},
                             as_=STAFF_ADMIN), "quoteRespond")
    assert error_codes(payload) == ["MISSING_PRICE"]
    payload = data(await gql(RESPOND, {"input": {"quoteId": quote["id"], "lines": [
        {"lineId": quote["lines"][0]["id"], "unitPrice": "-1"}],
        "expiresAt": (NOW - timedelta(days=1)).isoformat()}}, as_=STAFF_ADMIN), "quoteRespond")
    assert sorted(error_codes(payload)) == ["INVALID_EXPIRY", "INVALID_PRICE"]
    async with db.session() as s:
        assert (await s.exec(select(Quote.status))).one() == "REQUESTED"


async def test_the_buyer_declines_and_sees_only_its_own_quotes(gql, db):
    quote = (await _request(gql, db))["quote"]
    # The buyer sees its quote; the account's ADMIN too; an approver does not.
    assert data(await gql(LIST, as_=BUYER), "viewer")["quotes"]["totalCount"] == 1
    assert data(await gql(LIST, as_=ADMIN), "viewer")["quotes"]["totalCount"] == 1
    assert data(await gql(LIST, as_=APPROVER), "viewer")["quotes"]["totalCount"] == 0
    assert data(await gql(LIST, as_=STAFF_SUPPORT), "viewer")["quotes"]["totalCount"] == 1
    payload = data(await gql(DECLINE, {"input": {"quoteId": quote["id"], "reason": "too slow"}}, as_=BUYER),
                   "quoteDecline")
    assert payload["quote"]["status"] == "DECLINED"
    payload = data(await gql(ACCEPT, {"input": {"quoteId": quote["id"]}}, as_=BUYER), "quoteAccept")
    assert error_codes(payload) == ["QUOTE_NOT_OPEN"]


async def test_the_quote_list_costs_the_same_statements_for_one_or_many(gql, db):
    query = """{ viewer { quotes(first: 20) { nodes { number status total { amount } requestedBy { email }
        location { name } lines { sku quantity unitPrice { amount } variant { sku } } } } } }"""
    quote = (await _request(gql, db))["quote"]
    await _respond(gql, quote)
    one = await gql(query, as_=STAFF_SUPPORT)
    for _ in range(3):
        await _request(gql, db)
    many = await gql(query, as_=STAFF_SUPPORT)
    assert len(data(many, "viewer")["quotes"]["nodes"]) == 4
    assert many["_statements"] == one["_statements"]


async def test_an_accepted_quote_ships_to_an_address_of_the_buyers_own_book(gql, db):
    quote = (await _request(gql, db))["quote"]
    await _respond(gql, quote)
    jos = await gid(db, UserAddress, label="Studio")
    refused = data(await gql(ACCEPT, {"input": {"quoteId": quote["id"], "shippingAddressId": jos}}, as_=BUYER),
                   "quoteAccept")
    assert [e["code"] for e in refused["userErrors"]] == ["ADDRESS_NOT_FOUND"] and refused["order"] is None
    office = await gid(db, UserAddress, label="Home office")
    done = data(await gql(ACCEPT, {"input": {"quoteId": quote["id"], "shippingAddressId": office}}, as_=BUYER),
                "quoteAccept")
    assert done["userErrors"] == []
    order = await row(db, Order, number=done["order"]["number"])
    assert (order.shipping_address["line1"], order.shipping_address["city"]) == ("1550 Larimer St", "Denver")
