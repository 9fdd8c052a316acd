"""GET /documents/invoices/{id}.pdf and /documents/invoices.zip: only who sees the invoice gets
it (404 for everybody else, like a missing one), in the asked or preferred locale (English when
that is not one we write, and the response says so), rendered once and kept."""
import io
import zipfile
from decimal import Decimal

from sqlmodel import select

from db.engine import count_statements
from db.enums import InvoiceStatus
from db.models import Account, Invoice
from domain import ratelimit
from i18n.formatting import format_money
from resolvers.globalid import encode
from tests.conftest import make_token
from tests.pdf_support import text_of, unembedded_fonts
from tests.server.helpers import get
from tests.server.test_oauth import register, token_for


async def invoices_of(db, account_name: str) -> list[Invoice]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        account = (await s.exec(select(Account).where(Account.name == account_name))).one()
        stmt = select(Invoice).where(Invoice.account_id == account.id).order_by(Invoice.id)
        return list((await s.exec(stmt)).all())


async def test_only_admin_and_accounts_payable_of_the_account_get_the_pdf(docs, db, clock, renders):
    invoice = next(i for i in await invoices_of(db, "Acme Industrial") if i.status is InvoiceStatus.OPEN)
    path = f"/documents/invoices/{encode('Invoice', invoice.id)}.pdf"
    for who in ("buyer@acme.example", "viewer@acme.example", "approver@acme.example", "admin@globex.example"):
        denied = await get(docs, db, clock, path, who)
        assert denied.status_code == 404 and denied.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND", who
    missing = await get(docs, db, clock, f"/documents/invoices/{encode('Invoice', 10**9)}.pdf", "ap@acme.example")
    garbage = await get(docs, db, clock, "/documents/invoices/garbage.pdf", "ap@acme.example")
    assert missing.status_code == garbage.status_code == 404 and missing.json() == denied.json()
    assert (await docs.get(path)).status_code == 401
    assert renders == []  # nothing rendered for anybody who may not see it

    for who in ("ap@acme.example", "admin@acme.example"):
        ok = await get(docs, db, clock, path, who, locale="de")
        assert ok.status_code == 200 and ok.headers["content-type"] == "application/pdf", who
        assert ok.headers["content-language"] == "de" and "x-locale-fallback" not in ok.headers
        assert ok.headers["content-disposition"] == f'inline; filename="{invoice.number}.pdf"'
        text = text_of(ok.content)
        assert "Rechnung" in text and invoice.number in text
        assert format_money(invoice.total, invoice.currency, "de").replace("\xa0", " ") in text
        assert unembedded_fonts(ok.content) == []


async def test_an_integration_client_needs_invoices_read(docs, gql, db, clock):
    invoice = (await invoices_of(db, "Acme Industrial"))[0]
    path = f"/documents/invoices/{encode('Invoice', invoice.id)}.pdf"
    for scopes, status in ((["orders:read"], 404), (["invoices:read"], 200)):
        made = (await register(gql, db, scopes))["data"]["oauthClientCreate"]
        token = (await token_for(docs, made["client"]["clientId"], made["clientSecret"])).json()["access_token"]
        response = await docs.get(path, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == status, scopes


async def test_an_unknown_locale_falls_back_to_english_and_says_so(docs, db, clock):
    invoice = (await invoices_of(db, "Acme Industrial"))[0]
    path = f"/documents/invoices/{encode('Invoice', invoice.id)}.pdf"
    response = await get(docs, db, clock, path, "ap@acme.example", locale="ko-KR")
    assert response.status_code == 200
    assert response.headers["content-language"] == "en" and response.headers["x-locale-fallback"] == "en"
    assert "Invoice" in text_of(response.content) and "Amount due" in text_of(response.content)
    pt = await get(docs, db, clock, path, "ap@acme.example", locale="pt-BR")
    assert pt.headers["content-language"] == "pt" and "Fatura" in text_of(pt.content)


async def test_without_a_locale_the_users_then_the_accounts_is_used(docs, db, clock):
    # Globex's admin reads German (its user locale); an English-speaking Acme AP reads English.
    globex = (await invoices_of(db, "Globex GmbH"))[0]
    response = await get(docs, db, clock, f"/documents/invoices/{encode('Invoice', globex.id)}.pdf",
                         "admin@globex.example")
    assert response.headers["content-language"] == "de" and "Rechnung" in text_of(response.content)


async def test_an_issued_invoice_is_rendered_once_per_locale_and_kept(docs, db, clock, renders, tmp_path):
    invoice = next(i for i in await invoices_of(db, "Acme Industrial") if i.status is InvoiceStatus.OPEN)
    path = f"/documents/invoices/{encode('Invoice', invoice.id)}.pdf"
    first = await get(docs, db, clock, path, "ap@acme.example", locale="fr")
    again = await get(docs, db, clock, path, "admin@acme.example", locale="fr-CH")
    assert first.content == again.content and renders == ["invoice:fr"]
    assert len(list((tmp_path / "documents" / "invoice").glob("*.pdf"))) == 1
    await get(docs, db, clock, path, "ap@acme.example", locale="it")
    assert renders == ["invoice:fr", "invoice:it"]
    # A payment changes what it says is due: rendered again, not the kept one.
    async with db.transaction() as s:
        row = await s.get(Invoice, invoice.id)
        row.amount_paid, row.amount_due = Decimal("1.00"), row.total - Decimal("1.00")
        s.add(row)
    await get(docs, db, clock, path, "ap@acme.example", locale="fr")
    assert renders[-1] == "invoice:fr" and len(renders) == 3


async def test_a_draft_is_rendered_every_time_and_never_kept(docs, db, clock, renders, tmp_path):
    invoice = (await invoices_of(db, "Acme Industrial"))[0]
    async with db.transaction() as s:
        row = await s.get(Invoice, invoice.id)
        row.status = InvoiceStatus.DRAFT
        s.add(row)
    path = f"/documents/invoices/{encode('Invoice', invoice.id)}.pdf"
    # A draft is still the merchant's: the customer does not see it, staff do.
    assert (await get(docs, db, clock, path, "ap@acme.example", locale="en")).status_code == 404
    for _ in range(2):
        response = await get(docs, db, clock, path, "ops@merchant.example", locale="en")
        assert response.status_code == 200 and "Draft" in text_of(response.content)
        assert invoice.number not in text_of(response.content)  # drafts have no number
    assert len(renders) == 2 and not (tmp_path / "documents").exists()


async def test_several_invoices_download_as_one_zip(docs, db, clock, renders):
    acme = (await invoices_of(db, "Acme Industrial"))[:3]
    ids = ",".join(encode("Invoice", i.id) for i in acme)
    response = await get(docs, db, clock, "/documents/invoices.zip", "ap@acme.example", ids=ids, locale="nl")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == [f"{i.number}.pdf" for i in acme]
        for invoice in acme:
            text = text_of(archive.read(f"{invoice.number}.pdf"))
            assert "Factuur" in text and invoice.number in text

    # One invoice of another account makes the whole request missing; too many is refused.
    globex = (await invoices_of(db, "Globex GmbH"))[0]
    foreign = await get(docs, db, clock, "/documents/invoices.zip", "ap@acme.example",
                        ids=f"{ids},{encode('Invoice', globex.id)}")
    assert foreign.status_code == 404
    buyer = await get(docs, db, clock, "/documents/invoices.zip", "buyer@acme.example", ids=ids)
    assert buyer.status_code == 404
    many = ",".join(encode("Invoice", n) for n in range(1, 27))
    assert (await get(docs, db, clock, "/documents/invoices.zip", "ap@acme.example", ids=many)).status_code == 400
    assert (await get(docs, db, clock, "/documents/invoices.zip", "ap@acme.example")).status_code == 400


async def test_a_zip_reads_the_same_statements_for_one_invoice_or_many(docs, db, clock):
    acme = await invoices_of(db, "Acme Industrial")
    token = await make_token(db, "ap@acme.example", clock.now())
    counts = []
    for some in (acme[:1], acme[:6]):
        ids = ",".join(encode("Invoice", i.id) for i in some)
        with count_statements() as counter:
            response = await docs.get("/documents/invoices.zip", params={"ids": ids},
                                      headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


async def test_downloads_are_rate_limited_per_caller(docs, db, clock, renders, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "documents", ((ratelimit.Limit(2, 60),), (ratelimit.Limit(100, 60),)))
    invoice = (await invoices_of(db, "Acme Industrial"))[0]
    path = f"/documents/invoices/{encode('Invoice', invoice.id)}.pdf"
    token = await make_token(db, "ap@acme.example", clock.now())
    answers = [(await docs.get(path, headers={"authorization": f"Bearer {token}"})).status_code for _ in range(3)]
    assert answers == [200, 200, 429] and len(renders) == 1
    # Another person is not held back by the first one's downloads.
    assert (await get(docs, db, clock, path, "admin@acme.example")).status_code == 200
