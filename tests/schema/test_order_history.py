"""Order history: tenancy per role, filters, keyset pagination, and SQL statements per request."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from db.models import Account, Fulfilment, Location, Order, OrderLine
from resolvers.globalid import encode
from tests.conftest import NOW
from tests.support import codes, row

HISTORY = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: OrderFilter) {
  viewer { orders(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { id number status poNumber placedAt location { name } }
  } }
}"""

DEEP = """
query($first: Int) {
  viewer { orders(first: $first) {
    edges { cursor node {
      number status placedAt subtotal { amount currencyCode } total { amount }
      location { name account { name } }
      placedBy { name }
      lines { sku quantity unitPrice { amount } total { amount }
              variant { sku listPrice { amount } product { title } } }
      fulfilments { carrier trackingNumber trackingUrl status shippedAt }
    } }
  } }
}"""


async def _count(db, **where):
    async with db.session() as s:
        stmt = select(func.count()).select_from(Order)
        for k, v in where.items():
            stmt = stmt.where(getattr(Order, k) == v)
        return (await s.exec(stmt)).one()


async def copy_orders(db, times: int) -> None:
    """More history for Acme: each order again `times` times, with its lines and fulfilments."""
    acme = await row(db, Account, name="Acme Industrial")
    async with db.transaction() as s:
        orders = (await s.exec(select(Order).where(Order.account_id == acme.id))).all()
        for n in range(times):
            for order in orders:
                copy = Order(**{**order.model_dump(exclude={"id"}), "number": f"{order.number}-{n}",
                                "placed_at": order.placed_at - timedelta(days=800 * (n + 1))})
                s.add(copy)
                await s.flush()
                for line in (await s.exec(select(OrderLine).where(OrderLine.order_id == order.id))).all():
                    s.add(OrderLine(**{**line.model_dump(exclude={"id"}), "order_id": copy.id}))
                for f in (await s.exec(select(Fulfilment).where(Fulfilment.order_id == order.id))).all():
                    s.add(Fulfilment(**{**f.model_dump(exclude={"id"}), "order_id": copy.id}))


async def test_statements_do_not_grow_with_page_size(gql, db):
    await copy_orders(db, 2)
    small = await gql(DEEP, {"first": 5}, as_="approver@acme.example")
    large = await gql(DEEP, {"first": 50}, as_="approver@acme.example")
    assert "errors" not in small and "errors" not in large, large.get("errors")
    assert len(small["data"]["viewer"]["orders"]["edges"]) == 5
    assert len(large["data"]["viewer"]["orders"]["edges"]) == 50
    assert large["_statements"] == small["_statements"]
    # The session with the caller's grants and user (the viewer needs no statement), the page; then
    # one statement per relation level: locations, accounts, fulfilments, lines, placed-by users,
    # variants, products.
    assert large["_statements"] == 9


async def test_buyer_sees_its_location_and_its_own_orders_only(gql, db):
    denver = await row(db, Location, name="Denver Plant")
    body = await gql(HISTORY, {"first": 100}, as_="buyer@acme.example")
    orders = body["data"]["viewer"]["orders"]
    assert {n["location"]["name"] for n in orders["nodes"]} == {"Denver Plant"}
    assert orders["totalCount"] == await _count(db, location_id=denver.id)


async def test_viewer_sees_austin_only_and_approver_all_of_acme(gql, db):
    austin = await row(db, Location, name="Austin Warehouse")
    acme = await row(db, Account, name="Acme Industrial")
    viewer = (await gql(HISTORY, {"first": 100}, as_="viewer@acme.example"))["data"]["viewer"]["orders"]
    assert {n["location"]["name"] for n in viewer["nodes"]} == {"Austin Warehouse"}
    assert viewer["totalCount"] == await _count(db, location_id=austin.id)
    approver = (await gql(HISTORY, {"first": 1}, as_="approver@acme.example"))["data"]["viewer"]["orders"]
    assert approver["totalCount"] == await _count(db, account_id=acme.id)


async def test_other_accounts_orders_are_invisible_everywhere(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    body = await gql("""query($id: ID!) { node(id: $id) { ... on Account { orders(first: 5) { totalCount nodes { id } } } } }""",
                     {"id": encode("Account", acme.id)}, as_="admin@globex.example")
    assert body["data"]["node"] is None and codes(body) == ["NOT_FOUND"]
    globex = (await gql(HISTORY, {"first": 100}, as_="admin@globex.example"))["data"]["viewer"]["orders"]
    assert all(n["location"]["name"] in {"Berlin Zentrale", "München Werk"} for n in globex["nodes"])


async def test_pages_forward_and_backward_cover_the_history_once_in_order(gql, db):
    seen, after = [], None
    while True:
        body = await gql(HISTORY, {"first": 7, "after": after}, as_="admin@acme.example")
        page = body["data"]["viewer"]["orders"]
        seen += [(n["placedAt"], n["id"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    acme = await row(db, Account, name="Acme Industrial")
    assert len(seen) == len(set(seen)) == await _count(db, account_id=acme.id)
    assert [p for p, _ in seen] == sorted((p for p, _ in seen), reverse=True)

    back, before = [], None
    while True:
        body = await gql(HISTORY, {"last": 9, "before": before}, as_="admin@acme.example")
        page = body["data"]["viewer"]["orders"]
        back = [(n["placedAt"], n["id"]) for n in page["nodes"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == seen


@pytest.mark.parametrize("variables, message", [
    ({"first": -1}, "first must not be negative"),
    ({"first": 101}, "first must be at most 100"),
    ({"last": 500}, "last must be at most 100"),
    ({"first": 2, "last": 2}, "either first or last"),
    ({"first": 2, "after": "not-a-cursor"}, "Invalid cursor"),
    ({"first": 2, "after": "WyJ4Il0"}, "Invalid cursor"),  # base64 JSON of the wrong shape
])
async def test_bad_windows_are_bad_user_input(gql, variables, message):
    body = await gql(HISTORY, variables, as_="admin@acme.example")
    assert body["data"] is None or body["data"]["viewer"] is None
    assert codes(body) == ["BAD_USER_INPUT"]
    assert message in body["errors"][0]["message"]


async def test_filters(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    austin = await row(db, Location, name="Austin Warehouse")
    async with db.session() as s:
        some = (await s.exec(select(Order).where(Order.account_id == acme.id).order_by(Order.id))).all()
    sample = some[10]

    async def numbers(filter_):
        body = await gql(HISTORY, {"first": 100, "filter": filter_}, as_="admin@acme.example")
        assert "errors" not in body, body["errors"]
        return {n["number"] for n in body["data"]["viewer"]["orders"]["nodes"]}

    assert await numbers({"number": sample.number}) == {sample.number}
    assert await numbers({"poNumber": sample.po_number}) == {o.number for o in some if o.po_number == sample.po_number}
    assert await numbers({"status": ["PENDING_APPROVAL"]}) == {o.number for o in some if o.status == "PENDING_APPROVAL"}
    assert await numbers({"locationId": encode("Location", austin.id)}) == {o.number for o in some if o.location_id == austin.id}
    since = NOW - timedelta(days=90)
    assert await numbers({"placedAfter": since.isoformat()}) == {o.number for o in some if o.placed_at >= since}
    window = {"placedAfter": (NOW - timedelta(days=400)).isoformat(), "placedBefore": (NOW - timedelta(days=300)).isoformat()}
    expected = {o.number for o in some if NOW - timedelta(days=400) <= o.placed_at < NOW - timedelta(days=300)}
    assert expected and await numbers(window) == expected


async def test_filter_by_a_location_of_another_account_finds_nothing(gql, db):
    berlin = await row(db, Location, name="Berlin Zentrale")
    body = await gql(HISTORY, {"first": 10, "filter": {"locationId": encode("Location", berlin.id)}},
                     as_="admin@acme.example")
    assert body["data"]["viewer"]["orders"]["nodes"] == []
    assert body["data"]["viewer"]["orders"]["totalCount"] == 0


async def test_malformed_location_id_in_filter_is_bad_user_input(gql):
    body = await gql(HISTORY, {"first": 10, "filter": {"locationId": "%%%"}}, as_="admin@acme.example")
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_order_detail_with_lines_fulfilments_and_tracking(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    async with db.session() as s:
        order = (await s.exec(select(Order).where(Order.account_id == acme.id, Order.status == "FULFILLED")
                              .order_by(Order.id))).first()
    body = await gql("""query($id: ID!) { node(id: $id) { ... on Order {
        number status poNumber currencyCode subtotal { amount currencyCode } tax { amount } total { amount }
        shippingAddress { line1 city country }
        lines { sku title quantity unitPrice { amount } total { amount } }
        fulfilments { status carrier trackingNumber trackingUrl shippedAt deliveredAt }
        invoices { number status } } } }""", {"id": encode("Order", order.id)}, as_="admin@acme.example")
    assert "errors" not in body, body["errors"]
    detail = body["data"]["node"]
    assert detail["number"] == order.number and detail["total"]["amount"] == f"{order.total:.2f}"
    assert sum(Decimal(line["total"]["amount"]) for line in detail["lines"]) == order.subtotal
    assert detail["fulfilments"] and detail["fulfilments"][0]["trackingNumber"] in detail["fulfilments"][0]["trackingUrl"]
    assert detail["invoices"][0]["number"].startswith("INV-")
    assert detail["shippingAddress"]["country"] == "US"


async def test_a_malformed_filter_value_is_bad_user_input(gql):
    body = await gql(HISTORY, {"first": 5, "filter": {"placedAfter": "last tuesday"}}, as_="admin@acme.example")
    assert body["data"] is None and codes(body) == ["BAD_USER_INPUT"]
    body = await gql(HISTORY, {"first": 5, "filter": {"status": ["SHIPPED_TO_MARS"]}}, as_="admin@acme.example")
    assert body["data"] is None and codes(body) == ["BAD_USER_INPUT"]
