"""Statements of account: what an account was invoiced, paid and credited in a period, in date
order with the balance after each, from the balance it opened with to the one it closed with.

A statement is in one currency. Invoices raise the balance; payments and credit notes lower it:
closing = opening + invoiced - paid - credited. Every amount is rounded to the currency's minor
unit as it is printed, and the sums are sums of what is printed, so the statement adds up by hand."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

from domain.money import round_to_minor

# A statement covers at most this many days: a longer one is several statements.
MAX_DAYS = 3 * 366 + 1


class EntryKind(StrEnum):
    INVOICE = "INVOICE"
    PAYMENT = "PAYMENT"
    CREDIT_NOTE = "CREDIT_NOTE"


class BadPeriod(ValueError):
    """A period that is no statement's: the message can be shown to the caller."""


# Of movements at the same instant, the invoice comes first (a card payment at issue follows it).
ORDER = {EntryKind.INVOICE: 0, EntryKind.CREDIT_NOTE: 1, EntryKind.PAYMENT: 2}


@dataclass(frozen=True, slots=True)
class Entry:
    """One movement on the account."""
    kind: EntryKind
    at: datetime
    reference: str  # the invoice's or credit note's number, the payment's reference
    invoice_number: str | None  # the invoice a payment or credit note applies to
    amount: Decimal  # positive; its kind says which way it moves the balance
    id: int = 0


@dataclass(frozen=True, slots=True)
class Totals:
    invoiced: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    credited: Decimal = Decimal(0)

    @property
    def balance(self) -> Decimal:
        return self.invoiced - self.paid - self.credited


@dataclass(frozen=True, slots=True)
class StatementLine:
    kind: EntryKind
    at: datetime
    reference: str
    invoice_number: str | None
    debit: Decimal  # what it adds to the balance (invoices)
    credit: Decimal  # what it takes off (payments, credit notes)
    balance: Decimal  # after it


@dataclass(frozen=True)
class Statement:
    account_id: int
    currency: str
    start: date
    end: date  # the last day covered
    opening_balance: Decimal
    lines: list[StatementLine]
    invoiced: Decimal
    paid: Decimal
    credited: Decimal

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.invoiced - self.paid - self.credited


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


def sort_key(entry: Entry) -> tuple[datetime, int, int]:
    return entry.at, ORDER[entry.kind], entry.id


class Running:
    """A statement being written: lines from entries in date order (in any number of batches),
    the balance after each, and the sums so far."""

    def __init__(self, opening: Decimal, currency: str) -> None:
        self.currency = currency
        self.opening = self.balance = opening
        self.invoiced = self.paid = self.credited = Decimal(0)

    def lines(self, entries: Iterable[Entry]) -> list[StatementLine]:
        out = []
        for e in entries:
            amount = round_to_minor(e.amount, self.currency)
            if e.kind is EntryKind.INVOICE:
                debit, credit = amount, Decimal(0)
                self.invoiced += amount
            elif e.kind is EntryKind.PAYMENT:
                debit, credit = Decimal(0), amount
                self.paid += amount
            else:
                debit, credit = Decimal(0), amount
                self.credited += amount
            self.balance += debit - credit
            out.append(StatementLine(e.kind, e.at, e.reference, e.invoice_number, debit, credit, self.balance))
        return out


def opening_balance(before: Totals, currency: str) -> Decimal:
    """What the account owed when the period began: `before` are the sums of everything earlier."""
    return round_to_minor(before.balance, currency)


def build(account_id: int, currency: str, span: Period, before: Totals, entries: Iterable[Entry]) -> Statement:
    """The statement of one currency: `before` are the sums of everything before the period,
    `entries` the movements in it."""
    running = Running(opening_balance(before, currency), currency)
    lines = running.lines(sorted(entries, key=sort_key))
    return Statement(account_id, currency, span.start, span.end, running.opening, lines,
                     running.invoiced, running.paid, running.credited)
