"""Invoices and payments (read side). Only ADMIN and ACCOUNTS_PAYABLE see these rows."""
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from db import models
from db.enums import InvoiceStatus, PaymentMethodKind, PaymentStatus, TaxReason
from db.repositories.billing import InvoiceFilter as InvoiceFilterData
from domain.billing_details import BillingDetails as BillingDetailsData
from domain.money import Money as MoneyData
from domain.tax import breakdown
from schema.billing_details import BillingDetails
from schema.tax import LineTax, TaxBreakdownEntry, line_tax, percent
from schema.relations import relation
from schema.common import Connection, Money, Node, node_id, rows_of

if TYPE_CHECKING:
    from schema.accounts import Account
    from schema.orders import Order

InvoiceStatusEnum = strawberry.enum(InvoiceStatus, name="InvoiceStatus")
PaymentMethodKindEnum = strawberry.enum(PaymentMethodKind, name="PaymentMethodKind")
PaymentStatusEnum = strawberry.enum(PaymentStatus, name="PaymentStatus")


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
    description: str
    quantity: int
    unit_price: Money = _money("unit_price")
    amount: Money = strawberry.field(resolver=lambda root: MoneyData(root.amount, root.currency),
                                     description="Unit price × quantity: net, or gross when tax.included.")

    @strawberry.field(description="The line's tax, rounded to the minor unit.")
    def tax(self) -> LineTax:
        return line_tax(self)


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
    @strawberry.field(description="The account's billing details as they were when it was issued.")
    def billing_details(self) -> BillingDetails:
        return BillingDetailsData.from_snapshot(self.billing_details)  # type: ignore[return-value]

    @strawberry.field(description="What the invoice must say about its tax, such as reverse charge.")
    def tax_note(self) -> str | None:
        return (self.billing_details or {}).get("tax_note")

    @strawberry.field(description="Open and past its due date.")
    def is_overdue(self, info: Info) -> bool:
        return self.status is InvoiceStatus.OPEN and self.due_date < info.context.now.date()

    lines = relation("list[InvoiceLine]", "billing.lines")
    tax_breakdown = relation(
        "list[TaxBreakdownEntry]", "billing.lines", shape=lambda lines, invoice: tax_summary(lines, invoice.currency),
        description="Tax per rate and place: the sums of the lines' rounded tax (what the invoice prints).")
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
    issued_after: datetime | None = None
    issued_before: datetime | None = None
    due_after: date | None = None
    due_before: date | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    number: str | None = None
    po_number: str | None = None
    overdue: bool | None = strawberry.field(default=None, description="Only open invoices past due.")

    def to_data(self, today: date, **fixed: Any) -> InvoiceFilterData:
        return InvoiceFilterData(statuses=tuple(self.status or ()), issued_after=self.issued_after,
                                 issued_before=self.issued_before, due_after=self.due_after,
                                 due_before=self.due_before, min_total=self.min_total,
                                 max_total=self.max_total, number=self.number, po_number=self.po_number,
                                 overdue_on=today if self.overdue else None, **fixed)


def invoice_filter(f: InvoiceFilter | None, today: date, **fixed: Any) -> InvoiceFilterData:
    return (f or InvoiceFilter()).to_data(today, **fixed)
