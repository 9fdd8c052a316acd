"""Documents rendered by xhtml2pdf: every locale's heading and Babel-formatted total can be read
back from the PDF, every font in it is embedded, customer text is escaped, and the four kinds of
document render from their view models."""
import io
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pypdf
import pytest

from db.enums import InvoiceStatus
from db.models import Invoice, InvoiceLine
from domain.documents import (CreditNoteDocument, DocumentLine, InvoiceDocument, Party, ReceiptDocument, Seller,
                              StatementDocument, StatementEntry, TaxLine, invoice_document)
from domain.bank_transfer import PaymentInstructions, bank_account
from i18n.documents import LABELS, LOCALES, labels
from i18n.formatting import format_money
from integrations import pdf as pdf_module
from integrations.pdf import XhtmlPdfRenderer
from tests.pdf_support import text_of, unembedded_fonts

BANK = bank_account("Commerzbank", "Nordwind Handels GmbH", "DE89370400440532013000", "COBADEFFXXX")
SELLER = Seller(name="Nordwind Handels GmbH", address=("Hafenstraße 12", "20457 Hamburg"), country="DE",
                tax_id="DE123456789", bank=BANK)
# Latin with Polish, Czech and Turkish letters, and Japanese, in one name: on every locale's document.
BUYER = Party(name="Łódź Ščť Çağrı <b>&Co</b> 山田商事", address=("94105 CA",), country="US", tax_id="US-99-1234567")


def invoice(**changes: object) -> InvoiceDocument:
    lines = (DocumentLine("Steel bolt M8 – Çelik cıvata 螺栓", 12, Decimal("8.6425"), Decimal("103.71")),
             DocumentLine("Żółta taśma (yellow tape)", 3, Decimal("1234.50"), Decimal("3703.50")))
    base = dict(id=7, number="INV-2026-000123", status=InvoiceStatus.OPEN, currency="EUR", issued_on=date(2026, 6, 15),
                due_date=date(2026, 7, 15), seller=SELLER, buyer=BUYER, lines=lines,
                taxes=(TaxLine(Decimal("0.19"), Decimal("3807.21"), Decimal("723.37")),),
                subtotal=Decimal("3807.21"), tax=Decimal("723.37"), total=Decimal("4530.58"),
                amount_paid=Decimal("0"), amount_due=Decimal("4530.58"), po_number="PO-4711", order_number="100021",
                payment_instructions=PaymentInstructions("Commerzbank", "Nordwind Handels GmbH",
                                                         "DE89 3704 0044 0532 0130 00", "COBADEFFXXX",
                                                         "INV-2026-000123"))
    return InvoiceDocument(**{**base, **changes})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def renderer() -> XhtmlPdfRenderer:
    return XhtmlPdfRenderer()


def test_every_locale_has_every_label() -> None:
    assert set(LABELS) == set(LOCALES) and len(LOCALES) == 16
    for locale in LOCALES:
        assert LABELS[locale].keys() == LABELS["en"].keys(), locale
    # Each is its own translation, not English copied: the heading of all but English differs from it.
    assert len({LABELS[locale]["amount_due"] for locale in LOCALES}) == 16


@pytest.mark.parametrize("locale", LOCALES)
def test_an_invoice_in_each_locale_reads_back_its_heading_and_total(renderer: XhtmlPdfRenderer, locale: str) -> None:
    doc = invoice()
    data = renderer.render(doc, locale)
    text = text_of(data)
    total = re.sub(r"[\s\u00a0\u202f]+", " ", format_money(doc.total, "EUR", locale))
    assert labels(locale)["invoice"] in text and total in text, (locale, total, text[:300])
    assert labels(locale)["amount_due"] in text and "INV-2026-000123" in text
    # The customer's Latin, Polish, Czech, Turkish and Japanese letters are all there, escaped as written.
    assert "Łódź Ščť Çağrı <b>&Co</b> 山田商事" in text
    assert unembedded_fonts(data) == []


def test_fonts_are_embedded_and_registered_once_per_process(renderer: XhtmlPdfRenderer, monkeypatch) -> None:
    renderer.render(invoice(), "ja")  # the fonts are known by now
    built = []
    original = pdf_module.TTFont

    def counting(*args: object, **kwargs: object) -> object:
        built.append(args[0])
        return original(*args, **kwargs)
    monkeypatch.setattr("xhtml2pdf.context.TTFont", counting)
    monkeypatch.setattr(pdf_module, "TTFont", counting)
    data = renderer.render(invoice(), "zh")
    assert built == []  # no font file read again
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        names |= {str(f.get_object()["/BaseFont"]).split("+")[-1] for f in page["/Resources"]["/Font"].values()}
    assert names == {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback"}  # no Helvetica, nothing not embedded


def test_exact_unit_prices_and_tax_per_rate(renderer: XhtmlPdfRenderer) -> None:
    text = text_of(renderer.render(invoice(), "de"))
    assert "8,6425 €" in text and "103,71 €" in text  # the unit price with every digit the line used
    assert "Steuer 19% (3.807,21 €)" in text and "723,37 €" in text
    assert "Zahlungshinweise" in text and "IBAN: DE89 3704 0044 0532 0130 00" in text
    assert "Kontoinhaber: Nordwind Handels GmbH" in text and "BIC: COBADEFFXXX" in text
    assert "Referenz: INV-2026-000123" in text  # the invoice's number, to quote with the transfer
    assert "Deutschland" in text and "Vereinigte Staaten" in text  # countries named in the document's language


def test_reverse_charge_exemption_draft_and_void_are_printed(renderer: XhtmlPdfRenderer) -> None:
    text = text_of(renderer.render(invoice(reverse_charge=True, tax_exempt="EX-889", taxes=(), tax=Decimal(0)), "fr"))
    assert "Autoliquidation : TVA due par le preneur" in text and "Exonéré de taxe" in text and "EX-889" in text
    assert "Brouillon" in text_of(renderer.render(invoice(status=InvoiceStatus.DRAFT, number=None), "fr"))
    assert "Storniert" in text_of(renderer.render(invoice(status=InvoiceStatus.VOID), "de"))


def test_credit_note_receipt_and_statement_render(renderer: XhtmlPdfRenderer) -> None:
    note = CreditNoteDocument(id=3, number="CN-2026-000004", invoice_number="INV-2026-000123", currency="EUR",
                              issued_on=date(2026, 6, 20), seller=SELLER, buyer=BUYER,
                              lines=(DocumentLine("Return: Steel bolt M8", 2, Decimal("8.6425"), Decimal("17.29")),),
                              taxes=(TaxLine(Decimal("0.19"), Decimal("17.29"), Decimal("3.29")),),
                              subtotal=Decimal("17.29"), tax=Decimal("3.29"), total=Decimal("20.58"), reason="Damaged")
    text = text_of(renderer.render(note, "pl"))
    assert "Faktura korygująca" in text and "CN-2026-000004" in text and "20,58 €" in text and "Damaged" in text

    receipt = ReceiptDocument(id=5, number="RCPT-9", paid_on=date(2026, 6, 21), currency="USD", amount=Decimal("500"),
                              method="CARD", seller=SELLER, buyer=BUYER, invoice_number="INV-2026-000123",
                              invoice_total=Decimal("1200"), balance_due=Decimal("700"), reference="ch_123")
    text = text_of(renderer.render(receipt, "ja"))
    assert "領収書" in text and "$500.00" in text and "$700.00" in text and "カード" in text

    entries = (StatementEntry(date(2026, 6, 1), "invoice", "INV-1", charge=Decimal("1000"), balance=Decimal("1250")),
               StatementEntry(date(2026, 6, 9), "payment", "ch_1", credit=Decimal("400"), balance=Decimal("850")),
               StatementEntry(date(2026, 6, 12), "credit_note", "CN-1", credit=Decimal("50"), balance=Decimal("800")))
    statement = StatementDocument(account_id=1, currency="EUR", period_from=date(2026, 6, 1), period_to=date(2026, 6, 30),
                                  seller=SELLER, buyer=BUYER, opening_balance=Decimal("250"), entries=entries,
                                  closing_balance=Decimal("800"))
    text = text_of(renderer.render(statement, "cs"))
    assert "Výpis z účtu" in text and "Počáteční zůstatek" in text and "250,00 €" in text
    assert "Konečný zůstatek" in text and "800,00 €" in text and "Dobropis CN-1" in text
    text = text_of(renderer.render(statement, "zh"))
    assert "对账单" in text and "期末余额" in text and "€800.00" in text


def test_a_long_invoice_runs_over_pages_with_numbers(renderer: XhtmlPdfRenderer) -> None:
    lines = tuple(DocumentLine(f"Part {n}", 1, Decimal("1.00"), Decimal("1.00")) for n in range(80))
    data = renderer.render(invoice(lines=lines), "sv")
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    assert "Sida 1 / " in text_of(data) and f"Sida {len(pages)} / {len(pages)}" in text_of(data)


def test_a_line_priced_with_tax_prints_its_net_and_shows_the_tax_taken_out(renderer: XhtmlPdfRenderer) -> None:
    """Quantity × unit price is the gross of a line priced with tax; it prints marked, with its
    gross less its tax, and its net in the amount column, so the lines add up to the subtotal."""
    invoice = Invoice(id=7, number="INV-2026-000777", account_id=1, status=InvoiceStatus.OPEN, currency="EUR",
                      subtotal=Decimal("30.00"), tax=Decimal("4.50"), total=Decimal("34.50"),
                      amount_paid=Decimal(0), amount_due=Decimal("34.50"),
                      issued_at=datetime(2026, 6, 15, tzinfo=timezone.utc), due_date=date(2026, 7, 15))
    lines = [InvoiceLine(id=1, invoice_id=7, description="Bolts", quantity=2, unit_price=Decimal("10.00"),
                         amount=Decimal("20.00"), currency="EUR", tax_percent=Decimal("19"), tax_amount=Decimal("3.80")),
             InvoiceLine(id=2, invoice_id=7, description="Manual", quantity=1, unit_price=Decimal("10.70"),
                         amount=Decimal("10.70"), currency="EUR", position=1, tax_percent=Decimal("7"),
                         tax_amount=Decimal("0.70"), tax_included=True)]
    doc = invoice_document(invoice, lines, SELLER, None)
    assert [line.amount for line in doc.lines] == [Decimal("20.00"), Decimal("10.00")]
    assert sum(line.amount for line in doc.lines) == doc.subtotal
    text = text_of(renderer.render(doc, "en"))
    assert "€10.70*" in text and "* Price incl. tax 7%: €10.70 − Tax €0.70" in text and "€10.00" in text
    assert "Price incl. tax 19%" not in text  # a line priced net is printed as before
    assert "Tax 7% (€10.00) €0.70" in text and "Tax 19% (€20.00) €3.80" in text
    de = text_of(renderer.render(doc, "de"))
    assert "* Preis inkl. Steuer 7%: 10,70 € − Steuer 0,70 €" in de
