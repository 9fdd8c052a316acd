"""Placing orders: line checks, totals, credit limit, spending limits and approvals, invoices,
and changing or cancelling an order. Plain Python over the session it is given."""
import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from db.enums import InvoiceStatus, OrderStatus
from db.models import (Account, AccountOrderingSettings, Invoice, InvoiceLine, Location, Membership, Order,
                       OrderApproval, OrderApprovalRequest, OrderLine, ProductVariant)
from db.models.ordering import ApprovalDecision, SpendingLimitPeriod
from db.repositories import ordering as repo
from domain import audit, mail
from domain.audit import Actor
from domain.money import round_to_minor
from domain.pricing import FOUR_PLACES, QuantityRuleData, UnitPrice

PO_NUMBER_MAX = 140
NOTE_MAX = 2000
MAX_LINES = 500
MAX_QUANTITY = 1_000_000
# A flat sales tax per currency until a tax engine exists (the demo history uses the same rates).
TAX_RATES = {"USD": Decimal("0.0725"), "EUR": Decimal("0.19")}


class InvoiceOn(StrEnum):
    """When a net-terms order gets its invoice: a merchant setting."""

    PLACEMENT = "PLACEMENT"
    FULFILMENT = "FULFILMENT"


@dataclass(frozen=True)
class MerchantSettings:
    invoice_on: InvoiceOn = InvoiceOn.PLACEMENT


class ErrorCode(StrEnum):
    """Codes of the expected failures of carts, orders, approvals and quotes."""

    INVALID_INPUT = "INVALID_INPUT"
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    LOCATION_NOT_FOUND = "LOCATION_NOT_FOUND"
    CART_NOT_FOUND = "CART_NOT_FOUND"
    LIST_NOT_FOUND = "LIST_NOT_FOUND"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    QUOTE_NOT_FOUND = "QUOTE_NOT_FOUND"
    ADDRESS_NOT_FOUND = "ADDRESS_NOT_FOUND"
    LINE_NOT_FOUND = "LINE_NOT_FOUND"
    CART_ORDERED = "CART_ORDERED"
    NAME_TOO_LONG = "NAME_TOO_LONG"
    PO_NUMBER_TOO_LONG = "PO_NUMBER_TOO_LONG"
    NOTE_TOO_LONG = "NOTE_TOO_LONG"
    COMMENT_TOO_LONG = "COMMENT_TOO_LONG"
    REASON_TOO_LONG = "REASON_TOO_LONG"
    MISSING_VARIANT = "MISSING_VARIANT"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    VARIANT_NOT_FOUND = "VARIANT_NOT_FOUND"
    NOT_SOLD = "NOT_SOLD"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    QUANTITY_RULE = "QUANTITY_RULE"
    DUPLICATE_LINE = "DUPLICATE_LINE"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    PRICE_CHANGED = "PRICE_CHANGED"
    TOO_MANY_LINES = "TOO_MANY_LINES"
    CSV_TOO_LARGE = "CSV_TOO_LARGE"
    CSV_NOT_TEXT = "CSV_NOT_TEXT"
    EMPTY = "EMPTY"
    CREDIT_LIMIT_EXCEEDED = "CREDIT_LIMIT_EXCEEDED"
    SPENDING_LIMIT = "SPENDING_LIMIT"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE"
    NOT_PENDING_APPROVAL = "NOT_PENDING_APPROVAL"
    OWN_ORDER = "OWN_ORDER"
    ALREADY_DECIDED = "ALREADY_DECIDED"
    NOT_CHANGEABLE = "NOT_CHANGEABLE"
    ALREADY_SHIPPED = "ALREADY_SHIPPED"
    CANNOT_INCREASE = "CANNOT_INCREASE"
    INVOICE_PAID = "INVOICE_PAID"
    QUOTE_EXPIRED = "QUOTE_EXPIRED"
    QUOTE_NOT_OPEN = "QUOTE_NOT_OPEN"
    QUOTE_CLOSED = "QUOTE_CLOSED"
    INVALID_EXPIRY = "INVALID_EXPIRY"
    INVALID_PRICE = "INVALID_PRICE"
    MISSING_PRICE = "MISSING_PRICE"


@dataclass
class Problem:
    code: str
    message: str
    field: list[str] | None = None


class OrderingError(Exception):
    """Expected failures: the resolver turns them into userErrors; the transaction rolls back."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def fail(code: str, message: str, field: list[str] | None = None) -> OrderingError:
    return OrderingError([Problem(code, message, field)])


# Lines -------------------------------------------------------------------------------------------

@dataclass
class LineRequest:
    quantity: int
    variant_id: int | None = None
    sku: str | None = None
    expected_unit_price: Decimal | None = None
    field: list[str] = field(default_factory=list)


@dataclass
class PricedLine:
    variant: ProductVariant
    title: str
    quantity: int
    unit_price: Decimal
    currency: str
    field: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return charged(self.unit_price * self.quantity, self.currency)


# (location id, variant, quantity) -> the contracted unit price and the quantity rule there.
Pricer = Callable[[int, ProductVariant, int], Awaitable[tuple[UnitPrice, QuantityRuleData]]]


def check_quantity(quantity: int, rule: QuantityRuleData | None, where: list[str]) -> Problem | None:
    if quantity < 1:
        return Problem("INVALID_QUANTITY", "The quantity must be at least 1", where)
    if quantity > MAX_QUANTITY:
        return Problem("INVALID_QUANTITY", f"The quantity must be at most {MAX_QUANTITY}", where)
    why = (rule or QuantityRuleData()).violation(quantity)
    return Problem("QUANTITY_RULE", why, where) if why else None


async def price_lines(session: Any, location_id: int, currency: str, requests: list[LineRequest],
                      pricer: Pricer, *, merge: bool = True, base: dict[int, int] | None = None,
                      ) -> tuple[list[PricedLine], list[Problem]]:
    """Look up and price requested lines; problems for unknown, unsold, off-rule or foreign-currency ones.

    With `merge`, requests for the same variant are added together (a quick order may list a SKU twice).
    `base`: quantities already in a cart per variant id; the priced quantity is the sum."""
    found = await repo.variants_for(session, [r.variant_id for r in requests if r.variant_id is not None],
                                    [r.sku.strip() for r in requests if r.sku])
    by_id = {v.id: (v, sold) for v, sold in found}
    by_sku = {v.sku.lower(): (v, sold) for v, sold in found}
    titles = await repo.product_titles(session, [v.product_id for v, _ in found])
    problems: list[Problem] = []
    wanted: dict[int, tuple[ProductVariant, int, LineRequest]] = {}
    merged: dict[int, list[LineRequest]] = {}  # every request that went into a variant's line
    order: list[int] = []
    for r in requests:
        if r.variant_id is None and not r.sku:
            problems.append(Problem("MISSING_VARIANT", "Give a variant ID or a SKU", r.field))
            continue
        hit = by_id.get(r.variant_id) if r.variant_id is not None else by_sku.get((r.sku or "").strip().lower())
        if hit is None:
            what = f"SKU {r.sku!r}" if r.variant_id is None else "variant"
            problems.append(Problem("UNKNOWN_SKU" if r.variant_id is None else "VARIANT_NOT_FOUND",
                                    f"No {what} in the catalog", r.field))
            continue
        variant, sold = hit
        if not sold:
            problems.append(Problem("NOT_SOLD", f"{variant.sku} is no longer sold", r.field))
            continue
        if r.quantity < 1:
            problems.append(Problem("INVALID_QUANTITY", "The quantity must be at least 1", r.field + ["quantity"]))
            continue
        if variant.id in wanted and merge:
            v, qty, first = wanted[variant.id]
            wanted[variant.id] = (v, qty + r.quantity, first)
            merged[variant.id].append(r)
        elif variant.id in wanted:
            problems.append(Problem("DUPLICATE_LINE", f"{variant.sku} is listed twice", r.field))
        else:
            wanted[variant.id] = (variant, r.quantity, r)
            merged[variant.id] = [r]
            order.append(variant.id)
    quantities = {vid: wanted[vid][1] + (base or {}).get(vid, 0) for vid in order}
    # Concurrently, so the price loader fetches every line's prices in one batch.
    prices = await asyncio.gather(*(pricer(location_id, wanted[vid][0], quantities[vid]) for vid in order))
    lines = []
    for vid, (price, rule) in zip(order, prices):
        variant, _, r = wanted[vid]
        qty = quantities[vid]
        problem = check_quantity(qty, rule, [])
        if problem:
            together = f" (together {qty})" if len(merged[vid]) > 1 or (base or {}).get(vid) else ""
            problems += [Problem(problem.code, f"{variant.sku}: {problem.message}{together}", m.field + ["quantity"])
                         for m in merged[vid]]
            continue
        if price.currency != currency:
            problems += [Problem("CURRENCY_MISMATCH", f"{variant.sku} is not sold in {currency} here", m.field)
                         for m in merged[vid]]
            continue
        if r.expected_unit_price is not None and r.expected_unit_price != price.amount:
            problems.append(Problem("PRICE_CHANGED", f"The unit price of {variant.sku} is {price.amount} "
                                    f"{currency}, not {r.expected_unit_price}", r.field + ["expectedUnitPrice"]))
            continue
        lines.append(PricedLine(variant, f"{titles.get(variant.product_id, '')} / {variant.title}"[:200],
                                qty, price.amount, price.currency, r.field))
    return lines, problems


# Placing -----------------------------------------------------------------------------------------

@dataclass
class Placement:
    account_id: int
    location: Location
    user_id: int | None
    lines: list[PricedLine]
    po_number: str | None = None
    note: str | None = None
    shipping_address_id: int | None = None
    source: str = "lines"  # lines, cart, quote, reorder


@dataclass
class Totals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def charged(amount: Decimal, currency: str) -> Decimal:
    """An amount that is charged: rounded to the minor unit, kept with the four places it is stored with
    (so a new row reads the same as one loaded from the database)."""
    return round_to_minor(amount, currency).quantize(FOUR_PLACES)


def totals(amounts: list[Decimal], currency: str) -> Totals:
    subtotal = sum(amounts, Decimal("0.0000"))
    tax = charged(subtotal * TAX_RATES.get(currency, Decimal(0)), currency)
    return Totals(subtotal, tax, (subtotal + tax).quantize(FOUR_PLACES))


def check_texts(po_number: str | None, note: str | None, prefix: list[str]) -> list[Problem]:
    out = []
    if po_number is not None and len(po_number) > PO_NUMBER_MAX:
        out.append(Problem("PO_NUMBER_TOO_LONG", f"A PO number has at most {PO_NUMBER_MAX} characters",
                           prefix + ["poNumber"]))
    if note is not None and len(note) > NOTE_MAX:
        out.append(Problem("NOTE_TOO_LONG", f"A note has at most {NOTE_MAX} characters", prefix + ["note"]))
    return out


def period_start(now: datetime, period: SpendingLimitPeriod) -> datetime | None:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is SpendingLimitPeriod.ORDER:
        return None
    if period is SpendingLimitPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if period is SpendingLimitPeriod.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


async def check_credit(session: Any, account: Account, amount: Decimal) -> None:
    """Net-terms accounts may not owe more than their credit limit."""
    if account.payment_terms_days <= 0 or account.credit_limit is None:
        return
    exposure = await repo.credit_exposure(session, account.id)  # type: ignore[arg-type]
    if exposure + amount > account.credit_limit:
        available = max(account.credit_limit - exposure, Decimal(0))
        raise fail("CREDIT_LIMIT_EXCEEDED",
                   f"This order ({_fmt(amount, account)}) is over the account's available credit "
                   f"({_fmt(available, account)} of {_fmt(account.credit_limit, account)}): pay open "
                   "invoices or ask the merchant to raise the limit")


async def approval_reasons(session: Any, account: Account, settings: AccountOrderingSettings | None,
                           member: Membership | None, user_id: int | None, total: Decimal, now: datetime,
                           ) -> list[str]:
    reasons = []
    if account.requires_approval:
        reasons.append("ACCOUNT_REQUIRES_APPROVAL")
    if member is not None and member.spending_limit is not None and user_id is not None:
        period = settings.spending_limit_period if settings else SpendingLimitPeriod.MONTH
        since = period_start(now, period)
        spent = Decimal(0) if since is None else await repo.spent_by(session, account.id, user_id, since)  # type: ignore[arg-type]
        if spent + total > member.spending_limit:
            reasons.append("SPENDING_LIMIT")
    return reasons


def approvals_needed(settings: AccountOrderingSettings | None, total: Decimal) -> int:
    threshold = settings.second_approval_threshold if settings else None
    return 2 if threshold is not None and total > threshold else 1


async def place(session: Any, p: Placement, now: datetime, actor: Actor, merchant: MerchantSettings) -> Order:
    """Write the order: OPEN (invoiced when the merchant invoices at placement) or PENDING_APPROVAL."""
    if not p.lines:
        raise fail("EMPTY", "An order needs at least one line", ["input", "lines"])
    if len(p.lines) > MAX_LINES:
        raise fail("TOO_MANY_LINES", f"An order has at most {MAX_LINES} lines", ["input", "lines"])
    problems = check_texts(p.po_number, p.note, ["input"])
    if problems:
        raise OrderingError(problems)
    account = await repo.lock_account(session, p.account_id)
    currency = account.currency
    t = totals([line.total for line in p.lines], currency)
    address = await repo.shipping_address(session, p.location.id, p.shipping_address_id)  # type: ignore[arg-type]
    if p.shipping_address_id is not None and address is None:
        raise fail("ADDRESS_NOT_FOUND", "The shipping address is not one of the location's",
                   ["input", "shippingAddressId"])
    await check_credit(session, account, t.total)
    settings = await repo.ordering_settings(session, account.id)  # type: ignore[arg-type]
    member = await repo.membership(session, p.user_id, account.id) if p.user_id else None  # type: ignore[arg-type]
    reasons = await approval_reasons(session, account, settings, member, p.user_id, t.total, now)
    order = Order(number=f"tmp-{uuid.uuid4().hex[:24]}", account_id=account.id, location_id=p.location.id,  # type: ignore[arg-type]
                  placed_by_user_id=p.user_id,
                  status=OrderStatus.PENDING_APPROVAL if reasons else OrderStatus.OPEN,
                  po_number=p.po_number or None, note=p.note or None, currency=currency,
                  subtotal=t.subtotal, tax=t.tax, total=t.total,
                  shipping_address=address_dict(address) if address else None, placed_at=now, updated_at=now)
    session.add(order)
    await session.flush()
    order.number = str(100000 + order.id)  # type: ignore[operator]
    for position, line in enumerate(p.lines):
        session.add(OrderLine(order_id=order.id, variant_id=line.variant.id, sku=line.variant.sku,  # type: ignore[arg-type]
                              title=line.title, quantity=line.quantity, unit_price=line.unit_price,
                              total=line.total, currency=currency, position=position))
    await session.flush()
    audit.record(session, actor, "order.place", now, account_id=account.id, target_type="Order",
                 target_id=order.id, number=order.number, total=str(t.total), source=p.source,
                 status=order.status.value, reasons=reasons)
    if reasons:
        session.add(OrderApprovalRequest(order_id=order.id, reasons=reasons,  # type: ignore[arg-type]
                                         approvals_required=approvals_needed(settings, t.total), created_at=now))
        await notify_approvers(session, order, account, p.location, reasons, now)
    elif merchant.invoice_on is InvoiceOn.PLACEMENT:
        await invoice_order(session, order, account, now)
    return order


def address_dict(a: Any) -> dict[str, Any]:
    return {k: getattr(a, k) for k in ("recipient", "line1", "line2", "city", "region", "postal_code", "country")}


async def invoice_order(session: Any, order: Order, account: Account, now: datetime) -> Invoice:
    """An open invoice for the whole order, due after the account's payment terms.

    Called at placement or approval, or by fulfilment when the merchant invoices then."""
    lines = await repo.order_lines(session, order.id)  # type: ignore[arg-type]
    invoice = Invoice(number=f"tmp-{uuid.uuid4().hex[:24]}", account_id=account.id, location_id=order.location_id,  # type: ignore[arg-type]
                      order_id=order.id, status=InvoiceStatus.OPEN, currency=order.currency,
                      subtotal=order.subtotal, tax=order.tax, total=order.total, amount_paid=Decimal("0.0000"),
                      amount_due=order.total, po_number=order.po_number, issued_at=now,
                      due_date=due_date(now, account.payment_terms_days),
                      billing_details={"name": account.name, "country": account.billing_country,
                                       "region": account.billing_region,
                                       "postal_code": account.billing_postal_code,
                                       "business_name": account.billing_business_name,
                                       "tax_id": account.billing_tax_id, "is_business": account.billing_is_business},
                      created_at=now)
    session.add(invoice)
    await session.flush()
    invoice.number = f"INV-{200000 + invoice.id}"  # type: ignore[operator]
    _write_invoice_lines(session, invoice, lines)
    return invoice


async def invoice_at_fulfilment(session: Any, order: Order, merchant: "MerchantSettings", now: datetime) -> Invoice | None:
    """When the merchant invoices at fulfilment: the order's invoice, at its first shipment."""
    if merchant.invoice_on is not InvoiceOn.FULFILMENT or await repo.has_invoice(session, order.id):  # type: ignore[arg-type]
        return None
    account = await session.get(Account, order.account_id)
    return await invoice_order(session, order, account, now)


def _write_invoice_lines(session: Any, invoice: Invoice, lines: list[OrderLine]) -> None:
    for position, line in enumerate(lines):
        session.add(InvoiceLine(invoice_id=invoice.id, variant_id=line.variant_id, description=line.title,  # type: ignore[arg-type]
                                quantity=line.quantity, unit_price=line.unit_price, amount=line.total,
                                currency=line.currency, position=position))


def due_date(now: datetime, terms_days: int) -> date:
    return (now + timedelta(days=max(terms_days, 0))).date()


def _fmt(amount: Decimal, account: Account) -> str:
    return format_currency(round_to_minor(amount, account.currency), account.currency, locale=account.locale)


# Approvals ---------------------------------------------------------------------------------------

@dataclass
class Decision:
    order: Order
    final: bool
    step: int


async def decide(session: Any, order_id: int, approver_id: int | None, approve: bool, comment: str | None,
                 now: datetime, actor: Actor, merchant: MerchantSettings) -> Decision:
    """Approve or reject an order waiting for approval; the order row is locked meanwhile."""
    if comment is not None and len(comment) > NOTE_MAX:
        raise fail("COMMENT_TOO_LONG", f"A comment has at most {NOTE_MAX} characters", ["input", "comment"])
    order = await repo.lock_order(session, order_id)
    if order.status is not OrderStatus.PENDING_APPROVAL:
        raise fail("NOT_PENDING_APPROVAL", f"Order {order.number} is not waiting for approval "
                   f"(it is {order.status.value})", ["input", "orderId"])
    if approver_id is not None and order.placed_by_user_id == approver_id:
        raise fail("OWN_ORDER", "You cannot approve or reject an order you placed", ["input", "orderId"])
    done = await repo.approvals(session, order_id)
    if approver_id is not None and any(a.decided_by_user_id == approver_id for a in done):
        raise fail("ALREADY_DECIDED", "You have approved this order already: another approver must "
                   "give the second approval", ["input", "orderId"])
    request = await repo.approval_request(session, order_id)
    required = request.approvals_required if request else 1
    step = len(done) + 1
    session.add(OrderApproval(order_id=order_id, step=step, decided_by_user_id=approver_id, comment=comment,
                              decision=ApprovalDecision.APPROVED if approve else ApprovalDecision.REJECTED,
                              decided_at=now))
    account = await repo.lock_account(session, order.account_id)
    final = not approve or step >= required
    if approve and final:
        await check_credit(session, account, order.total)
        order.status = OrderStatus.OPEN
        if merchant.invoice_on is InvoiceOn.PLACEMENT:
            await invoice_order(session, order, account, now)
    elif not approve:
        order.status = OrderStatus.REJECTED
    order.updated_at = now
    session.add(order)
    await session.flush()
    audit.record(session, actor, "order.approve" if approve else "order.reject", now, account_id=account.id,
                 target_type="Order", target_id=order.id, comment=comment, step=step, required=required,
                 status=order.status.value)
    if final:
        await notify_buyer(session, order, account, "order_approved" if approve else "order_rejected", now,
                           comment=comment or "")
    return Decision(order, final, step)


REASON_TEXT = {
    "en": {"SPENDING_LIMIT": "over the buyer's spending limit",
           "ACCOUNT_REQUIRES_APPROVAL": "the account requires approval of every order"},
    "de": {"SPENDING_LIMIT": "über dem Ausgabenlimit des Einkäufers",
           "ACCOUNT_REQUIRES_APPROVAL": "jede Bestellung des Kontos braucht eine Freigabe"},
}


async def notify_approvers(session: Any, order: Order, account: Account, location: Location, reasons: list[str],
                           now: datetime) -> None:
    """Tell the location's approvers that an order waits for them (not the buyer who placed it)."""
    buyer = await repo.user(session, order.placed_by_user_id) if order.placed_by_user_id else None
    for approver in await repo.approvers_of(session, account.id, location.id):  # type: ignore[arg-type]
        if approver.id == order.placed_by_user_id:
            continue
        locale = approver.locale or account.locale
        texts = REASON_TEXT.get(locale.split("_")[0], REASON_TEXT["en"])
        mail.enqueue(session, to=approver.email, template="order_awaiting_approval", now=now, locale=locale,
                     name=approver.name, number=order.number, location=location.name,
                     buyer=buyer.name if buyer else "-", po_number=order.po_number or "-",
                     total=format_currency(round_to_minor(order.total, order.currency), order.currency, locale=locale),
                     reasons="; ".join(texts.get(r, r) for r in reasons))


async def notify_buyer(session: Any, order: Order, account: Account, template: str, now: datetime,
                       **params: Any) -> None:
    if order.placed_by_user_id is None:
        return
    buyer = await repo.user(session, order.placed_by_user_id)
    if buyer is None:
        return
    locale = buyer.locale or account.locale
    mail.enqueue(session, to=buyer.email, template=template, now=now, locale=locale, name=buyer.name,
                 number=order.number, po_number=order.po_number or "-",
                 total=format_currency(round_to_minor(order.total, order.currency), order.currency, locale=locale),
                 placed_on=format_date(order.placed_at.date(), format="medium", locale=locale), **params)


# Changing and cancelling -----------------------------------------------------------------------

CHANGEABLE = (OrderStatus.PENDING_APPROVAL, OrderStatus.OPEN, OrderStatus.PARTIALLY_FULFILLED)


@dataclass
class LineChange:
    line_id: int
    quantity: int
    field: list[str]


async def change(session: Any, order_id: int, changes: list[LineChange], po_number: str | None,
                 note: str | None, rules: dict[int, QuantityRuleData], now: datetime, actor: Actor) -> Order:
    """New quantities for lines; never below what has shipped. A line at 0 is removed from what is owed."""
    order = await repo.lock_order(session, order_id)
    if order.status not in CHANGEABLE:
        raise fail("NOT_CHANGEABLE", f"Order {order.number} is {order.status.value} and can no longer change",
                   ["input", "orderId"])
    problems = check_texts(po_number, note, ["input"])
    lines = {line.id: line for line in await repo.order_lines(session, order_id)}
    shipped = await repo.shipped_quantities(session, order_id)
    for c in changes:
        line = lines.get(c.line_id)
        if line is None:
            problems.append(Problem("LINE_NOT_FOUND", "No such line on this order", c.field))
            continue
        done = shipped.get(line.id, 0)  # type: ignore[arg-type]
        if c.quantity < 0:
            problems.append(Problem("INVALID_QUANTITY", "The quantity cannot be negative", c.field + ["quantity"]))
            continue
        if c.quantity < done:
            problems.append(Problem("ALREADY_SHIPPED", f"{line.sku}: {done} have shipped already; the quantity "
                                    f"cannot go below that", c.field + ["quantity"]))
            continue
        if c.quantity > 0 and c.quantity != done:
            problem = check_quantity(c.quantity, rules.get(line.variant_id or 0), c.field + ["quantity"])
            if problem:
                problems.append(problem)
                continue
        if c.quantity > line.quantity and order.status is not OrderStatus.PENDING_APPROVAL and shipped:
            problems.append(Problem("CANNOT_INCREASE", "Fulfilment has started: quantities can only go down",
                                    c.field + ["quantity"]))
            continue
    if problems:
        raise OrderingError(problems)
    before = order.total
    for c in changes:
        line = lines[c.line_id]
        line.quantity = c.quantity
        line.total = charged(line.unit_price * c.quantity, line.currency)
        session.add(line)
    if all(line.quantity == 0 for line in lines.values()):
        raise fail("EMPTY", "An order needs at least one line: cancel it instead", ["input", "lines"])
    if po_number is not None:
        order.po_number = po_number or None
    if note is not None:
        order.note = note or None
    t = totals([line.total for line in lines.values()], order.currency)
    order.subtotal, order.tax, order.total = t.subtotal, t.tax, t.total
    account = await repo.lock_account(session, order.account_id)
    if order.status is not OrderStatus.PENDING_APPROVAL and t.total > before:
        await check_credit(session, account, t.total - before)
        await _reapprove_if_needed(session, order, account, actor, t.total, before, now)
    request = await repo.approval_request(session, order_id)
    if order.status is OrderStatus.PENDING_APPROVAL and request is not None:
        # Approvers decide on the order as it is now: a change across the threshold changes what it needs.
        request.approvals_required = approvals_needed(await repo.ordering_settings(session, account.id), t.total)  # type: ignore[arg-type]
        session.add(request)
    if _all_shipped(lines, shipped) and shipped:
        order.status = OrderStatus.FULFILLED
    order.updated_at = now
    session.add(order)
    await _rewrite_invoice(session, order, list(lines.values()))
    audit.record(session, actor, "order.update", now, account_id=order.account_id, target_type="Order",
                 target_id=order.id, total_before=str(before), total=str(order.total),
                 lines={str(c.line_id): c.quantity for c in changes})
    return order


async def _reapprove_if_needed(session: Any, order: Order, account: Account, actor: Actor, total: Decimal,
                               before: Decimal, now: datetime) -> None:
    """Raising an accepted order is held to the same spending rules as a new order of the difference."""
    if actor.user_id is None or order.placed_by_user_id != actor.user_id:
        return
    settings = await repo.ordering_settings(session, account.id)  # type: ignore[arg-type]
    member = await repo.membership(session, actor.user_id, account.id)  # type: ignore[arg-type]
    reasons = [r for r in await approval_reasons(session, account, settings, member, actor.user_id,
                                                 total - before, now) if r == "SPENDING_LIMIT"]
    if reasons:
        raise fail("SPENDING_LIMIT", "This change takes the order over your spending limit: place a new "
                   "order for the extra quantity so it can be approved", ["input", "lines"])


def _all_shipped(lines: dict[int, OrderLine], shipped: dict[int, int]) -> bool:
    return all(shipped.get(line.id, 0) >= line.quantity for line in lines.values())  # type: ignore[arg-type]


async def _rewrite_invoice(session: Any, order: Order, lines: list[OrderLine]) -> None:
    """Keep an unpaid invoice equal to the order; a paid one cannot silently change."""
    for invoice in await repo.invoices_of(session, order.id):  # type: ignore[arg-type]
        if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.DRAFT):
            continue
        if invoice.amount_paid > order.total:
            raise fail("INVOICE_PAID", f"Invoice {invoice.number} has payments above the new total: ask the "
                       "merchant for a credit", ["input"])
        for old in await repo.invoice_lines(session, invoice.id):  # type: ignore[arg-type]
            await session.delete(old)
        await session.flush()
        _write_invoice_lines(session, invoice, [line for line in lines if line.quantity > 0])
        invoice.subtotal, invoice.tax, invoice.total = order.subtotal, order.tax, order.total
        invoice.amount_due = order.total - invoice.amount_paid
        session.add(invoice)


async def cancel(session: Any, order_id: int, reason: str | None, now: datetime, actor: Actor) -> tuple[Order, bool]:
    """Cancel what has not shipped. Returns the order and whether it was cancelled as a whole
    (False: fulfilment had started, so the unshipped rest was cancelled and the order is FULFILLED)."""
    if reason is not None and len(reason) > NOTE_MAX:
        raise fail("REASON_TOO_LONG", f"A reason has at most {NOTE_MAX} characters", ["input", "reason"])
    order = await repo.lock_order(session, order_id)
    if order.status not in CHANGEABLE:
        raise fail("NOT_CHANGEABLE", f"Order {order.number} is {order.status.value} and cannot be cancelled",
                   ["input", "orderId"])
    shipped = await repo.shipped_quantities(session, order_id)
    lines = await repo.order_lines(session, order_id)
    whole = not any(shipped.values())
    invoices = await repo.invoices_of(session, order.id)  # type: ignore[arg-type]
    if whole:
        for invoice in invoices:
            if invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.DRAFT):
                if invoice.amount_paid > 0:
                    raise fail("INVOICE_PAID", f"Invoice {invoice.number} has payments: ask the merchant for a "
                               "refund", ["input", "orderId"])
                invoice.status = InvoiceStatus.VOID
                invoice.amount_due = Decimal("0.0000")
                session.add(invoice)
        order.status = OrderStatus.CANCELLED
    else:
        for line in lines:
            line.quantity = shipped.get(line.id, 0)  # type: ignore[arg-type]
            line.total = charged(line.unit_price * line.quantity, line.currency)
            session.add(line)
        t = totals([line.total for line in lines], order.currency)
        order.subtotal, order.tax, order.total = t.subtotal, t.tax, t.total
        order.status = OrderStatus.FULFILLED
        await _rewrite_invoice(session, order, lines)
    order.updated_at = now
    session.add(order)
    audit.record(session, actor, "order.cancel", now, account_id=order.account_id, target_type="Order",
                 target_id=order.id, reason=reason, whole=whole)
    return order, whole
