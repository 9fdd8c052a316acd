"""Invoices, payments and credit notes, and the invoicing mutations. Only ADMIN and ACCOUNTS_PAYABLE
(and staff) see these rows."""
from datetime import date, datetime
from enum import StrEnum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from db import models
from db.repositories.payments import PaymentFilter as PaymentFilterData
from db.enums import CreditNoteReason, CreditNoteStatus, InvoiceStatus, PaymentMethodKind, PaymentStatus, TaxReason
from db.repositories.billing import InvoiceSort
from db.repositories.billing import InvoiceFilter as InvoiceFilterData
from domain import bank_transfer
from domain.billing_details import BillingDetails as BillingDetailsData
from domain.invoicing import CreditNoteErrorCode, InvoicingErrorCode
from domain.money import Money as MoneyData
from domain.statements import EntryKind
from domain.statements import Statement as StatementData
from domain.tax import breakdown
from resolvers import invoicing as resolve
from domain.documents import pdf_path
from resolvers.globalid import decode_as, encode
from schema.billing_details import BillingDetails
from schema.tax import LineTax, TaxBreakdownEntry, line_tax, percent
from schema.relations import relation
from schema.common import Connection, Money, Node, UserError, node_id, rows_of, user_errors

if TYPE_CHECKING:
    from schema.accounts import Account
    from schema.orders import Order

InvoiceStatusEnum = strawberry.enum(InvoiceStatus, name="InvoiceStatus")
PaymentMethodKindEnum = strawberry.enum(PaymentMethodKind, name="PaymentMethodKind")
PaymentStatusEnum = strawberry.enum(PaymentStatus, name="PaymentStatus")
InvoiceSortKey = strawberry.enum(InvoiceSort, name="InvoiceSortKey",
                                 description="What an invoice list is sorted by (then by the invoice's ID).")


@strawberry.enum(description="Ascending or descending.")
class SortDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"
CreditNoteStatusEnum = strawberry.enum(CreditNoteStatus, name="CreditNoteStatus")
CreditNoteReasonEnum = strawberry.enum(CreditNoteReason, name="CreditNoteReason")
InvoicingErrorCodeEnum = strawberry.enum(InvoicingErrorCode, name="InvoicingErrorCode")
CreditNoteErrorCodeEnum = strawberry.enum(CreditNoteErrorCode, name="CreditNoteErrorCode")


def tax_summary(lines: list[Any], currency: str) -> list[TaxBreakdownEntry]:
    return [TaxBreakdownEntry(percent=percent(g.percent), label=g.label, jurisdiction=g.jurisdiction,  # type: ignore[call-arg]
                              reason=TaxReason(g.reason) if g.reason else None,
                              net=MoneyData(g.net, currency), amount=MoneyData(g.amount, currency))
            for g in breakdown(lines)]


def _money(field: str) -> Any:
    def resolve(root: Any) -> Money:
        return MoneyData(getattr(root, field), root.currency)  # type: ignore[return-value]
    return strawberry.field(resolver=resolve)


@strawberry.type
class InvoiceLine:
    @strawberry.field(description="The line's ID, to credit it (`staffCreditNoteCreate`).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode("InvoiceLine", self.id))  # type: ignore[attr-defined]

    description: str
    quantity: int
    unit_price: Money = _money("unit_price")
    amount: Money = strawberry.field(resolver=lambda root: MoneyData(root.amount, root.currency),
                                     description="Unit price × quantity: net, or gross when tax.included.")

    @strawberry.field(description="The line's tax, rounded to the minor unit.")
    def tax(self) -> LineTax:
        return line_tax(self)


@strawberry.type(description="What one invoice received from one payment. A payment of several invoices is a "
                             "row per invoice sharing its charge (reference) and receipt number.")
class Payment(Node):
    id: strawberry.ID = node_id("Payment")
    is_type_of = rows_of(models.Payment)
    amount: Money = _money("amount")
    method: PaymentMethodKindEnum  # type: ignore[valid-type]
    status: PaymentStatusEnum  # type: ignore[valid-type]
    reference: str | None = strawberry.field(description="The gateway's charge ID, or the payer's reference.")
    decline_code: str | None = strawberry.field(description="Why the gateway declined a FAILED card payment "
                                                            "(generic_decline, insufficient_funds, ...).")
    card_brand: str | None
    card_last4: str | None
    receipt_number: str | None = strawberry.field(description="A successful payment's receipt (RCT-2026-000001); "
                                                              "its PDF is /documents/receipts/<id>.pdf.")
    created_at: datetime
    invoice = relation("Invoice", "billing.invoice", "invoice_id")


@strawberry.type(description="A bank transfer's details: the merchant's account and the reference to quote.")
class PaymentInstructions:
    bank_name: str
    account_holder: str
    iban: str = strawberry.field(description="In groups of four, as printed.")
    bic: str | None
    reference: str = strawberry.field(description="The invoice's number.")


@strawberry.type
class Invoice(Node):
    id: strawberry.ID = node_id("Invoice")
    is_type_of = rows_of(models.Invoice)
    number: str | None = strawberry.field(description="Given when the invoice is finalised (INV-2026-000123); "
                                                       "a draft has none.")
    status: InvoiceStatusEnum  # type: ignore[valid-type]
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    subtotal: Money = _money("subtotal")
    tax: Money = _money("tax")
    total: Money = _money("total")
    amount_paid: Money = _money("amount_paid")
    amount_credited: Money = strawberry.field(resolver=lambda root: MoneyData(root.amount_credited, root.currency),
                                              description="What credit notes took off the total.")
    amount_due: Money = strawberry.field(resolver=lambda root: MoneyData(root.amount_due, root.currency),
                                         description="Total less payments and credit notes.")
    po_number: str | None
    issued_at: datetime = strawberry.field(description="When it was finalised (a draft's is provisional).")
    due_date: date
    finalized_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    uncollectible_at: datetime | None

    @strawberry.field(description="The account's billing details as they were when it was issued.")
    def billing_details(self) -> BillingDetails:
        return BillingDetailsData.from_snapshot(self.billing_details)  # type: ignore[return-value]

    @strawberry.field(description="What the invoice must say about its tax, such as reverse charge.")
    def tax_note(self) -> str | None:
        return (self.billing_details or {}).get("tax_note")

    @strawberry.field(description="The invoice as a PDF (a path on this API's origin, fetched with the same "
                                  "bearer token), in `locale` or else the reader's language (docs/documents.md).")
    def pdf_url(self, locale: str | None = None) -> str:
        return pdf_path("invoices", encode("Invoice", self.id), locale)  # type: ignore[attr-defined]

    # Who sees the invoice (ACCOUNTS_PAYABLE, ADMIN: rows:Invoice) sees how to pay it.
    @strawberry.field(description="How to pay a net-terms invoice by bank transfer, quoting its number as the "
                      "reference; null when it awaits no transfer or no bank account is set.")
    def payment_instructions(self, info: Info) -> PaymentInstructions | None:
        return bank_transfer.instructions(info.context.settings.bank, self)  # type: ignore[return-value,arg-type]

    @strawberry.field(description="Open and past its due date.")
    def is_overdue(self, info: Info) -> bool:
        return self.status is InvoiceStatus.OPEN and self.due_date < info.context.now.date()

    lines = relation("list[InvoiceLine]", "billing.lines")
    tax_breakdown = relation(
        "list[TaxBreakdownEntry]", "billing.lines", shape=lambda lines, invoice: tax_summary(lines, invoice.currency),
        description="Tax per rate and place: the sums of the lines' rounded tax (what the invoice prints).")
    payments = relation("list[Payment]", "billing.payments")
    credit_notes = relation("list[CreditNote]", "billing.credit_notes", description="Credit notes against it, "
                            "oldest first.")
    reissued_from = relation("Invoice | None", "billing.invoice", "reissued_from_id",
                             description="The invoice this one replaced (a reissue with corrected billing details).")
    replaced_by = relation("Invoice | None", "billing.replaced_by", description="The invoice that replaced this one.")
    account = relation(Annotated["Account", strawberry.lazy("schema.accounts")], "accounts.account", "account_id")

    @strawberry.field(description="The order this invoice bills, if any.")
    async def order(self, info: Info) -> Annotated["Order", strawberry.lazy("schema.orders")] | None:
        # The order is of the invoice's own account and location, which the caller already sees.
        if self.order_id is None:  # type: ignore[attr-defined]
            return None
        return await info.context.loaders.orders.order.load(self.order_id)  # type: ignore[attr-defined]


InvoiceConnection = Connection[Invoice]


@strawberry.type(description="A line of a credit note: a quantity of an invoice line, or an amount.")
class CreditNoteLine:
    description: str
    quantity: int
    unit_price: Money = _money("unit_price")
    amount: Money = strawberry.field(resolver=lambda root: MoneyData(root.amount, root.currency),
                                     description="Before tax.")
    tax: Money = _money("tax")


@strawberry.type(description="A reduction of an issued invoice (a correction, goodwill, a return's refund, "
                             "an order's change or cancellation, a reissue). It lowers what the invoice has due; "
                             "beyond that it becomes account credit or is refunded.")
class CreditNote(Node):
    id: strawberry.ID = node_id("CreditNote")
    is_type_of = rows_of(models.CreditNote)
    number: str = strawberry.field(description="From its own gapless series (CN-2026-000001).")
    status: CreditNoteStatusEnum  # type: ignore[valid-type]
    reason: CreditNoteReasonEnum  # type: ignore[valid-type]
    memo: str | None
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    subtotal: Money = _money("subtotal")
    tax: Money = _money("tax")
    total: Money = _money("total")
    amount_applied: Money = strawberry.field(resolver=lambda root: MoneyData(root.amount_applied, root.currency),
                                             description="Taken off the invoice's amount due.")
    amount_to_account_credit: Money = strawberry.field(
        resolver=lambda root: MoneyData(root.amount_credited, root.currency),
        description="Added to the account's credit balance.")
    amount_refunded: Money = strawberry.field(resolver=lambda root: MoneyData(root.amount_refunded, root.currency),
                                              description="Given back to the customer.")
    issued_at: datetime
    voided_at: datetime | None

    @strawberry.field(description="The credit note as a PDF (a path on this API's origin, fetched with the same "
                                  "bearer token), in `locale` or else the reader's language (docs/documents.md).")
    def pdf_url(self, locale: str | None = None) -> str:
        return pdf_path("credit-notes", encode("CreditNote", self.id), locale)  # type: ignore[attr-defined]

    lines = relation("list[CreditNoteLine]", "billing.credit_note_lines")
    invoice = relation(Invoice, "billing.invoice", "invoice_id")


CreditNoteConnection = Connection[CreditNote]
PaymentConnection = Connection[Payment]


@strawberry.input(description="Payments to list; all given conditions hold.")
class PaymentFilter:
    status: list[PaymentStatusEnum] | None = None  # type: ignore[valid-type]
    method: list[PaymentMethodKindEnum] | None = None  # type: ignore[valid-type]
    invoice_id: strawberry.ID | None = None
    from_: datetime | None = strawberry.field(default=None, name="from", description="Made at or after.")
    to: datetime | None = strawberry.field(default=None, description="Made before.")

    def to_data(self, account_id: int) -> PaymentFilterData:
        invoice = (decode_as(self.invoice_id, "Invoice"),) if self.invoice_id is not None else ()
        return PaymentFilterData(account_ids=(account_id,), statuses=tuple(self.status or ()),
                                 methods=tuple(self.method or ()), invoice_ids=invoice, created_after=self.from_,
                                 created_before=self.to)


@strawberry.type
class InvoicingError(UserError):
    is_type_of = user_errors()
    code: InvoicingErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class CreditNoteError(UserError):
    is_type_of = user_errors()
    code: CreditNoteErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None
    user_errors: list[InvoicingError]


@strawberry.type
class InvoiceReissuePayload:
    invoice: Invoice | None = strawberry.field(description="The new invoice.")
    replaced: Invoice | None = strawberry.field(description="The invoice it replaces, now credited in full.")
    credit_note: CreditNote | None
    user_errors: list[InvoicingError]


@strawberry.type
class CreditNotePayload:
    credit_note: CreditNote | None
    invoice: Invoice | None
    user_errors: list[CreditNoteError]


@strawberry.input
class InvoiceIdInput:
    id: strawberry.ID


@strawberry.input(description="A quantity of one invoice line to credit.")
class CreditNoteLineInput:
    invoice_line_id: strawberry.ID
    quantity: int


@strawberry.input(description="Credit lines of the invoice, or an amount (tax included), not both.")
class CreditNoteCreateInput:
    invoice_id: strawberry.ID
    reason: CreditNoteReasonEnum  # type: ignore[valid-type]
    memo: str | None = None
    lines: list[CreditNoteLineInput] | None = None
    amount: Decimal | None = None
    refund: bool = strawberry.field(default=False, description="What it credits beyond the amount due is "
                                    "refunded, not added to the account's credit balance.")


@strawberry.type
class InvoicingMutations:
    @strawberry.mutation(description="Finalise a draft invoice: it gets its number and due date now (STAFF_ADMIN).")
    async def staff_invoice_finalize(self, info: Info, input: InvoiceIdInput) -> InvoicePayload:
        return await resolve.staff_invoice_finalize(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Void an invoice with nothing paid or credited on it (STAFF_ADMIN).")
    async def staff_invoice_void(self, info: Info, input: InvoiceIdInput) -> InvoicePayload:
        return await resolve.staff_invoice_void(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Mark an open invoice uncollectible; it can still be paid (STAFF_ADMIN).")
    async def staff_invoice_mark_uncollectible(self, info: Info, input: InvoiceIdInput) -> InvoicePayload:
        return await resolve.staff_invoice_mark_uncollectible(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Issue a credit note against an invoice (STAFF_ADMIN).")
    async def staff_credit_note_create(self, info: Info, input: CreditNoteCreateInput) -> CreditNotePayload:
        lines = [(line.invoice_line_id, line.quantity) for line in input.lines or ()]
        return await resolve.staff_credit_note_create(  # type: ignore[return-value]
            info.context, input.invoice_id, input.reason, input.memo, lines, input.amount, input.refund)

    @strawberry.mutation(description="Replace an issued invoice, once, by one with the account's current billing "
                                     "details: a credit note for the old one and a new invoice (ACCOUNTS_PAYABLE, "
                                     "ADMIN).")
    async def invoice_reissue(self, info: Info, input: InvoiceIdInput) -> InvoiceReissuePayload:
        return await resolve.invoice_reissue(info.context, input.id)  # type: ignore[return-value]


@strawberry.input(description="Narrow an invoice search. All given conditions must hold.")
class InvoiceFilter:
    status: list[InvoiceStatusEnum] | None = None  # type: ignore[valid-type]
    issued_after: datetime | None = strawberry.field(default=None, description="Issued at or after.")
    issued_before: datetime | None = strawberry.field(default=None, description="Issued before.")
    due_after: date | None = strawberry.field(default=None, description="Due on or after.")
    due_before: date | None = strawberry.field(default=None, description="Due before.")
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    number: str | None = strawberry.field(default=None, description="The invoice number, exactly.")
    order_number: str | None = strawberry.field(default=None, description="The number of the order billed, exactly.")
    po_number: str | None = strawberry.field(default=None, description="The PO number, exactly.")
    location_id: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None, description="Part of the invoice number, the order number or the PO number, in any case.")
    overdue: bool | None = strawberry.field(default=None, description="Only open invoices past due.")

    def to_data(self, today: date, sort: InvoiceSort = InvoiceSort.ISSUED_AT, descending: bool = True,
                **fixed: Any) -> InvoiceFilterData:
        locations = tuple(fixed.pop("location_ids", ()))
        if self.location_id is not None:
            locations = locations + (decode_as(self.location_id, "Location"),)
        return InvoiceFilterData(statuses=tuple(self.status or ()), issued_after=self.issued_after,
                                 issued_before=self.issued_before, due_after=self.due_after,
                                 due_before=self.due_before, min_total=self.min_total,
                                 max_total=self.max_total, number=self.number, order_number=self.order_number,
                                 po_number=self.po_number, search=(self.search or "").strip() or None,
                                 location_ids=locations, overdue_on=today if self.overdue else None,
                                 sort=sort, descending=descending, **fixed)


def invoice_filter(f: InvoiceFilter | None, today: date, sort_by: InvoiceSort = InvoiceSort.ISSUED_AT,
                   direction: SortDirection = SortDirection.DESC, **fixed: Any) -> InvoiceFilterData:
    return (f or InvoiceFilter()).to_data(today, InvoiceSort(sort_by), direction is SortDirection.DESC, **fixed)


@strawberry.type(description="What open invoices owe in one currency, and the part of it past due.")
class InvoiceTotals:
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    count: int = strawberry.field(description="Open invoices.")
    amount_due: Money = _money("amount_due")
    overdue_count: int = strawberry.field(description="Open invoices past their due date.")
    amount_overdue: Money = _money("amount_overdue")


StatementEntryKindEnum = strawberry.enum(EntryKind, name="StatementEntryKind")


@strawberry.type(description="One movement on a statement: invoices and refunds add to the balance (debit), "
                             "payments and credit notes take from it (credit), an adjustment of the account's "
                             "credit either.")
class StatementLine:
    kind: StatementEntryKindEnum  # type: ignore[valid-type]
    occurred_at: datetime = strawberry.field(description="When the invoice was issued, the payment made, the credit "
                                                         "note issued.")
    reference: str = strawberry.field(description="The invoice's or credit note's number, the payment's reference.")
    invoice_number: str | None = strawberry.field(description="The invoice it is or applies to.")
    debit: Money
    credit: Money
    balance: Money = strawberry.field(description="What the account owes after it.")


@strawberry.type(description="A statement of account in one currency for a period: closingBalance = "
                             "openingBalance + totalInvoiced - totalPaid - totalCredited + totalRefunded + "
                             "totalAdjusted. The balance is what the account owes (negative: its credit).")
class Statement:
    currency_code: str
    from_: date = strawberry.field(name="from", description="The first day covered (UTC).")
    to: date = strawberry.field(description="The last day covered (UTC).")
    opening_balance: Money = strawberry.field(description="What the account owed when the period began.")
    total_invoiced: Money = strawberry.field(description="Invoices issued in the period (not voided).")
    total_paid: Money = strawberry.field(description="Payments received in the period.")
    total_credited: Money = strawberry.field(description="Credit notes issued in the period.")
    total_refunded: Money = strawberry.field(description="Money paid back in the period.")
    total_adjusted: Money = strawberry.field(description="What the merchant's adjustments of the account's credit "
                                                         "added (negative: in the account's favour).")
    closing_balance: Money = strawberry.field(description="What the account owed when the period ended.")
    lines: list[StatementLine] = strawberry.field(description="Invoices, payments and credit notes of the period in "
                                                              "date order, with the balance after each.")


def statement_of(s: StatementData) -> Statement:
    def money(amount: Decimal) -> Money:
        return MoneyData(amount, s.currency)  # type: ignore[return-value]
    return Statement(currency_code=s.currency, from_=s.start, to=s.end, opening_balance=money(s.opening_balance),
                     total_invoiced=money(s.invoiced), total_paid=money(s.paid), total_credited=money(s.credited),
                     total_refunded=money(s.refunded), total_adjusted=money(s.adjusted),
                     closing_balance=money(s.closing_balance),
                     lines=[StatementLine(kind=line.kind, occurred_at=line.at, reference=line.reference,  # type: ignore[call-arg]
                                          invoice_number=line.invoice_number, debit=money(line.debit),
                                          credit=money(line.credit), balance=money(line.balance))
                            for line in s.lines])
