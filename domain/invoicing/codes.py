"""What can go wrong when invoicing: the codes of coded userErrors."""
from enum import StrEnum


class InvoicingErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    NOT_DRAFT = "NOT_DRAFT"  # only a draft is finalised
    NOT_OPEN = "NOT_OPEN"  # only an open invoice is paid, marked uncollectible
    NOT_VOIDABLE = "NOT_VOIDABLE"  # paid or void already
    HAS_PAYMENTS = "HAS_PAYMENTS"  # void it no more: issue a credit note
    HAS_CREDIT_NOTES = "HAS_CREDIT_NOTES"
    ALREADY_REISSUED = "ALREADY_REISSUED"  # an invoice is reissued once
    NOT_REISSUABLE = "NOT_REISSUABLE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    OVERPAYMENT = "OVERPAYMENT"  # more than the amount due
    NO_ACCOUNT_CREDIT = "NO_ACCOUNT_CREDIT"


class CreditNoteErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVOICE_NOT_FINALIZED = "INVOICE_NOT_FINALIZED"  # a draft is changed or voided, not credited
    INVOICE_VOID = "INVOICE_VOID"
    LINES_OR_AMOUNT = "LINES_OR_AMOUNT"  # give lines or an amount, one of them
    LINE_NOT_ON_INVOICE = "LINE_NOT_ON_INVOICE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    QUANTITY_EXCEEDS_INVOICED = "QUANTITY_EXCEEDS_INVOICED"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    EXCEEDS_CREDITABLE = "EXCEEDS_CREDITABLE"  # more than the invoice's total less what was credited
    MEMO_TOO_LONG = "MEMO_TOO_LONG"
