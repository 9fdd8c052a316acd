"""Invoicing: an invoice's lifecycle (lifecycle.py), its gapless numbers (numbering.py), credit
notes and account credit (credit_notes.py), what it counts in (amounts.py), and the merchant's
settings (settings.py)."""
from domain.invoicing.amounts import settle
from domain.invoicing.codes import CreditNoteErrorCode, InvoicingErrorCode
from domain.invoicing.lifecycle import (Billed, apply_account_credit, apply_payment, due_date, finalize, follow_order,
                                        invoice_at_fulfilment, invoice_billed, invoice_order, invoice_when_accepted,
                                        mark_uncollectible, reissue, void, void_for_cancelled)
from domain.invoicing.settings import InvoiceOn, MerchantSettings, NumberFormat, Series

__all__ = ["Billed", "CreditNoteErrorCode", "InvoiceOn", "InvoicingErrorCode", "MerchantSettings", "NumberFormat",
           "Series", "apply_account_credit", "apply_payment", "due_date", "finalize", "follow_order",
           "invoice_at_fulfilment", "invoice_billed", "invoice_order", "invoice_when_accepted", "mark_uncollectible", "reissue",
           "settle", "void", "void_for_cancelled"]
