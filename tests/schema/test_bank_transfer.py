"""Bank-transfer instructions on net-terms invoices (domain/bank_transfer.py): the merchant's
account from PORTALQL_BANK_* and the invoice's number as the reference, in GraphQL and the PDF."""
from dataclasses import replace

import pytest

from db.enums import InvoiceStatus
from domain.bank_transfer import bank_account
from resolvers.globalid import encode
from tests.pdf_support import text_of
from tests.server.test_documents import get, invoices_of

BANK = bank_account("Commerzbank", "Portalql Supply Co.", "DE89370400440532013000", "COBADEFFXXX")
QUERY = """query($id: ID!) { node(id: $id) { ... on Invoice { number
  paymentInstructions { bankName accountHolder iban bic reference } } } }"""


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return replace(settings, sessions=replace(settings.sessions, bank=BANK), seller=replace(settings.seller, bank=BANK))


async def _open_invoice(db):  # type: ignore[no-untyped-def]
    return next(i for i in await invoices_of(db, "Acme Industrial")
                if i.status is InvoiceStatus.OPEN and i.due_date > i.issued_at.date())


async def test_only_finance_sees_the_instructions_and_they_quote_the_invoice_number(gql, db):
    invoice = await _open_invoice(db)
    given = {"id": encode("Invoice", invoice.id)}
    for who in ("buyer@acme.example", "viewer@acme.example", "approver@acme.example", "admin@globex.example"):
        body = await gql(QUERY, given, as_=who)
        assert not (body.get("data") or {}).get("node"), who  # the invoice itself is not theirs to see
    for who in ("ap@acme.example", "admin@acme.example"):
        body = await gql(QUERY, given, as_=who)
        assert body["data"]["node"]["paymentInstructions"] == {
            "bankName": "Commerzbank", "accountHolder": "Portalql Supply Co.", "iban": "DE89 3704 0044 0532 0130 00",
            "bic": "COBADEFFXXX", "reference": invoice.number}, who


async def test_a_paid_invoice_has_none(gql, db):
    paid = next(i for i in await invoices_of(db, "Acme Industrial") if i.status is InvoiceStatus.PAID)
    body = await gql(QUERY, {"id": encode("Invoice", paid.id)}, as_="ap@acme.example")
    assert body["data"]["node"]["paymentInstructions"] is None


async def test_the_pdf_prints_the_account_and_the_reference(client, db, clock):
    invoice = await _open_invoice(db)
    response = await get(client, db, clock, f"/documents/invoices/{encode('Invoice', invoice.id)}.pdf",
                         "ap@acme.example", locale="en")
    text = text_of(response.content)
    assert "Payment instructions" in text and "IBAN: DE89 3704 0044 0532 0130 00" in text
    assert "Bank: Commerzbank" in text and "BIC: COBADEFFXXX" in text and f"Reference: {invoice.number}" in text


def test_a_wrong_iban_or_bic_stops_the_server_at_start(monkeypatch):  # type: ignore[no-untyped-def]
    from server.settings import Settings  # noqa: PLC0415
    monkeypatch.setenv("PORTALQL_BANK_NAME", "Commerzbank")
    monkeypatch.setenv("PORTALQL_BANK_IBAN", "DE89 3704 0044 0532 0130 01")  # a check digit off
    with pytest.raises(SystemExit, match="IBAN"):
        Settings.from_env()
    monkeypatch.setenv("PORTALQL_BANK_IBAN", "DE89 3704 0044 0532 0130 00")
    monkeypatch.setenv("PORTALQL_BANK_BIC", "COBA")
    with pytest.raises(SystemExit, match="BIC"):
        Settings.from_env()
    monkeypatch.delenv("PORTALQL_BANK_BIC")
    assert Settings.from_env().seller.bank == bank_account("Commerzbank", "Portalql Merchant",
                                                           "DE89370400440532013000", None)
