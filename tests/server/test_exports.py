"""CSV exports of invoices, their lines and statements: who may export (the denied first), the
columns and what is in them, formula-looking text defused, filters and sort as in GraphQL, and
rows streamed batch by batch."""
import asyncio
import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from db.engine import count_statements
from db.enums import InvoiceStatus
from sqlmodel import select

from db.models import Account, Invoice, InvoiceLine, Location, Payment
from domain import exports
from resolvers import billing as resolve_billing
from resolvers.globalid import encode
from server.middleware import Gate
from server.persisted import PersistedQueries
from tests.conftest import NOW, make_token
from tests.invoice_factories import add_invoice, invoices_of
from tests.schema.test_statements import STATEMENT, _pounds
from tests.server.test_oauth import register, token_for
from tests.support import row

AP = "ap@acme.example"


async def _get(client, db, path, as_=AP, **params):
    headers = {} if as_ is None else {"authorization": f"Bearer {await make_token(db, as_, NOW)}"}
    return await client.get(path, params=params, headers=headers)


def _rows(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.text)))


async def test_only_finance_roles_export(client, db, gql):
    path = "/exports/invoices.csv"
    assert (await _get(client, db, path, as_=None)).status_code == 401
    for who in ("buyer@acme.example", "viewer@acme.example", "approver@acme.example"):
        refused = await _get(client, db, path, as_=who)
        assert refused.status_code == 403 and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN", who
        assert (await _get(client, db, "/exports/invoice-lines.csv", as_=who)).status_code == 403
    # An integration needs invoices:read.
    for scopes, status in ((["orders:read"], 403), (["invoices:read"], 200)):
        made = (await register(gql, db, scopes))["data"]["oauthClientCreate"]
        token = (await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"]
        answer = await client.get(path, headers={"authorization": f"Bearer {token}"})
        assert answer.status_code == status, scopes
    # Another company's account is not found; the caller's own invoices are all there.
    globex = await row(db, Account, name="Globex GmbH")
    assert (await _get(client, db, path, accountId=encode("Account", globex.id))).status_code == 404
    acme = await row(db, Account, name="Acme Industrial")
    rows = _rows(await _get(client, db, path))
    assert {r[0] for r in rows[1:]} == {i.number for i in await invoices_of(db, acme)}


async def test_invoice_columns_and_values(client, db):
    acme = await row(db, Account, name="Acme Industrial")
    denver = await row(db, Location, name="Denver Plant")
    await add_invoice(db, acme, "INV-CSV-1", NOW - timedelta(days=40), Decimal("1234.50"), po="PO, \"quoted\"",
                      location_id=denver.id, paid=Decimal("234.50"), billing_details={"tax_id": "US-99"})
    rows = _rows(await _get(client, db, "/exports/invoices.csv", number="INV-CSV-1"))
    assert tuple(rows[0]) == exports.INVOICE_COLUMNS
    issued = (NOW - timedelta(days=40)).date()
    assert [dict(zip(rows[0], r)) for r in rows[1:]] == [{
        "invoice_number": "INV-CSV-1", "status": "OPEN", "issue_date": issued.isoformat(),
        "due_date": (issued + timedelta(days=30)).isoformat(), "paid_date": "", "customer_id": str(acme.id),
        "customer": "Acme Industrial", "customer_tax_id": "US-99", "location": "Denver Plant",
        "po_number": "PO, \"quoted\"", "order_number": "", "currency": "USD", "subtotal": "1122.27", "tax": "112.23",
        "total": "1234.50", "amount_paid": "234.50", "amount_credited": "0.00", "amount_due": "1000.00"}]


async def test_formula_looking_text_is_defused(client, db):
    acme = await row(db, Account, name="Acme Industrial")
    evil = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "plain -dash"]
    for i, po in enumerate(evil):
        await add_invoice(db, acme, f"INV-EVIL-{i}", NOW - timedelta(days=1), Decimal("11.00"), po=po,
                          lines=((po, 1, Decimal("10.00")),))
    rows = _rows(await _get(client, db, "/exports/invoices.csv", search="INV-EVIL", sortBy="NUMBER", direction="ASC"))
    assert [r[rows[0].index("po_number")] for r in rows[1:]] == \
        ["'=HYPERLINK(\"http://x\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTAB", "plain -dash"]
    lines = _rows(await _get(client, db, "/exports/invoice-lines.csv", search="INV-EVIL", sortBy="NUMBER",
                             direction="ASC"))
    assert [r[lines[0].index("description")] for r in lines[1:]] == [r[rows[0].index("po_number")] for r in rows[1:]]
    # Amounts are numbers, never prefixed.
    assert exports.cell("-5.00") == "'-5.00" and all(not r[rows[0].index("total")].startswith("'") for r in rows[1:])


async def test_lines_add_up_to_their_invoices(client, db):
    acme = await row(db, Account, name="Acme Industrial")
    invoices = {i.number: i for i in await invoices_of(db, acme)}
    rows = _rows(await _get(client, db, "/exports/invoice-lines.csv"))
    assert tuple(rows[0]) == exports.LINE_COLUMNS
    col = {name: i for i, name in enumerate(rows[0])}
    per_invoice: dict[str, list[list[str]]] = {}
    for r in rows[1:]:
        per_invoice.setdefault(r[col["invoice_number"]], []).append(r)
    assert per_invoice and set(per_invoice) <= set(invoices)
    for number, lines in per_invoice.items():
        invoice = invoices[number]
        assert [r[col["line_no"]] for r in lines] == [str(n) for n in range(1, len(lines) + 1)]
        total = lambda name: sum((Decimal(r[col[name]]) for r in lines), Decimal(0))  # noqa: E731
        assert (total("net"), total("tax"), total("gross")) == \
            (invoice.subtotal.quantize(Decimal("0.01")), invoice.tax.quantize(Decimal("0.01")),
             invoice.total.quantize(Decimal("0.01"))), number
        assert all(r[col["sku"]] for r in lines)  # demo lines are of catalog variants
        for r in lines:
            assert Decimal(r[col["net"]]) + Decimal(r[col["tax"]]) == Decimal(r[col["gross"]])


async def test_each_line_carries_its_own_stored_tax(client, db):
    """Two rates on one invoice, one line priced with tax: each line's rate and tax are its own
    (not the invoice's tax spread by ratio), its net is its gross less the tax it held, and the
    lines add up to the invoice."""
    acme = await row(db, Account, name="Acme Industrial")
    invoice = await add_invoice(db, acme, "INV-TWO-RATES", NOW - timedelta(days=1), Decimal("34.50"))
    async with db.transaction() as s:
        stored = await s.get(Invoice, invoice.id)
        stored.subtotal, stored.tax = Decimal("30.00"), Decimal("4.50")
        s.add(stored)
        s.add(InvoiceLine(invoice_id=invoice.id, description="Bolts", quantity=2, unit_price=Decimal("10.00"),
                          amount=Decimal("20.00"), currency=invoice.currency, position=0,
                          tax_percent=Decimal("19"), tax_amount=Decimal("3.80"), tax_label="VAT"))
        s.add(InvoiceLine(invoice_id=invoice.id, description="Manual", quantity=1, unit_price=Decimal("10.70"),
                          amount=Decimal("10.70"), currency=invoice.currency, position=1, tax_percent=Decimal("7"),
                          tax_amount=Decimal("0.70"), tax_label="VAT", tax_included=True))
    rows = _rows(await _get(client, db, "/exports/invoice-lines.csv", number="INV-TWO-RATES"))
    col = {name: i for i, name in enumerate(rows[0])}
    got = [(r[col["description"]], r[col["unit_price"]], r[col["net"]], r[col["tax_rate_percent"]], r[col["tax"]],
            r[col["gross"]]) for r in rows[1:]]
    assert got == [("Bolts", "10.00", "20.00", "19", "3.80", "23.80"),
                   ("Manual", "10.70", "10.00", "7", "0.70", "10.70")]
    assert sum(Decimal(r[4]) for r in got) == Decimal("4.50") and sum(Decimal(r[2]) for r in got) == Decimal("30.00")


async def test_filters_and_sort_are_the_search_s(client, db):
    acme = await row(db, Account, name="Acme Industrial")
    invoices = await invoices_of(db, acme)
    overdue = sorted((i for i in invoices if i.status is InvoiceStatus.OPEN and i.due_date < NOW.date()),
                     key=lambda i: (i.total, i.id))
    rows = _rows(await _get(client, db, "/exports/invoices.csv", overdue="true", sortBy="TOTAL", direction="ASC"))
    assert overdue and [r[0] for r in rows[1:]] == [i.number for i in overdue]
    rows = _rows(await _get(client, db, "/exports/invoices.csv", status="PAID,VOID", minTotal="100"))
    assert {r[0] for r in rows[1:]} == {i.number for i in invoices
                                        if i.status in (InvoiceStatus.PAID, InvoiceStatus.VOID) and i.total >= 100}
    for bad in ({"status": "LOST"}, {"minTotal": "lots"}, {"dueAfter": "tomorrow"}, {"colour": "red"},
                {"locationId": "nope"}, {"sortBy": "COLOUR"}, {"search": "x" * 201}):
        answer = await _get(client, db, "/exports/invoices.csv", **bad)
        assert answer.status_code == 400 and answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", bad


async def test_rows_are_streamed_in_batches(app, db, monkeypatch):
    """Each batch is one statement and one chunk of the response, sent before the next is read:
    the export never holds more than a batch."""
    monkeypatch.setattr(resolve_billing, "EXPORT_BATCH", 7)
    acme = await row(db, Account, name="Acme Industrial")
    count = len(await invoices_of(db, acme))
    token = await make_token(db, AP, NOW)
    sent, statements_at, received = [], [], []
    done = asyncio.Event()

    async def receive():
        if not received:
            received.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the response is over
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        statements_at.append(counter.count)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/exports/invoices.csv", "raw_path": b"/exports/invoices.csv", "root_path": "",
             "query_string": b"", "headers": [(b"host", b"portal.test"), (b"authorization", f"Bearer {token}".encode())],
             "client": ("203.0.113.7", 50000), "server": ("portal.test", 80)}
    with count_statements() as counter:
        await app(scope, receive, send)
    done.set()
    bodies = [m for m in sent if m["type"] == "http.response.body" and m.get("body")]
    batches = -(-count // 7)
    assert len(bodies) == 1 + batches  # the header, then a chunk per batch
    rows = list(csv.reader(io.StringIO(b"".join(m["body"] for m in bodies).decode())))
    assert len(rows) == 1 + count
    assert [len(list(csv.reader(io.StringIO(m["body"].decode())))) for m in bodies[1:]] == \
        [7] * (count // 7) + ([count % 7] if count % 7 else [])
    # One statement per batch, each run after the chunk before it was sent.
    at_body = [n for m, n in zip(sent, statements_at) if m["type"] == "http.response.body" and m.get("body")]
    assert [b - a for a, b in zip(at_body[1:], at_body[2:])] == [1] * (batches - 1)


async def test_statement_csv(client, db, gql):
    acme = await _pounds(db)
    params = {"account": encode("Account", acme.id), "from": "2026-02-01", "to": "2026-03-31", "currency": "GBP"}
    for who, status in (("buyer@acme.example", 403), ("viewer@acme.example", 403), ("admin@globex.example", 404)):
        assert (await _get(client, db, "/exports/statement.csv", as_=who, **params)).status_code == status, who
    rows = _rows(await _get(client, db, "/exports/statement.csv", **params))
    assert tuple(rows[0]) == exports.STATEMENT_COLUMNS
    assert rows[1] == ["2026-02-01", "OPENING_BALANCE", "", "", "GBP", "", "", "600.00"]
    assert rows[-1] == ["2026-03-31", "CLOSING_BALANCE", "", "", "GBP", "330.00", "785.00", "145.00"]
    graphql = (await gql(STATEMENT, {"id": params["account"], "from": params["from"], "to": params["to"],
                                     "currency": "GBP"}, as_=AP))["data"]["node"]["statement"]
    assert [(r[1], r[2], r[7]) for r in rows[2:-1]] == \
        [(line["kind"], line["reference"], line["balance"]["amount"]) for line in graphql["lines"]]
    for bad in ({"to": "2026-01-01"}, {"currency": "pounds"}, {"from": ""}):
        assert (await _get(client, db, "/exports/statement.csv", **{**params, **bad})).status_code == 400, bad


async def test_exports_are_rate_limited(client, db):
    token = await make_token(db, AP, NOW)
    statuses = [(await client.get("/exports/invoices.csv", params={"number": "none"},
                                  headers={"authorization": f"Bearer {token}"})).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


async def test_statement_batches_join_up(client, db, gql, monkeypatch):
    """Read two movements at a time, the statement is the same, also where several share an instant."""
    monkeypatch.setattr(resolve_billing, "EXPORT_BATCH", 2)
    acme = await _pounds(db)
    at = datetime(2026, 2, 20, 9, tzinfo=timezone.utc)
    for n in range(3):  # paid by card as issued: each payment at its invoice's instant
        await add_invoice(db, acme, f"GB-CARD-{n}", at, Decimal("11.00"), currency="GBP", paid=Decimal("11.00"))
    async with db.transaction() as s:
        for p in (await s.exec(select(Payment).where(Payment.reference.like("W-GB-CARD-%")))).all():
            p.created_at = at
            s.add(p)
    params = {"account": encode("Account", acme.id), "from": "2026-01-01", "to": "2026-03-31", "currency": "GBP"}
    rows = _rows(await _get(client, db, "/exports/statement.csv", **params))
    graphql = (await gql(STATEMENT, {"id": params["account"], "from": params["from"], "to": params["to"],
                                     "currency": "GBP"}, as_=AP))["data"]["node"]["statement"]
    assert len(graphql["lines"]) == 14
    # (The CSV defuses the payment reference that looks like a formula.)
    assert [(r[1], r[2], r[7]) for r in rows[2:-1]] == \
        [(line["kind"], exports.cell(line["reference"]), line["balance"]["amount"]) for line in graphql["lines"]]
    assert "'=HYPERLINK(1)" in {r[2] for r in rows}
    assert rows[-1][-1] == graphql["closingBalance"]["amount"] == "145.00"


async def test_an_export_outlives_the_request_timeout_once_it_streams():
    """The request's timeout holds until the response starts; a stream under /exports/ then goes
    on, one elsewhere is cut (the inner app waits longer than the timeout between its chunks)."""
    timeout = 0.3

    async def slow_stream(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"first\r\n", "more_body": True})
        await asyncio.sleep(timeout * 3)
        await send({"type": "http.response.body", "body": b"second\r\n", "more_body": False})

    gate = Gate(slow_stream, max_body_bytes=1000, timeout_seconds=timeout, persisted=PersistedQueries({}),
                metrics=False)
    for path, complete in (("/exports/invoices.csv", True), ("/elsewhere", False)):
        bodies = []

        async def send(message):
            if message["type"] == "http.response.body":
                bodies.append(message["body"])

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b"",
                 "client": ("203.0.113.7", 1)}
        try:
            await gate(scope, receive, send)
        except TimeoutError:
            pass
        assert (bodies == [b"first\r\n", b"second\r\n"]) is complete, (path, bodies)
