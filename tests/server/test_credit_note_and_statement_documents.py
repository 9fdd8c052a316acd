"""GET /documents/credit-notes/{id}.pdf and /documents/statements.pdf: only who sees the credit
note or may read the statement gets it (the denied first), in the asked locale, a credit note kept
once rendered and a statement never; and the pdfUrl fields that point at them."""
from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from db.enums import InvoiceStatus
from db.models import Account, CreditNote, Invoice, InvoiceLine
from i18n.formatting import format_money
from resolvers.globalid import encode
from tests.conftest import make_token
from tests.pdf_support import text_of, unembedded_fonts
from tests.ordering_support import STAFF_ADMIN
from tests.server.helpers import get
from tests.support import row

AP = "ap@acme.example"


def flat(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def acme_credit_notes(db) -> list[CreditNote]:  # type: ignore[no-untyped-def]
    acme = await row(db, Account, name="Acme Industrial")
    async with db.session() as s:
        stmt = select(CreditNote).where(CreditNote.account_id == acme.id).order_by(CreditNote.id)
        return list((await s.exec(stmt)).all())


CREDIT = """mutation($input: CreditNoteCreateInput!) { staffCreditNoteCreate(input: $input) {
  creditNote { id } userErrors { code } } }"""


async def credited_line(gql, db) -> CreditNote:  # type: ignore[no-untyped-def]
    """A correction of one unit of a line of an open invoice of Acme's, made as staff do."""
    acme = await row(db, Account, name="Acme Industrial")
    async with db.session() as s:
        invoice = (await s.exec(select(Invoice).where(Invoice.account_id == acme.id, Invoice.order_id.is_not(None),
                                                      Invoice.status == InvoiceStatus.OPEN,
                                                      Invoice.amount_credited == 0).order_by(Invoice.id))).first()
        line = (await s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                             .order_by(InvoiceLine.position))).first()
    made = await gql(CREDIT, {"input": {"invoiceId": encode("Invoice", invoice.id), "reason": "CORRECTION",
                                        "memo": "One unit was billed twice",
                                        "lines": [{"invoiceLineId": encode("InvoiceLine", line.id), "quantity": 1}]}},
                     as_=STAFF_ADMIN)
    assert made["data"]["staffCreditNoteCreate"]["userErrors"] == [], made
    return next(n for n in await acme_credit_notes(db) if n.memo == "One unit was billed twice")


async def test_a_credit_note_pdf_is_for_accounts_payable_and_admin_of_its_account(docs, gql, db, clock, renders,
                                                                                   tmp_path):
    note = await credited_line(gql, db)
    assert note.amount_applied  # of an open invoice: taken off what it has due
    path = f"/documents/credit-notes/{encode('CreditNote', note.id)}.pdf"
    for who in ("buyer@acme.example", "viewer@acme.example", "approver@acme.example", "admin@globex.example"):
        denied = await get(docs, db, clock, path, who, locale="de")
        assert denied.status_code == 404 and denied.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND", who
    missing = await get(docs, db, clock, f"/documents/credit-notes/{encode('CreditNote', 10**9)}.pdf", AP)
    an_invoice_id = await get(docs, db, clock, f"/documents/credit-notes/{encode('Invoice', note.invoice_id)}.pdf", AP)
    assert missing.status_code == an_invoice_id.status_code == 404 and missing.json() == denied.json()
    assert (await docs.get(path)).status_code == 401
    assert renders == []  # nothing rendered for anybody who may not see it

    async with db.session() as s:
        invoice = await s.get(Invoice, note.invoice_id)
    for who, locale, heading in ((AP, "de", "Gutschrift"), ("admin@acme.example", "ja", "返金伝票")):
        ok = await get(docs, db, clock, path, who, locale=locale)
        assert ok.status_code == 200 and ok.headers["content-type"] == "application/pdf", who
        assert ok.headers["content-language"] == locale and "x-locale-fallback" not in ok.headers
        assert ok.headers["content-disposition"] == f'inline; filename="{note.number}.pdf"'
        text = text_of(ok.content)
        assert heading in text and note.number in text and invoice.number in text
        assert flat(format_money(note.total, note.currency, locale)) in text
        assert flat(format_money(note.amount_applied, note.currency, locale)) in text
        assert note.memo in text
        assert unembedded_fonts(ok.content) == []
    assert "Korrektur" in text_of((await get(docs, db, clock, path, AP, locale="de")).content)  # the reason, translated

    # Kept: the second request in a locale reads the kept file, not a new render.
    assert renders == ["credit_note:de", "credit_note:ja"]
    assert len(list((tmp_path / "documents" / "credit-note").glob("*.pdf"))) == 2


async def test_a_credit_note_pdf_falls_back_to_english_and_says_so(docs, db, clock):
    note = (await acme_credit_notes(db))[-1]
    response = await get(docs, db, clock, f"/documents/credit-notes/{encode('CreditNote', note.id)}.pdf", AP,
                         locale="ko")
    assert response.status_code == 200 and response.headers["x-locale-fallback"] == "en"
    assert "Credit note" in text_of(response.content)


STATEMENT = """query($id: ID!, $from: Date!, $to: Date!) { node(id: $id) { ... on Account {
  statement(from: $from, to: $to) { currencyCode openingBalance { amount } closingBalance { amount }
    lines { reference } } } } }"""


async def test_a_statement_pdf_shows_the_closing_balance_of_account_statement(docs, gql, db, clock, renders):
    acme = await row(db, Account, name="Acme Industrial")
    today = clock.now().date()
    params = {"account": encode("Account", acme.id), "from": (today - timedelta(days=365)).isoformat(),
              "to": today.isoformat()}
    for who in ("buyer@acme.example", "viewer@acme.example"):
        denied = await get(docs, db, clock, "/documents/statements.pdf", who, **params)
        assert denied.status_code in (403, 404), who
    assert (await get(docs, db, clock, "/documents/statements.pdf", "admin@globex.example", **params)).status_code == 404
    assert renders == []

    data = (await gql(STATEMENT, {"id": params["account"], "from": params["from"], "to": params["to"]}, as_=AP))
    statement = data["data"]["node"]["statement"]
    assert statement["lines"]  # the demo's year has invoices and payments
    closing, currency = Decimal(statement["closingBalance"]["amount"]), statement["currencyCode"]
    for locale, heading in (("ja", "取引明細書"), ("en", "Statement of account")):
        ok = await get(docs, db, clock, "/documents/statements.pdf", AP, locale=locale, **params)
        assert ok.status_code == 200 and ok.headers["content-language"] == locale
        text = text_of(ok.content)
        assert heading in text and flat(format_money(closing, currency, locale)) in text
        assert all(line["reference"] in text for line in statement["lines"][:5])
    again = await get(docs, db, clock, "/documents/statements.pdf", AP, locale="en", **params)
    assert again.status_code == 200
    assert renders == ["statement:ja", "statement:en", "statement:en"]  # balances move: never kept


async def test_a_statement_pdf_with_bad_parameters_is_400_like_the_csv(docs, db, clock):
    acme = await row(db, Account, name="Acme Industrial")
    base = {"account": encode("Account", acme.id), "from": "2026-01-01", "to": "2026-03-31"}
    for bad in ({"from": "yesterday"}, {"to": "2025-01-01"}, {"currency": "dollars"}, {"colour": "red"}, {"account": ""}):
        pdf = await get(docs, db, clock, "/documents/statements.pdf", AP, **{**base, **bad})
        csv = await get(docs, db, clock, "/exports/statement.csv", AP, **{**base, **bad})
        assert pdf.status_code == csv.status_code == 400, bad
        assert pdf.json()["errors"][0]["extensions"]["code"] == csv.json()["errors"][0]["extensions"]["code"]


PDF_URLS = """query($invoice: ID!, $note: ID!) {
  invoice: node(id: $invoice) { ... on Invoice { pdfUrl(locale: "de") plain: pdfUrl } }
  note: node(id: $note) { ... on CreditNote { pdfUrl(locale: "ja") } } }"""
NO_URLS = """query($invoice: ID!, $note: ID!) {
  invoice: node(id: $invoice) { ... on Invoice { number } } note: node(id: $note) { ... on CreditNote { number } } }"""


async def test_pdf_urls_are_the_routes_that_serve_them_and_cost_no_sql(docs, gql, db, clock):
    note = (await acme_credit_notes(db))[0]
    ids = {"invoice": encode("Invoice", note.invoice_id), "note": encode("CreditNote", note.id)}
    assert (await gql(PDF_URLS, ids, as_="buyer@acme.example"))["data"] == {"invoice": None, "note": None}
    found = await gql(PDF_URLS, ids, as_=AP)
    assert found["data"]["invoice"] == {"pdfUrl": f"/documents/invoices/{ids['invoice']}.pdf?locale=de",
                                        "plain": f"/documents/invoices/{ids['invoice']}.pdf"}
    assert found["data"]["note"] == {"pdfUrl": f"/documents/credit-notes/{ids['note']}.pdf?locale=ja"}
    assert found["_statements"] == (await gql(NO_URLS, ids, as_=AP))["_statements"]
    for url in (found["data"]["invoice"]["pdfUrl"], found["data"]["note"]["pdfUrl"]):
        response = await docs.get(url, headers={"authorization": f"Bearer {await make_token(db, AP, clock.now())}"})
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
