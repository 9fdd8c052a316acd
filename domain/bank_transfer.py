"""Paying an invoice by bank transfer: the merchant's bank account (PORTALQL_BANK_*, checked when
the server starts) and what a net-terms invoice tells its payer: that account and the reference
to quote, the invoice's number (so the merchant matches the transfer to it)."""
from dataclasses import dataclass

from stdnum import bic as bic_number
from stdnum import iban as iban_number
from stdnum.exceptions import ValidationError

from db.enums import PAYABLE_INVOICE_STATUSES
from db.models import Invoice


@dataclass(frozen=True)
class BankAccount:
    bank_name: str
    account_holder: str
    iban: str  # compact: DE89370400440532013000
    bic: str | None = None


def bank_account(bank_name: str, account_holder: str, iban: str, bic: str | None) -> BankAccount:
    """The account as configured, its IBAN and BIC checked (ValueError saying which is wrong)."""
    try:
        iban = iban_number.validate(iban)
    except ValidationError:
        raise ValueError("the IBAN is not valid (its country, length or check digits)") from None
    if bic:
        try:
            bic = bic_number.validate(bic)
        except ValidationError:
            raise ValueError("the BIC is not valid (8 or 11 letters and digits)") from None
    if not bank_name.strip() or not account_holder.strip():
        raise ValueError("give the bank's name and the account holder with the IBAN")
    return BankAccount(bank_name.strip(), account_holder.strip(), iban, bic or None)


@dataclass(frozen=True)
class PaymentInstructions:
    bank_name: str
    account_holder: str
    iban: str  # printed in groups of four: DE89 3704 0044 0532 0130 00
    bic: str | None
    reference: str


def instructions(bank: BankAccount | None, invoice: Invoice) -> PaymentInstructions | None:
    """How to pay the invoice by transfer: for a net-terms invoice (due after the day it was issued)
    that still awaits payment, when the merchant has a bank account configured."""
    if bank is None or invoice.number is None or invoice.status not in PAYABLE_INVOICE_STATUSES \
            or invoice.due_date <= invoice.issued_at.date():
        return None
    return PaymentInstructions(bank.bank_name, bank.account_holder, iban_number.format(bank.iban), bank.bic,
                               invoice.number)
