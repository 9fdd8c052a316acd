"""Enumerations stored in the database; the GraphQL enums are built from these."""
from enum import StrEnum


class TaxReason(StrEnum):
    """Why a line carries no tax, or none at the usual rate (null: taxed at its jurisdiction's rate)."""

    EXEMPT = "EXEMPT"
    REVERSE_CHARGE = "REVERSE_CHARGE"
    NOT_COLLECTED = "NOT_COLLECTED"


class AccountKind(StrEnum):
    BUSINESS = "BUSINESS"
    INDIVIDUAL = "INDIVIDUAL"


class Role(StrEnum):
    ADMIN = "ADMIN"
    BUYER = "BUYER"
    APPROVER = "APPROVER"
    ACCOUNTS_PAYABLE = "ACCOUNTS_PAYABLE"
    VIEWER = "VIEWER"


class StaffRole(StrEnum):
    STAFF_SUPPORT = "STAFF_SUPPORT"
    STAFF_ADMIN = "STAFF_ADMIN"


class AddressKind(StrEnum):
    BILLING = "BILLING"
    SHIPPING = "SHIPPING"


class ProfileFieldType(StrEnum):
    """The kind of value a custom profile field holds (domain/profile_fields.py checks it)."""
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    DATE = "DATE"
    CHOICE = "CHOICE"


class OrderStatus(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    OPEN = "OPEN"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"


class FulfilmentStatus(StrEnum):
    PENDING = "PENDING"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"  # the carrier reports a problem (damage, address, customs); may still deliver
    FAILED = "FAILED"


class SubscriptionStatus(StrEnum):
    TRIALING = "TRIALING"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    PAST_DUE = "PAST_DUE"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"  # ran its fixed number of cycles, or a cancellation took effect at period end


class SubscriptionKind(StrEnum):
    """A plan (a service, seats: changed by an ADMIN) or a recurring order of goods (a BUYER of the
    location skips, swaps, changes quantities and cadence)."""

    PLAN = "PLAN"
    RECURRING_ORDER = "RECURRING_ORDER"


class BillingInterval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    PAID = "PAID"
    VOID = "VOID"
    UNCOLLECTIBLE = "UNCOLLECTIBLE"


# An invoice takes payments while OPEN, and still when written off as UNCOLLECTIBLE.
PAYABLE_INVOICE_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE)


class InvoiceReminderKind(StrEnum):
    DUE_SOON = "DUE_SOON"  # some days before the due date
    OVERDUE = "OVERDUE"    # the day after the due date, or later


class PaymentMethodKind(StrEnum):
    CARD = "CARD"
    ACH = "ACH"
    WIRE = "WIRE"
    CHECK = "CHECK"
    ACCOUNT_CREDIT = "ACCOUNT_CREDIT"  # paid from the account's credit balance (not money received)


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


class CollectionMethod(StrEnum):
    """How a subscription's invoices are paid (Stripe's collection_method): charged to the
    account's saved payment method, or sent to be paid by the terms."""
    CHARGE_AUTOMATICALLY = "CHARGE_AUTOMATICALLY"
    SEND_INVOICE = "SEND_INVOICE"
class CreditNoteReason(StrEnum):
    CORRECTION = "CORRECTION"  # the invoice was wrong (price, quantity)
    ORDER_CHANGE = "ORDER_CHANGE"  # the order was reduced after it was invoiced
    RETURN = "RETURN"  # goods came back and were refunded
    GOODWILL = "GOODWILL"  # a courtesy credit
    DUPLICATE = "DUPLICATE"
    REISSUE = "REISSUE"  # the invoice was replaced by one with corrected billing details
    ORDER_CANCELLED = "ORDER_CANCELLED"  # the order was cancelled after a payment


class CreditNoteStatus(StrEnum):
    ISSUED = "ISSUED"
    VOID = "VOID"


class AccountCreditKind(StrEnum):
    CREDIT_NOTE = "CREDIT_NOTE"  # a credit note's part beyond what its invoice had due (+)
    APPLIED_TO_INVOICE = "APPLIED_TO_INVOICE"  # credit used to pay an invoice (-)
    REFUNDED = "REFUNDED"  # credit paid out to the customer (-)
    ADJUSTMENT = "ADJUSTMENT"  # a staff correction (+/-)
