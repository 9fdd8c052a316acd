"""Statements of account: what an account was invoiced, paid, credited and refunded in a period,
in date order with the balance after each movement, from the balance it opened with to the one it
closed with.

A statement is in one currency. The balance is what the account owes (negative: what it has in
credit). Invoices and refunds raise it (debits); payments and credit notes lower it (credits); a
staff adjustment of the account's credit goes either way:

    closing = opening + invoiced - paid - credited + refunded + adjusted

Paying an invoice from account credit moves nothing: the credit note that made the credit already
lowered the balance. Every amount is rounded to the currency's minor unit as it is printed, and
the sums are sums of what is printed, so the statement adds up by hand."""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

from domain.money import round_to_minor

# A statement covers at most this many days: a longer one is several statements.
MAX_DAYS = 3 * 366 + 1
ZERO = Decimal(0)


class EntryKind(StrEnum):
    """Of movements at one instant, listed in this order (an invoice before the payment at its issue)."""

    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"
    REFUND = "REFUND"  # money paid back: a credit note's refunded part, or account credit paid out
    PAYMENT = "PAYMENT"
    ADJUSTMENT = "ADJUSTMENT"  # the merchant's correction of the account's credit


class BadPeriod(ValueError):
    """A period that is no statement's: the message can be shown to the caller."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One movement on the account: `amount` is what it adds to the balance (negative: takes off)."""
    kind: EntryKind
    at: datetime
    reference: str  # the invoice's or credit note's number, the payment's reference
    invoice_number: str | None  # the invoice it is or applies to
    amount: Decimal
    id: int = 0


@dataclass(frozen=True, slots=True)
class StatementLine:
    kind: EntryKind
    at: datetime
    reference: str
    invoice_number: str | None
    debit: Decimal  # what it adds to the balance
    credit: Decimal  # what it takes off
    balance: Decimal  # after it


@dataclass
class Running:
    """A statement being written: lines from entries in date order (in any number of batches),
    the balance after each, and what each kind of movement added up to so far (as it moves the
    balance: payments and credit notes negative)."""
    currency: str
    opening: Decimal
    balance: Decimal = ZERO
    debits: Decimal = ZERO
    credits: Decimal = ZERO
    by_kind: dict[EntryKind, Decimal] = field(default_factory=lambda: {k: ZERO for k in EntryKind})

    def __post_init__(self) -> None:
        self.balance = self.opening

    def lines(self, entries: Iterable[Entry]) -> list[StatementLine]:
        out = []
        for e in entries:
            amount = round_to_minor(e.amount, self.currency)
            self.by_kind[e.kind] += amount
            self.balance += amount
            debit, credit = max(amount, ZERO), max(-amount, ZERO)
            self.debits += debit
            self.credits += credit
            out.append(StatementLine(e.kind, e.at, e.reference, e.invoice_number, debit, credit, self.balance))
        return out


@dataclass(frozen=True)
class Statement:
    account_id: int
    currency: str
    start: date
    end: date  # the last day covered
    opening_balance: Decimal
    lines: list[StatementLine]
    invoiced: Decimal
    paid: Decimal  # positive: what payments took off
    credited: Decimal  # positive: what credit notes took off
    refunded: Decimal
    adjusted: Decimal  # what adjustments added (negative: in the account's favour)

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.invoiced - self.paid - self.credited + self.refunded + self.adjusted


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=timezone.utc)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=timezone.utc)


def period(start: date, end: date) -> Period:
    """The days from `start` to `end`, both included (UTC)."""
    if end < start:
        raise BadPeriod("The period ends before it starts")
    if (end - start).days >= MAX_DAYS:
        raise BadPeriod(f"A statement covers at most {MAX_DAYS} days")
    return Period(start, end)


def opening_balance(before: dict[EntryKind, Decimal], currency: str) -> Decimal:
    """What the account owed when the period began: `before` are the sums per kind of every
    movement before it."""
    return sum((round_to_minor(v, currency) for v in before.values()), ZERO)


def build(account_id: int, currency: str, span: Period, before: dict[EntryKind, Decimal],
          entries: Iterable[Entry]) -> Statement:
    """The statement of one currency: `before` are the sums per kind of everything before the
    period, `entries` the movements in it in date order."""
    running = Running(currency, opening_balance(before, currency))
    lines = running.lines(entries)
    k = running.by_kind
    return Statement(account_id, currency, span.start, span.end, running.opening, lines,
                     invoiced=k[EntryKind.INVOICE], paid=-k[EntryKind.PAYMENT], credited=-k[EntryKind.CREDIT_NOTE],
                     refunded=k[EntryKind.REFUND], adjusted=k[EntryKind.ADJUSTMENT])
