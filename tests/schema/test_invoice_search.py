"""Finding invoices: every filter and the free-text search (a denied role first), sorting with
keyset cursors, what is due and overdue per currency, and statements per request whatever the
page size."""
from datetime import timedelta
from decimal import Decimal

from db.enums import InvoiceStatus
from db.models import Account, Location
from resolvers.globalid import encode
from tests.conftest import NOW
from tests.invoice_factories import add_invoice, invoices_of, order_number_of
from tests.support import codes, row

SEARCH = """query($filter: InvoiceFilter, $sortBy: InvoiceSortKey, $direction: SortDirection, $first: Int,
  $after: String, $last: Int, $before: String) {
  viewer { invoices(filter: $filter, sortBy: $sortBy, direction: $direction, first: $first, after: $after,
                    last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { number status total { amount currencyCode } dueDate issuedAt poNumber } } } }"""
AP = "ap@acme.example"


async def _numbers(gql, filter_, as_=AP):
    body = await gql(SEARCH, {"first": 100, "filter": filter_}, as_=as_)
    assert "errors" not in body, body["errors"]
    return {n["number"] for n in body["data"]["viewer"]["invoices"]["nodes"]}


async def test_a_buyer_finds_no_invoice_by_any_filter(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    sample = next(i for i in await invoices_of(db, acme) if i.po_number and i.order_id)
    for filter_ in ({"number": sample.number}, {"search": sample.number}, {"poNumber": sample.po_number},
                    {"orderNumber": await order_number_of(db, sample)}):
        for who in ("buyer@acme.example", "viewer@acme.example", "approver@acme.example"):
            assert await _numbers(gql, filter_, as_=who) == set(), (who, filter_)
        assert await _numbers(gql, filter_) == {sample.number}
    # On the account, the field itself is refused.
    body = await gql("query($id: ID!) { node(id: $id) { ... on Account { invoices(first: 5) { totalCount } "
                     "invoiceTotals { currencyCode } } } }", {"id": encode("Account", acme.id)},
                     as_="buyer@acme.example")
    assert body["data"]["node"] == {"invoices": None, "invoiceTotals": None}
    assert set(codes(body)) == {"FORBIDDEN"}


async def test_each_filter(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    invoices = await invoices_of(db, acme)
    sample = next(i for i in invoices if i.po_number and i.order_id)
    order_number = await order_number_of(db, sample)
    assert await _numbers(gql, {"orderNumber": order_number}) == {sample.number}
    assert await _numbers(gql, {"poNumber": sample.po_number}) == {i.number for i in invoices
                                                                   if i.po_number == sample.po_number}
    for status in ("OPEN", "PAID"):
        expected = {i.number for i in invoices if i.status == status}
        assert expected and await _numbers(gql, {"status": [status]}) == expected
    since, until = NOW - timedelta(days=200), NOW - timedelta(days=60)
    expected = {i.number for i in invoices if since <= i.issued_at < until}
    assert expected and await _numbers(gql, {"issuedAfter": since.isoformat(), "issuedBefore": until.isoformat()}) == expected
    due_from, due_to = (NOW - timedelta(days=150)).date(), (NOW + timedelta(days=10)).date()
    expected = {i.number for i in invoices if due_from <= i.due_date < due_to}
    assert expected and await _numbers(gql, {"dueAfter": due_from.isoformat(), "dueBefore": due_to.isoformat()}) == expected
    low, high = Decimal("200"), Decimal("2000")
    expected = {i.number for i in invoices if low <= i.total <= high}
    assert expected and await _numbers(gql, {"minTotal": "200", "maxTotal": "2000"}) == expected
    denver = await row(db, Location, name="Denver Plant")
    expected = {i.number for i in invoices if i.location_id == denver.id}
    assert expected and await _numbers(gql, {"locationId": encode("Location", denver.id)}) == expected
    overdue = {i.number for i in invoices if i.status is InvoiceStatus.OPEN and i.due_date < NOW.date()}
    assert overdue and await _numbers(gql, {"overdue": True}) == overdue
    # Conditions combine.
    assert await _numbers(gql, {"overdue": True, "locationId": encode("Location", denver.id)}) == \
        {i.number for i in invoices if i.number in overdue and i.location_id == denver.id}


async def test_search_matches_part_of_any_number_in_any_case(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    await add_invoice(db, acme, "INV-X-5150", NOW - timedelta(days=3), Decimal("110.00"), po="po-alpha_7%")
    await add_invoice(db, acme, "INV-X-5151", NOW - timedelta(days=2), Decimal("220.00"), po="PO-BETA-5150")
    sample = next(i for i in await invoices_of(db, acme) if i.order_id)
    order_number = await order_number_of(db, sample)
    assert await _numbers(gql, {"search": "x-515"}) == {"INV-X-5150", "INV-X-5151"}
    assert await _numbers(gql, {"search": "5150"}) == {"INV-X-5150", "INV-X-5151"}  # a number, a PO
    assert await _numbers(gql, {"search": "ALPHA"}) == {"INV-X-5150"}
    # % and _ are themselves, not wildcards.
    assert await _numbers(gql, {"search": "_7%"}) == {"INV-X-5150"}
    assert await _numbers(gql, {"search": "a%7"}) == set()
    assert sample.number in await _numbers(gql, {"search": order_number})
    too_long = await gql(SEARCH, {"filter": {"search": "x" * 201}}, as_=AP)
    assert codes(too_long) == ["BAD_USER_INPUT"]


def _key(node, sort_by):
    return {"ISSUED_AT": lambda n: n["issuedAt"], "DUE_DATE": lambda n: n["dueDate"],
            "TOTAL": lambda n: Decimal(n["total"]["amount"]), "NUMBER": lambda n: n["number"]}[sort_by](node)


async def test_sorts_page_through_every_invoice_once_with_cursors(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    everything = {i.number for i in await invoices_of(db, acme)}
    for sort_by in ("ISSUED_AT", "DUE_DATE", "TOTAL", "NUMBER"):
        for direction in ("ASC", "DESC"):
            seen, after = [], None
            while True:
                body = await gql(SEARCH, {"sortBy": sort_by, "direction": direction, "first": 7, "after": after}, as_=AP)
                assert "errors" not in body, body["errors"]
                page = body["data"]["viewer"]["invoices"]
                seen += page["nodes"]
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
            assert [n["number"] for n in seen] and {n["number"] for n in seen} == everything
            assert len(seen) == len(everything)
            keys = [_key(n, sort_by) for n in seen]
            assert keys == sorted(keys, reverse=direction == "DESC"), (sort_by, direction)
            # Backwards from the end gives the last page in the same order.
            body = await gql(SEARCH, {"sortBy": sort_by, "direction": direction, "last": 5}, as_=AP)
            assert [n["number"] for n in body["data"]["viewer"]["invoices"]["nodes"]] == \
                [n["number"] for n in seen[-5:]]


async def test_a_cursor_of_another_sort_is_refused(gql, db):
    body = await gql(SEARCH, {"sortBy": "TOTAL", "first": 2}, as_=AP)
    cursor = body["data"]["viewer"]["invoices"]["pageInfo"]["endCursor"]
    refused = await gql(SEARCH, {"sortBy": "DUE_DATE", "first": 2, "after": cursor}, as_=AP)
    assert codes(refused) == ["BAD_USER_INPUT"]


TOTALS = """query($id: ID!, $filter: InvoiceFilter) {
  viewer { invoiceTotals(filter: $filter) { currencyCode count amountDue { amount currencyCode } overdueCount
                                            amountOverdue { amount } } }
  node(id: $id) { ... on Account { invoiceTotals { currencyCode count amountDue { amount } overdueCount
                                                    amountOverdue { amount } } } } }"""


def _expected_totals(invoices):
    out = {}
    for i in invoices:
        if i.status is not InvoiceStatus.OPEN:
            continue
        t = out.setdefault(i.currency, [0, Decimal(0), 0, Decimal(0)])
        t[0] += 1
        t[1] += i.amount_due
        if i.due_date < NOW.date():
            t[2] += 1
            t[3] += i.amount_due
    return {cur: (c, str(due.quantize(Decimal("0.01"))), lc, str(late.quantize(Decimal("0.01"))))
            for cur, (c, due, lc, late) in out.items()}


def _answered(totals):
    return {t["currencyCode"]: (t["count"], t["amountDue"]["amount"], t["overdueCount"], t["amountOverdue"]["amount"])
            for t in totals}


async def test_totals_due_and_overdue_per_currency(gql, db):
    acme = await row(db, Account, name="Acme Industrial")
    # Acme also owes in euros: one overdue, one not yet due, one paid (owes nothing).
    await add_invoice(db, acme, "INV-EUR-1", NOW - timedelta(days=40), Decimal("110.00"), currency="EUR")
    await add_invoice(db, acme, "INV-EUR-2", NOW - timedelta(days=5), Decimal("330.00"), currency="EUR",
                      paid=Decimal("30.00"))
    await add_invoice(db, acme, "INV-EUR-3", NOW - timedelta(days=5), Decimal("55.00"), currency="EUR",
                      status=InvoiceStatus.PAID, paid=Decimal("55.00"))
    invoices = await invoices_of(db, acme)
    expected = _expected_totals(invoices)
    assert set(expected) == {"USD", "EUR"} and expected["EUR"] == (2, "410.00", 1, "110.00")
    for who in ("buyer@acme.example", "viewer@acme.example"):
        body = await gql(TOTALS, {"id": encode("Account", acme.id)}, as_=who)
        assert body["data"]["viewer"]["invoiceTotals"] == [] and body["data"]["node"]["invoiceTotals"] is None
    body = await gql(TOTALS, {"id": encode("Account", acme.id)}, as_=AP)
    assert "errors" not in body, body["errors"]
    assert _answered(body["data"]["viewer"]["invoiceTotals"]) == expected
    assert _answered(body["data"]["node"]["invoiceTotals"]) == expected
    denver = await row(db, Location, name="Denver Plant")
    body = await gql(TOTALS, {"id": encode("Account", acme.id), "filter": {"locationId": encode("Location", denver.id)}},
                     as_=AP)
    assert _answered(body["data"]["viewer"]["invoiceTotals"]) == \
        _expected_totals([i for i in invoices if i.location_id == denver.id])


PAGE = """query($first: Int, $filter: InvoiceFilter) {
  viewer { invoiceTotals(filter: $filter) { currencyCode amountDue { amount } }
    invoices(first: $first, filter: $filter, sortBy: DUE_DATE) { totalCount pageInfo { endCursor }
      nodes { number total { amount } isOverdue account { name invoiceTotals { currencyCode } }
              order { number } lines { description amount { amount } } payments { amount { amount } } } }
    accounts { statement(from: "2026-01-01", to: "2026-06-30") { closingBalance { amount }
                                                                 lines { reference balance { amount } } } } } }"""


async def test_statements_per_request_do_not_grow_with_the_page(gql, db):
    counts = {}
    for first in (2, 20):
        body = await gql(PAGE, {"first": first, "filter": {"search": "INV"}}, as_=AP)
        assert "errors" not in body, body["errors"]
        assert len(body["data"]["viewer"]["invoices"]["nodes"]) == first
        counts[first] = body["_statements"]
    assert counts[2] == counts[20], counts
