"""Documents as printed: an invoice, credit note, receipt or statement as plain data (a view model
built from rows here), the interface of the renderer that turns one into a PDF, and keeping the
PDF of an issued document, which never changes, so it is rendered once per locale.

Amounts are the exact Decimals of the rows; the renderer formats them for the locale (i18n)."""
import asyncio
import hashlib
from urllib.parse import quote
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from db.enums import CreditNoteStatus, InvoiceStatus
from db.models import Account, CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from db.repositories import documents as repo
from domain import bank_transfer, tax
from domain.bank_transfer import BankAccount, PaymentInstructions
from domain.statements import Statement
from domain.storage import FileStorage

PDF = "application/pdf"


@dataclass(frozen=True)
class Party:
    """Who sells or buys: name, address lines (street, city with postal code), country (ISO code,
    named in the document's language) and tax ID."""

    name: str
    address: tuple[str, ...] = ()
    country: str | None = None
    tax_id: str | None = None


@dataclass(frozen=True)
class Seller(Party):
    """The merchant as its documents name it (server/settings.py reads it from the environment)."""

    bank: BankAccount | None = None  # for payment by transfer (PORTALQL_BANK_*)


@dataclass(frozen=True)
class DocumentLine:
    """A line as printed: `amount` is always net (the lines add up to the subtotal). A line whose
    unit price included tax (`tax_included`) prints its gross, quantity × unit price, and the tax
    taken out of it, so every figure can be checked by hand."""

    description: str
    quantity: Decimal | int
    unit_price: Decimal
    amount: Decimal
    tax: Decimal = Decimal(0)
    tax_rate: Decimal | None = None  # a fraction: 0.19
    tax_included: bool = False

    @property
    def gross(self) -> Decimal:
        return self.amount + self.tax


@dataclass(frozen=True)
class TaxLine:
    """The tax of one rate: what it was charged on and how much."""

    rate: Decimal | None  # a fraction: 0.19; None for tax credited as a share of an invoice's, at no one rate
    base: Decimal
    amount: Decimal
    name: str | None = None  # the rate's own name where it has one ("CA", "VAT")


@dataclass(frozen=True)
class InvoiceDocument:
    id: int
    number: str | None  # None while a draft: drafts have no number
    status: InvoiceStatus
    currency: str
    issued_on: date
    due_date: date | None
    seller: Seller
    buyer: Party
    lines: tuple[DocumentLine, ...]
    taxes: tuple[TaxLine, ...]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    amount_paid: Decimal
    amount_due: Decimal
    po_number: str | None = None
    order_number: str | None = None
    reverse_charge: bool = False
    tax_exempt: str | None = None  # the exemption reference, when the buyer is exempt
    payment_instructions: PaymentInstructions | None = None  # by bank transfer, with the invoice's reference

    kind = "invoice"

    @property
    def cache_identity(self) -> str | None:
        """What the kept PDF depends on; None for a draft, which is rendered each time. An issued
        invoice changes only by payments (the amount due it prints) or by being voided."""
        if self.status is InvoiceStatus.DRAFT or self.number is None:
            return None
        return f"invoice:{self.id}:{self.number}:{self.status.value}:{self.amount_paid}"

    @property
    def filename(self) -> str:
        return f"{self.number or f'draft-{self.id}'}.pdf"


@dataclass(frozen=True)
class CreditNoteDocument:
    id: int
    number: str
    invoice_number: str
    currency: str
    issued_on: date
    seller: Seller
    buyer: Party
    lines: tuple[DocumentLine, ...]
    taxes: tuple[TaxLine, ...]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    reason: str | None = None  # a CreditNoteReason value: the label's key is reason_<lower case>
    memo: str | None = None
    void: bool = False
    amount_applied: Decimal = Decimal(0)  # taken off the invoice's amount due
    amount_credited: Decimal = Decimal(0)  # to the account's credit balance
    amount_refunded: Decimal = Decimal(0)

    kind = "credit_note"

    @property
    def cache_identity(self) -> str | None:
        """An issued credit note never changes; voiding it is the one change it can print."""
        return f"credit_note:{self.id}:{self.number}:{'void' if self.void else 'issued'}"

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"


@dataclass(frozen=True)
class ReceiptLine:
    """What a payment paid of one invoice, and what that invoice owed after it."""

    invoice_number: str
    amount: Decimal
    balance_due: Decimal


@dataclass(frozen=True)
class ReceiptDocument:
    """A payment received against one invoice or several (then `invoices` lists each)."""

    id: int
    number: str
    paid_on: date
    currency: str
    amount: Decimal
    method: str
    seller: Seller
    buyer: Party
    invoice_number: str
    invoice_total: Decimal
    balance_due: Decimal  # what the invoice(s) still owed after this payment
    reference: str | None = None
    card: str | None = None  # "visa •••• 4242"
    invoices: tuple[ReceiptLine, ...] = ()

    kind = "receipt"

    @property
    def cache_identity(self) -> str | None:
        return f"receipt:{self.id}:{self.number}"

    @property
    def filename(self) -> str:
        return f"receipt-{self.number}.pdf"


@dataclass(frozen=True)
class StatementEntry:
    on: date
    document: str  # "invoice", "payment", "credit_note": the label's key
    reference: str  # the document's number
    charge: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)  # running balance after this entry


@dataclass(frozen=True)
class StatementDocument:
    """An account's invoices, payments and credit notes over a period, with the balances."""

    account_id: int
    currency: str
    period_from: date
    period_to: date
    seller: Seller
    buyer: Party
    opening_balance: Decimal
    entries: tuple[StatementEntry, ...] = field(default=())
    closing_balance: Decimal = Decimal(0)

    kind = "statement"

    @property
    def cache_identity(self) -> str | None:
        return None  # activity can still be recorded for the period: rendered each time

    @property
    def filename(self) -> str:
        return f"statement-{self.period_from.isoformat()}-{self.period_to.isoformat()}.pdf"


Document = InvoiceDocument | CreditNoteDocument | ReceiptDocument | StatementDocument


class DocumentRenderer(Protocol):
    """Turns a document into a PDF in one locale (integrations/pdf.py renders with xhtml2pdf)."""

    # Changes whenever the layout does: PDFs kept under another version are rendered again.
    version: str

    def render(self, document: Document, locale: str) -> bytes:
        """The PDF's bytes. Runs in a worker thread: it is CPU work of tens of milliseconds."""


def pdf_path(kind: str, global_id: str, locale: str | None = None) -> str:
    """Where server/documents.py serves a document (`kind`: invoices, credit-notes), relative to the
    API's origin; without a locale the reader's preferences choose."""
    path = f"/documents/{kind}/{quote(global_id, safe='')}.pdf"
    return f"{path}?locale={quote(locale, safe='')}" if locale else path


def buyer_from_billing_details(details: dict[str, Any]) -> Party:
    """The buyer as the invoice's snapshot of the account's billing details names it."""
    name = details.get("business_name") or details.get("name") or ""
    place = " ".join(str(p) for p in (details.get("postal_code"), details.get("region")) if p)
    address = tuple(str(line) for line in (*(details.get("address") or ()), place) if line)
    return Party(name=name, address=address, country=details.get("country"), tax_id=details.get("tax_id"))


def invoice_taxes(lines: list[InvoiceLine]) -> tuple[TaxLine, ...]:
    """The invoice's tax per rate, from its lines (each taxed and rounded on its own)."""
    return tuple(TaxLine(rate=group.percent / 100, base=group.net, amount=group.amount, name=group.label)
                 for group in tax.breakdown(lines) if group.amount or group.percent)


def invoice_document(invoice: Invoice, lines: list[InvoiceLine], seller: Seller, order_number: str | None,
                     taxes: tuple[TaxLine, ...] | None = None) -> InvoiceDocument:
    details = invoice.billing_details or {}
    draft = invoice.status is InvoiceStatus.DRAFT
    return InvoiceDocument(
        id=invoice.id,  # type: ignore[arg-type]
        number=None if draft else invoice.number, status=invoice.status, currency=invoice.currency,
        issued_on=invoice.issued_at.date(), due_date=invoice.due_date, seller=seller,
        buyer=buyer_from_billing_details(details),
        lines=tuple(DocumentLine(line.description, line.quantity, line.unit_price,
                                 line.amount - (line.tax_amount if line.tax_included else 0), tax=line.tax_amount,
                                 tax_rate=line.tax_percent / 100, tax_included=line.tax_included)
                    for line in sorted(lines, key=lambda line: (line.position, line.id or 0))),
        taxes=invoice_taxes(lines) if taxes is None else taxes,
        subtotal=invoice.subtotal, tax=invoice.tax, total=invoice.total, amount_paid=invoice.amount_paid,
        amount_due=invoice.amount_due, po_number=invoice.po_number, order_number=order_number,
        reverse_charge=details.get("tax_note") == tax.REVERSE_CHARGE_NOTE,
        tax_exempt=(details.get("exemption_reference") or "—") if details.get("tax_exempt") else None,
        payment_instructions=bank_transfer.instructions(seller.bank, invoice))


async def documents_of_invoices(session: Any, invoices: list[Invoice], seller: Seller) -> dict[int, InvoiceDocument]:
    """The documents of invoices already read (scoped to a caller, or by the worker that mails
    them), by invoice id: two statements for their lines and their orders' numbers, however many."""
    lines = await repo.invoice_lines(session, (i.id for i in invoices))  # type: ignore[misc]
    orders = await repo.order_numbers(session, (i.order_id for i in invoices))
    return {i.id: invoice_document(i, lines.get(i.id, []), seller,  # type: ignore[misc]
                                   orders.get(i.order_id) if i.order_id else None) for i in invoices}


def credit_note_document(note: CreditNote, lines: list[CreditNoteLine], invoice: Invoice,
                         credited: dict[int, InvoiceLine], seller: Seller) -> CreditNoteDocument:
    """A credit note with its lines (`credited`: the invoice lines they credit, by id), the tax
    per rate of the lines it credits, and the invoice it credits (whose buyer it names)."""
    printed, groups = [], {}
    for line in sorted(lines, key=lambda line: (line.position, line.id or 0)):
        il = credited.get(line.invoice_line_id) if line.invoice_line_id is not None else None
        rate = il.tax_percent / 100 if il is not None else None
        printed.append(DocumentLine(line.description, line.quantity, line.unit_price, line.amount, tax=line.tax,
                                    tax_rate=rate, tax_included=il.tax_included if il is not None else False))
        key = (rate, il.tax_label if il is not None else None)
        base, amount = groups.get(key, (Decimal(0), Decimal(0)))
        groups[key] = (base + line.amount, amount + line.tax)
    taxes = tuple(TaxLine(rate=rate, base=base, amount=amount, name=name)
                  for (rate, name), (base, amount) in groups.items() if amount or rate)
    return CreditNoteDocument(
        id=note.id, number=note.number, invoice_number=invoice.number or "",  # type: ignore[arg-type]
        currency=note.currency, issued_on=note.issued_at.date(), seller=seller,
        buyer=buyer_from_billing_details(invoice.billing_details or {}), lines=tuple(printed), taxes=taxes,
        subtotal=note.subtotal, tax=note.tax, total=note.total, reason=note.reason.value, memo=note.memo,
        void=note.status is CreditNoteStatus.VOID, amount_applied=note.amount_applied,
        amount_credited=note.amount_credited, amount_refunded=note.amount_refunded)


def statement_document(statement: Statement, account: Account, seller: Seller) -> StatementDocument:
    """A statement of account as printed: its lines with the balance after each, between the
    opening and closing balances (the same figures as `Account.statement`)."""
    entries = tuple(StatementEntry(on=line.at.date(), document=line.kind.value.lower(), reference=line.reference,
                                   charge=line.debit, credit=line.credit, balance=line.balance)
                    for line in statement.lines)
    place = " ".join(p for p in (account.billing_postal_code, account.billing_region) if p)
    buyer = Party(name=account.billing_business_name or account.name, address=(place,) if place else (),
                  country=account.billing_country, tax_id=account.billing_tax_id)
    return StatementDocument(account_id=statement.account_id, currency=statement.currency,
                             period_from=statement.start, period_to=statement.end, seller=seller, buyer=buyer,
                             opening_balance=statement.opening_balance, entries=entries,
                             closing_balance=statement.closing_balance)


def receipt_document(payments: list[Payment], invoices: dict[int, Invoice], seller: Seller,
                     paid_before: dict[int, Decimal]) -> ReceiptDocument:
    """The receipt of a payment (its rows, one per invoice paid); `paid_before` is what earlier
    payments had paid of each invoice. Numbered from the RECEIPT series; a payment recorded before
    receipts were numbered shows its reference."""
    first = payments[0]
    lines = tuple(ReceiptLine(invoices[p.invoice_id].number or "", p.amount,
                              invoices[p.invoice_id].total - invoices[p.invoice_id].amount_credited
                              - paid_before.get(p.invoice_id, Decimal(0)) - p.amount) for p in payments)
    return ReceiptDocument(
        id=first.id, number=first.receipt_number or first.reference or f"{lines[0].invoice_number}-{first.id}",  # type: ignore[arg-type]
        paid_on=first.created_at.date(), currency=first.currency, amount=sum((p.amount for p in payments), Decimal(0)),
        method=first.method.value, seller=seller,
        buyer=buyer_from_billing_details(invoices[first.invoice_id].billing_details or {}),
        invoice_number=", ".join(line.invoice_number for line in lines),
        invoice_total=sum((invoices[p.invoice_id].total for p in payments), Decimal(0)),
        balance_due=sum((line.balance_due for line in lines), Decimal(0)), reference=first.reference,
        card=f"{first.card_brand} •••• {first.card_last4}" if first.card_last4 else None,
        invoices=lines if len(lines) > 1 else ())


def storage_key(document: Document, locale: str, version: str) -> str | None:
    """Where a document's PDF in `locale` is kept (a name storage accepts), or None when it is
    not kept. The key is a digest: it tells nobody reading the disk which invoice it is."""
    identity = document.cache_identity
    if identity is None:
        return None
    digest = hashlib.sha256(f"{identity}|{locale}|{version}".encode()).hexdigest()[:32]
    return f"documents/{document.kind.replace('_', '-')}/{digest}.pdf"


async def pdf(document: Document, locale: str, renderer: DocumentRenderer, storage: FileStorage) -> bytes:
    """The document's PDF in `locale`: the kept one, else rendered now (and kept unless a draft)."""
    key = storage_key(document, locale, renderer.version)
    if key is not None:
        kept = await storage.get(key)
        if kept is not None:
            return kept
    data = await asyncio.to_thread(renderer.render, document, locale)
    if key is not None:
        await storage.put(key, data, PDF)
    return data
