"""Invoices, the payments against them, and the gapless number series of invoices and credit notes."""
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import InvoiceReminderKind, InvoiceStatus, PaymentMethodKind, PaymentStatus
from db.types import amount_field, enum_field, utc_field, utcnow


class Invoice(SQLModel, table=True):
    # An order's invoices are numbered 0, 1, … (`order_sequence`): the one written at placement is 0,
    # so a decision that missed a lock cannot bill an order twice; a reissue or an invoice for an
    # order's increase takes the next (subscription invoices have no order; NULLs do not collide).
    __table_args__ = (sa.Index("ix_invoice_account_issued", "account_id", "issued_at", "id"),
                      # The worker's reminder pass: open invoices by due date.
                      sa.Index("ix_invoice_status_due", "status", "due_date"),
                      sa.UniqueConstraint("order_id", "order_sequence", name="uq_invoice_order_sequence"),
                      sa.UniqueConstraint("reissued_from_id", name="uq_invoice_reissued_from"))

    id: int | None = Field(default=None, primary_key=True)
    # Assigned at finalisation from the gapless series (`DocumentSequence`); a draft has none.
    number: str | None = Field(default=None, max_length=32, sa_column_kwargs={"unique": True})
    account_id: int = Field(foreign_key="account.id")
    location_id: int | None = Field(default=None, foreign_key="location.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="customer_order.id", index=True)
    order_sequence: int = Field(default=0)
    subscription_id: int | None = Field(default=None, foreign_key="subscription.id", index=True)
    status: InvoiceStatus = enum_field(InvoiceStatus, index=True)
    currency: str = Field(max_length=3)
    subtotal: Decimal = amount_field()
    tax: Decimal = amount_field()
    total: Decimal = amount_field()
    amount_paid: Decimal = amount_field(default=Decimal(0))
    # The part of the total taken off by credit notes (applied to what was due).
    amount_credited: Decimal = amount_field(default=Decimal(0))
    # Paid from the account's credit balance (part of amount_paid).
    amount_from_credit: Decimal = amount_field(default=Decimal(0))
    amount_due: Decimal = amount_field()
    po_number: str | None = Field(default=None, max_length=140)
    # A draft's issue and due dates are provisional: finalisation sets both.
    issued_at: datetime = utc_field()
    due_date: date = Field(sa_type=sa.Date)
    finalized_at: datetime | None = utc_field(nullable=True, default=None)
    paid_at: datetime | None = utc_field(nullable=True, default=None)
    voided_at: datetime | None = utc_field(nullable=True, default=None)
    uncollectible_at: datetime | None = utc_field(nullable=True, default=None)
    # The invoice this one replaces (a reissue with corrected billing details); unique, so an
    # invoice is reissued once.
    reissued_from_id: int | None = Field(default=None, foreign_key="invoice.id")
    # The account's billing details as they were when the invoice was issued.
    billing_details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = utc_field(default_factory=utcnow)


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    # The order line it bills (none on a subscription's invoice): what an order change or a return
    # credits is found through it.
    order_line_id: int | None = Field(default=None, foreign_key="order_line.id", index=True)
    variant_id: int | None = Field(default=None, foreign_key="product_variant.id")
    description: str = Field(max_length=300)
    quantity: int
    unit_price: Decimal = amount_field()
    amount: Decimal = amount_field()
    currency: str = Field(max_length=3)
    position: int = Field(default=0)
    # Tax of the line (domain/tax.py): the rate in percent, the amount rounded to the minor unit,
    # where it is due, or why there is none; `tax_included`: the line's price already holds it.
    tax_percent: Decimal = amount_field(default=Decimal(0))
    tax_amount: Decimal = amount_field(default=Decimal(0))
    tax_label: str | None = Field(default=None, max_length=100)
    tax_jurisdiction: str | None = Field(default=None, max_length=10)
    tax_reason: str | None = Field(default=None, max_length=20)  # a db.enums.TaxReason
    tax_included: bool = Field(default=False)


class InvoiceReminder(SQLModel, table=True):
    """A reminder of one kind decided for an invoice: written with its emails in one transaction,
    and unique per invoice and kind, so a second worker (or a second pass) cannot send it again."""

    __tablename__ = "invoice_reminder"
    __table_args__ = (sa.UniqueConstraint("invoice_id", "kind", name="uq_invoice_reminder_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id")
    kind: InvoiceReminderKind = enum_field(InvoiceReminderKind)
    # Emails queued: 0 when there was no one to send to, or the invoice was issued inside the
    # reminder window (its own email gave the due date), or it was overdue before reminders existed.
    recipients: int = Field(default=0)
    created_at: datetime = utc_field(default_factory=utcnow)


class Payment(SQLModel, table=True):
    """What one invoice received from one payment. A payment of several invoices (one gateway
    charge, or one use of account credit) is a row per invoice sharing `group_key` (and the
    charge's ID in `reference`, and one receipt number): statements and an invoice's payments read
    rows of one invoice each."""
    # Statements read an account's payments of a period (db/repositories/statements.py).
    __table_args__ = (sa.Index("ix_payment_account_created", "account_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    amount: Decimal = amount_field()
    currency: str = Field(max_length=3)
    method: PaymentMethodKind = enum_field(PaymentMethodKind)
    status: PaymentStatus = enum_field(PaymentStatus)
    reference: str | None = Field(default=None, max_length=100)
    # The rows of one payment (invoicePay, a charge at placement): the gateway's idempotency key.
    group_key: str | None = Field(default=None, max_length=300, index=True)
    # The gateway's reason for a FAILED card payment (generic_decline, insufficient_funds, ...).
    decline_code: str | None = Field(default=None, max_length=64)
    # The card as it was when charged (the saved method may be removed later).
    card_brand: str | None = Field(default=None, max_length=32)
    card_last4: str | None = Field(default=None, max_length=4)
    # A successful payment's receipt, from the RECEIPT series; the rows of one payment share it.
    receipt_number: str | None = Field(default=None, max_length=32, index=True)
    created_at: datetime = utc_field(default_factory=utcnow)


class DocumentSequence(SQLModel, table=True):
    """The last number given in a series (INVOICE, CREDIT_NOTE), per year when the merchant numbers
    per year (year 0 otherwise). Finalisation reads its row FOR UPDATE and increments it in the same
    transaction: a rollback gives the number back, so numbers are gapless and never reused."""

    __tablename__ = "document_sequence"
    __table_args__ = (sa.UniqueConstraint("series", "year", name="uq_document_sequence_series_year"),)

    id: int | None = Field(default=None, primary_key=True)
    series: str = Field(max_length=32)
    year: int = Field(default=0)
    last_value: int = Field(default=0)
