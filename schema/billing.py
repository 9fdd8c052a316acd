"""Invoices and payments (read side). Only ADMIN and ACCOUNTS_PAYABLE see these rows."""
from datetime import date, datetime
from enum import StrEnum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from db import models
from db.enums import InvoiceStatus, PaymentMethodKind, PaymentStatus
from db.repositories.billing import InvoiceSort
from db.repositories.billing import InvoiceFilter as InvoiceFilterData
from domain.money import Money as MoneyData
from domain.statements import EntryKind
from domain.statements import Statement as StatementData
from resolvers.globalid import decode_as
from schema.relations import relation
from schema.common import Connection, Money, Node, node_id, rows_of

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


def _money(field: str) -> Any:
    def resolve(root: Any) -> Money:
        return MoneyData(getattr(root, field), root.currency)  # type: ignore[return-value]
    return strawberry.field(resolver=resolve)


@strawberry.type
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Money = _money("unit_price")
    amount: Money = _money("amount")


@strawberry.type
class Payment:
    amount: Money = _money("amount")
    method: PaymentMethodKindEnum  # type: ignore[valid-type]
    status: PaymentStatusEnum  # type: ignore[valid-type]
    reference: str | None
    created_at: datetime


@strawberry.type
class Invoice(Node):
    id: strawberry.ID = node_id("Invoice")
    is_type_of = rows_of(models.Invoice)
    number: str
    status: InvoiceStatusEnum  # type: ignore[valid-type]
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    subtotal: Money = _money("subtotal")
    tax: Money = _money("tax")
    total: Money = _money("total")
    amount_paid: Money = _money("amount_paid")
    amount_due: Money = _money("amount_due")
    po_number: str | None
    issued_at: datetime
    due_date: date
    paid_at: datetime | None
    billing_details: JSON = strawberry.field(description="The account's billing details when it was issued.")

    @strawberry.field(description="Open and past its due date.")
    def is_overdue(self, info: Info) -> bool:
        return self.status is InvoiceStatus.OPEN and self.due_date < info.context.now.date()

    lines = relation("list[InvoiceLine]", "billing.lines")
    payments = relation("list[Payment]", "billing.payments")
    account = relation(Annotated["Account", strawberry.lazy("schema.accounts")], "accounts.account", "account_id")

    @strawberry.field(description="The order this invoice bills, if any.")
    async def order(self, info: Info) -> Annotated["Order", strawberry.lazy("schema.orders")] | None:
        # The order is of the invoice's own account and location, which the caller already sees.
        if self.order_id is None:  # type: ignore[attr-defined]
            return None
        return await info.context.loaders.orders.order.load(self.order_id)  # type: ignore[attr-defined]


InvoiceConnection = Connection[Invoice]


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
