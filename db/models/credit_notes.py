"""Credit notes against invoices, their lines, and the account credit balance they can leave."""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import AccountCreditKind, CreditNoteReason, CreditNoteStatus
from db.types import amount_field, enum_field, utc_field, utcnow


class CreditNote(SQLModel, table=True):
    """A reduction of an issued invoice. Its total is split three ways: `amount_applied` lowers what
    the invoice has due, `amount_credited` goes to the account's credit balance, `amount_refunded`
    is money given back (recorded; the gateway is the payments domain's)."""

    __tablename__ = "credit_note"
    __table_args__ = (sa.Index("ix_credit_note_account_issued", "account_id", "issued_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    # From its own gapless series (`DocumentSequence` CREDIT_NOTE), given when it is issued.
    number: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    # Copied from the invoice, so credit notes are scoped like invoices without a join.
    account_id: int = Field(foreign_key="account.id")
    location_id: int | None = Field(default=None, foreign_key="location.id", index=True)
    return_id: int | None = Field(default=None, foreign_key="return_request.id", index=True)
    status: CreditNoteStatus = enum_field(CreditNoteStatus, index=True)
    reason: CreditNoteReason = enum_field(CreditNoteReason)
    memo: str | None = Field(default=None, max_length=2000)
    currency: str = Field(max_length=3)
    subtotal: Decimal = amount_field()
    tax: Decimal = amount_field()
    total: Decimal = amount_field()
    amount_applied: Decimal = amount_field(default=Decimal(0))
    amount_credited: Decimal = amount_field(default=Decimal(0))
    amount_refunded: Decimal = amount_field(default=Decimal(0))
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    issued_at: datetime = utc_field()
    voided_at: datetime | None = utc_field(nullable=True, default=None)
    created_at: datetime = utc_field(default_factory=utcnow)


class CreditNoteLine(SQLModel, table=True):
    __tablename__ = "credit_note_line"

    id: int | None = Field(default=None, primary_key=True)
    credit_note_id: int = Field(foreign_key="credit_note.id", index=True)
    # The invoice line it credits; none for an amount not tied to a line (goodwill).
    invoice_line_id: int | None = Field(default=None, foreign_key="invoice_line.id", index=True)
    description: str = Field(max_length=300)
    quantity: int
    unit_price: Decimal = amount_field()
    amount: Decimal = amount_field()  # before tax
    tax: Decimal = amount_field(default=Decimal(0))
    currency: str = Field(max_length=3)
    position: int = Field(default=0)


class AccountCreditTransaction(SQLModel, table=True):
    """One movement of an account's credit balance in one currency; the balance is their sum."""

    __tablename__ = "account_credit_transaction"
    __table_args__ = (sa.Index("ix_account_credit_account_currency", "account_id", "currency", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    currency: str = Field(max_length=3)
    amount: Decimal = amount_field()  # positive adds to the balance, negative uses it
    kind: AccountCreditKind = enum_field(AccountCreditKind)
    credit_note_id: int | None = Field(default=None, foreign_key="credit_note.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    memo: str | None = Field(default=None, max_length=2000)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)
