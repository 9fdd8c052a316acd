"""Documents as data: an invoice row becomes the document it prints, which locale a reader gets,
and which documents are kept (issued ones, per locale and layout) and which are rendered each time."""
from datetime import date, datetime, timezone
from decimal import Decimal

from db.enums import CreditNoteReason, CreditNoteStatus, InvoiceStatus, PaymentMethodKind, PaymentStatus
from db.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from domain.documents import (Seller, StatementDocument, credit_note_document, invoice_document, receipt_document,
                              storage_key)
from domain.bank_transfer import bank_account
from domain.tax import REVERSE_CHARGE_NOTE
from i18n.documents import document_locale

SELLER = Seller(name="Portalql Supply Co.",
                bank=bank_account("Commerzbank", "Portalql Supply Co.", "DE89 3704 0044 0532 0130 00", None))


def row(**changes: object) -> Invoice:
    base = dict(id=41, number="INV-200041", account_id=1, location_id=2, order_id=9, status=InvoiceStatus.OPEN,
                currency="USD", subtotal=Decimal("100.00"), tax=Decimal("7.25"), total=Decimal("107.25"),
                amount_paid=Decimal("0"), amount_due=Decimal("107.25"), po_number="PO-1",
                issued_at=datetime(2026, 6, 15, 9, tzinfo=timezone.utc), due_date=date(2026, 7, 15),
                billing_details={"name": "Acme Industrial", "business_name": "Acme Industrial LLC", "country": "US",
                                 "region": "IL", "postal_code": "60601", "tax_id": "US-36-1234567"})
    return Invoice(**{**base, **changes})  # type: ignore[arg-type]


def test_an_invoice_row_becomes_the_document_it_prints() -> None:
    lines = [InvoiceLine(id=2, invoice_id=41, description="B", quantity=1, unit_price=Decimal("60"),
                         amount=Decimal("60"), currency="USD", position=1, tax_percent=Decimal("7.25"),
                         tax_amount=Decimal("4.35"), tax_label="CA"),
             InvoiceLine(id=1, invoice_id=41, description="A", quantity=4, unit_price=Decimal("10"),
                         amount=Decimal("40"), currency="USD", position=0, tax_percent=Decimal("7.25"),
                         tax_amount=Decimal("2.90"), tax_label="CA")]
    doc = invoice_document(row(), lines, SELLER, "100021")
    assert [line.description for line in doc.lines] == ["A", "B"]  # in their positions
    assert doc.buyer.name == "Acme Industrial LLC" and doc.buyer.address == ("60601 IL",)
    assert doc.buyer.country == "US" and doc.buyer.tax_id == "US-36-1234567"
    assert doc.order_number == "100021" and doc.po_number == "PO-1" and doc.issued_on == date(2026, 6, 15)
    # Both lines at one rate: one row of the summary, their net and their own rounded tax summed.
    assert [(t.rate, t.base, t.amount, t.name) for t in doc.taxes] == [(Decimal("0.0725"), Decimal("100"), Decimal("7.25"), "CA")]
    assert sum(t.amount for t in doc.taxes) == doc.tax  # the tax per rate adds up to what the invoice charged
    exempt = invoice_document(row(tax=Decimal(0), billing_details={"tax_note": REVERSE_CHARGE_NOTE,
                                                                   "tax_exempt": True, "exemption_reference": "EX-1"}), [], SELLER, None)
    assert exempt.taxes == () and exempt.reverse_charge and exempt.tax_exempt == "EX-1"
    assert invoice_document(row(status=InvoiceStatus.DRAFT), [], SELLER, None).number is None


def test_a_net_terms_invoice_awaiting_payment_tells_how_to_pay_by_transfer() -> None:
    found = invoice_document(row(), [], SELLER, None).payment_instructions
    assert found is not None and (found.iban, found.bic, found.reference) == ("DE89 3704 0044 0532 0130 00", None,
                                                                             row().number)
    assert invoice_document(row(), [], Seller(name="No bank"), None).payment_instructions is None
    for other in (row(status=InvoiceStatus.PAID), row(status=InvoiceStatus.DRAFT),
                  row(due_date=row().issued_at.date())):  # paid, not issued, due on receipt (paid by card)
        assert invoice_document(other, [], SELLER, None).payment_instructions is None


def test_the_parameter_then_the_user_then_the_account_choose_the_locale() -> None:
    assert document_locale("de-AT", "fr", "it") == document_locale("de-AT")
    assert document_locale("de-AT").locale == "de" and not document_locale("de-AT").fell_back
    assert document_locale("ko", "fr").locale == "en" and document_locale("ko", "fr").fell_back  # asked: English
    assert document_locale(None, "fr_CH", "it").locale == "fr"
    assert document_locale(None, None, "nb").locale == "nb" and document_locale(None, "no").locale == "nb"
    assert document_locale(None, "ko", "zh-Hans").locale == "zh"  # the first preference we write
    assert document_locale(None, "ko").fell_back and not document_locale(None).fell_back
    assert document_locale("x" * 300).locale == "en"


def test_issued_documents_are_kept_per_locale_and_layout_drafts_and_statements_never() -> None:
    issued = invoice_document(row(), [], SELLER, None)
    key = storage_key(issued, "de", "1")
    assert key is not None and key.startswith("documents/invoice/") and key.endswith(".pdf")
    assert "INV-200041" not in key  # a digest: the disk does not say whose invoice it is
    assert len({key, storage_key(issued, "fr", "1"), storage_key(issued, "de", "2")}) == 3
    paid = invoice_document(row(amount_paid=Decimal("7.25"), amount_due=Decimal("100")), [], SELLER, None)
    assert storage_key(paid, "de", "1") != key  # what it says is due changed: rendered again
    assert storage_key(invoice_document(row(status=InvoiceStatus.DRAFT), [], SELLER, None), "de", "1") is None
    statement = StatementDocument(account_id=1, currency="USD", period_from=date(2026, 6, 1),
                                  period_to=date(2026, 6, 30), seller=SELLER, buyer=issued.buyer,
                                  opening_balance=Decimal(0))
    assert storage_key(statement, "de", "1") is None


def test_a_receipt_says_what_the_invoice_still_owes() -> None:
    payment = Payment(id=3, invoice_id=41, account_id=1, amount=Decimal("50.00"), currency="USD",
                      method=PaymentMethodKind.ACH, status=PaymentStatus.SUCCEEDED, reference="ACH-123456",
                      created_at=datetime(2026, 6, 20, tzinfo=timezone.utc))
    invoice = row()
    receipt = receipt_document([payment], {invoice.id: invoice}, SELLER, paid_before={invoice.id: Decimal("20.00")})
    assert receipt.balance_due == Decimal("37.25") and receipt.number == "ACH-123456"
    assert receipt.invoice_number == "INV-200041" and receipt.paid_on == date(2026, 6, 20)


def test_a_credit_note_prints_the_rates_of_the_lines_it_credits() -> None:
    credited = InvoiceLine(id=5, invoice_id=41, description="Bolts", quantity=4, unit_price=Decimal("11.90"),
                           amount=Decimal("47.60"), currency="USD", tax_percent=Decimal("19"),
                           tax_amount=Decimal("7.60"), tax_label="VAT", tax_included=True)
    note = CreditNote(id=3, number="CN-2026-000003", invoice_id=41, account_id=1, status=CreditNoteStatus.ISSUED,
                      reason=CreditNoteReason.CORRECTION, memo="Billed twice", currency="USD",
                      subtotal=Decimal("30.00"), tax=Decimal("3.90"), total=Decimal("33.90"),
                      amount_applied=Decimal("20.00"), amount_credited=Decimal("13.90"),
                      issued_at=datetime(2026, 6, 20, tzinfo=timezone.utc))
    lines = [CreditNoteLine(id=2, credit_note_id=3, description="Goodwill", quantity=1, unit_price=Decimal("22.00"),
                            amount=Decimal("20.00"), tax=Decimal("2.00"), currency="USD", position=1),
             CreditNoteLine(id=1, credit_note_id=3, invoice_line_id=5, description="Bolts", quantity=1,
                            unit_price=Decimal("11.90"), amount=Decimal("10.00"), tax=Decimal("1.90"), currency="USD")]
    doc = credit_note_document(note, lines, row(), {5: credited}, SELLER)
    assert [(line.description, line.amount, line.gross, line.tax_included) for line in doc.lines] == \
        [("Bolts", Decimal("10.00"), Decimal("11.90"), True), ("Goodwill", Decimal("20.00"), Decimal("22.00"), False)]
    # The credited line's rate; an amount's tax is a share of the invoice's, at no one rate.
    assert [(t.rate, t.base, t.amount, t.name) for t in doc.taxes] == \
        [(Decimal("0.19"), Decimal("10.00"), Decimal("1.90"), "VAT"), (None, Decimal("20.00"), Decimal("2.00"), None)]
    assert sum(t.amount for t in doc.taxes) == doc.tax and sum(line.amount for line in doc.lines) == doc.subtotal
    assert doc.invoice_number == "INV-200041" and doc.buyer.name == "Acme Industrial LLC" and doc.memo == "Billed twice"
    assert doc.amount_applied + doc.amount_credited + doc.amount_refunded == doc.total
    void = credit_note_document(CreditNote(**{**note.model_dump(), "status": CreditNoteStatus.VOID}), lines, row(),
                                {5: credited}, SELLER)
    assert storage_key(void, "de", "2") != storage_key(doc, "de", "2")  # voiding is the one change it prints
