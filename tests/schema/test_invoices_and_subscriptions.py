"""Invoices and subscriptions, read side: who sees them, and every filter."""
from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from db.enums import InvoiceStatus
from db.models import Account, Invoice, Location, Subscription
from resolvers.globalid import encode
from tests.conftest import NOW
from tests.support import row

INVOICES = """query($filter: InvoiceFilter, $first: Int, $after: String) { viewer { invoices(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes { number status total { amount currencyCode } amountDue { amount } amountPaid { amount } dueDate issuedAt isOverdue
          poNumber billingDetails { taxId country isBusiness } tax { amount }
          lines { description quantity amount { amount } tax { amount { amount } } } payments { method amount { amount } } } } } }"""
SUBSCRIPTIONS = """query($filter: SubscriptionFilter) { viewer { subscriptions(first: 50, filter: $filter) {
  totalCount nodes { number status interval intervalCount nextBillingAt location { name } items { quantity variant { sku } } } } } }"""


async def _acme_invoices(db) -> list[Invoice]:
    acme = await row(db, Account, name="Acme Industrial")
    async with db.session() as s:
        return list((await s.exec(select(Invoice).where(Invoice.account_id == acme.id))).all())


async def test_only_finance_roles_see_invoices(gql, db):
    for user in ("buyer@acme.example", "approver@acme.example", "viewer@acme.example"):
        body = await gql(INVOICES, {"first": 5}, as_=user)
        assert body["data"]["viewer"]["invoices"] == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None},
                                                      "nodes": []}, user
    body = await gql(INVOICES, {"first": 100}, as_="ap@acme.example")
    assert body["data"]["viewer"]["invoices"]["totalCount"] == len(await _acme_invoices(db))


async def test_invoice_filters(gql, db):
    invoices = await _acme_invoices(db)

    async def numbers(filter_):
        body = await gql(INVOICES, {"first": 100, "filter": filter_}, as_="ap@acme.example")
        assert "errors" not in body, body["errors"]
        return {n["number"] for n in body["data"]["viewer"]["invoices"]["nodes"]}

    sample = invoices[5]
    assert await numbers({"number": sample.number}) == {sample.number}
    assert await numbers({"status": ["OPEN"]}) == {i.number for i in invoices if i.status is InvoiceStatus.OPEN}
    low, high = Decimal("100"), Decimal("1000")
    expected = {i.number for i in invoices if low <= i.total <= high}
    assert expected and await numbers({"minTotal": "100", "maxTotal": "1000"}) == expected
    since = NOW - timedelta(days=120)
    assert await numbers({"issuedAfter": since.isoformat()}) == {i.number for i in invoices if i.issued_at >= since}
    due = (NOW - timedelta(days=60)).date()
    assert await numbers({"dueBefore": due.isoformat()}) == {i.number for i in invoices if i.due_date < due}
    overdue = {i.number for i in invoices if i.status is InvoiceStatus.OPEN and i.due_date < NOW.date()}
    assert await numbers({"overdue": True}) == overdue


async def test_invoice_detail_keeps_billing_details_as_issued(gql, db):
    body = await gql(INVOICES.replace("poNumber", "poNumber subtotal { amount }"), {"first": 30}, as_="ap@acme.example")
    for invoice in body["data"]["viewer"]["invoices"]["nodes"]:
        assert invoice["billingDetails"] == {"taxId": "36-1234567", "country": "US", "isBusiness": True}
        assert sum(Decimal(line["amount"]["amount"]) for line in invoice["lines"]) == Decimal(invoice["subtotal"]["amount"])
        # Tax per line, rounded per line: the invoice's tax is their sum.
        assert sum(Decimal(line["tax"]["amount"]["amount"]) for line in invoice["lines"]) == \
            Decimal(invoice["tax"]["amount"])
        total, due, paid = (Decimal(invoice[k]["amount"]) for k in ("total", "amountDue", "amountPaid"))
        if invoice["status"] == "PAID":
            assert (due, paid) == (0, total)
        else:
            assert due + paid == total


async def test_balance_is_the_unpaid_amount_of_open_invoices(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    expected = sum((i.amount_due for i in await _acme_invoices(db) if i.status is InvoiceStatus.OPEN), Decimal("0"))
    body = await gql("query($id: ID!) { node(id: $id) { ... on Account { balance { amount currencyCode } } } }",
                     {"id": encode("Account", acme.id)}, as_="ap@acme.example")
    assert Decimal(body["data"]["node"]["balance"]["amount"]) == expected
    assert body["data"]["node"]["balance"]["currencyCode"] == "USD"


async def test_subscriptions_by_role_and_filter(gql, db):
    viewer = (await gql(SUBSCRIPTIONS, {}, as_="viewer@acme.example"))["data"]["viewer"]["subscriptions"]
    assert [n["location"]["name"] for n in viewer["nodes"]] == ["Austin Warehouse"]
    assert viewer["nodes"][0]["status"] == "PAUSED"
    admin = (await gql(SUBSCRIPTIONS, {}, as_="admin@acme.example"))["data"]["viewer"]["subscriptions"]
    acme = await row(db, Account, name="Acme Industrial")
    async with db.session() as s:
        count = len((await s.exec(select(Subscription).where(Subscription.account_id == acme.id))).all())
    # The ADMIN sees the whole account's, more than the viewer's one location has.
    assert admin["totalCount"] == count > len(viewer["nodes"])
    active = (await gql(SUBSCRIPTIONS, {"filter": {"status": ["ACTIVE"]}}, as_="admin@acme.example"))
    assert {n["status"] for n in active["data"]["viewer"]["subscriptions"]["nodes"]} == {"ACTIVE"}
    denver = await row(db, Location, name="Denver Plant")
    at_denver = await gql(SUBSCRIPTIONS, {"filter": {"locationId": encode("Location", denver.id)}}, as_="admin@acme.example")
    assert {n["location"]["name"] for n in at_denver["data"]["viewer"]["subscriptions"]["nodes"]} == {"Denver Plant"}
    globex = (await gql(SUBSCRIPTIONS, {}, as_="admin@globex.example"))["data"]["viewer"]["subscriptions"]
    assert {n["location"]["name"] for n in globex["nodes"]} <= {"Berlin Zentrale", "München Werk"}
