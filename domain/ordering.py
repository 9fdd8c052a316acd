"""Placing orders: line checks, totals, credit limit, spending limits and approvals, reorder, and
changing or cancelling an order. Plain Python over the session it is given; every state change
works on an order row its caller read under lock (db.repositories.base), so of two concurrent
decisions one wins and the other sees the new state."""
import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from db.enums import AddressKind, OrderStatus
from db.models import (Account, AccountOrderingSettings, Location, Membership, Order, OrderApproval,
                       OrderApprovalRequest, OrderLine, ProductVariant)
from db.models.ordering import ApprovalDecision, SpendingLimitPeriod
from db.repositories import addresses as address_repo, ordering as repo
from db.repositories.payments import methods_of
from domain import addresses, audit, billing_details, checkout, digital, invoicing, mail, order_mail, tax
from domain.audit import Actor
from domain.errors import Problem, Rejected, reject
from domain.invoicing import MerchantSettings
from domain.money import round_to_minor
from domain.pricing import FOUR_PLACES, QuantityRuleData, UnitPrice
from i18n.formatting import format_date, format_money

PO_NUMBER_MAX = 140
NOTE_MAX = 2000
MAX_LINES = 500
MAX_QUANTITY = 1_000_000


class OrderErrorCode(StrEnum):
    """Why placing, approving, changing or cancelling an order failed; the line codes serve carts and
    quotes too, which price lines the same way."""

    INVALID_INPUT = "INVALID_INPUT"
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    LOCATION_NOT_FOUND = "LOCATION_NOT_FOUND"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    ADDRESS_NOT_FOUND = "ADDRESS_NOT_FOUND"
    LINE_NOT_FOUND = "LINE_NOT_FOUND"
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
    EMPTY = "EMPTY"
    CREDIT_LIMIT_EXCEEDED = "CREDIT_LIMIT_EXCEEDED"
    SPENDING_LIMIT = "SPENDING_LIMIT"
    NOT_PENDING_APPROVAL = "NOT_PENDING_APPROVAL"
    OWN_ORDER = "OWN_ORDER"
    ALREADY_DECIDED = "ALREADY_DECIDED"
    NOT_CHANGEABLE = "NOT_CHANGEABLE"
    ALREADY_SHIPPED = "ALREADY_SHIPPED"
    CANNOT_INCREASE = "CANNOT_INCREASE"


E = OrderErrorCode


def problem(code: StrEnum, message: str, *where: str) -> Problem:
    return Problem(code, message, tuple(where) or None)


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
    includes_tax: bool = False  # priced from a tax-inclusive price list

    @property
    def total(self) -> Decimal:
        return charged(self.unit_price * self.quantity, self.currency)


# (location id, variant, quantity) -> the contracted unit price and the quantity rule there.
Pricer = Callable[[int, ProductVariant, int], Awaitable[tuple[UnitPrice, QuantityRuleData]]]


def check_quantity(quantity: int, rule: QuantityRuleData | None, where: list[str]) -> Problem | None:
    if quantity < 1:
        return problem(E.INVALID_QUANTITY, "The quantity must be at least 1", *where)
    if quantity > MAX_QUANTITY:
        return problem(E.INVALID_QUANTITY, f"The quantity must be at most {MAX_QUANTITY}", *where)
    why = (rule or QuantityRuleData()).violation(quantity)
    return problem(E.QUANTITY_RULE, why, *where) if why else None


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
            problems.append(problem(E.MISSING_VARIANT, "Give a variant ID or a SKU", *r.field))
            continue
        hit = by_id.get(r.variant_id) if r.variant_id is not None else by_sku.get((r.sku or "").strip().lower())
        if hit is None:
            what = f"SKU {r.sku!r}" if r.variant_id is None else "variant"
            problems.append(problem(E.UNKNOWN_SKU if r.variant_id is None else E.VARIANT_NOT_FOUND,
                                    f"No {what} in the catalog", *r.field))
            continue
        variant, sold = hit
        if not sold:
            problems.append(problem(E.NOT_SOLD, f"{variant.sku} is no longer sold", *r.field))
            continue
        if r.quantity < 1:
            problems.append(problem(E.INVALID_QUANTITY, "The quantity must be at least 1", *r.field, "quantity"))
            continue
        if variant.id in wanted and merge:
            v, qty, first = wanted[variant.id]
            wanted[variant.id] = (v, qty + r.quantity, first)
            merged[variant.id].append(r)
        elif variant.id in wanted:
            problems.append(problem(E.DUPLICATE_LINE, f"{variant.sku} is listed twice", *r.field))
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
        off = check_quantity(qty, rule, [])
        if off:
            together = f" (together {qty})" if len(merged[vid]) > 1 or (base or {}).get(vid) else ""
            problems += [problem(off.code, f"{variant.sku}: {off.message}{together}", *m.field, "quantity")
                         for m in merged[vid]]
            continue
        if price.currency != currency:
            problems += [problem(E.CURRENCY_MISMATCH, f"{variant.sku} is not sold in {currency} here", *m.field)
                         for m in merged[vid]]
            continue
        if r.expected_unit_price is not None and r.expected_unit_price != price.amount:
            problems.append(problem(E.PRICE_CHANGED, f"The unit price of {variant.sku} is {price.amount} "
                                    f"{currency}, not {r.expected_unit_price}", *r.field, "expectedUnitPrice"))
            continue
        lines.append(PricedLine(variant, f"{titles.get(variant.product_id, '')} / {variant.title}"[:200],
                                qty, price.amount, price.currency, r.field, price.includes_tax))
    return lines, problems


async def quantity_rules(session: Any, location_id: int, variant_ids: list[int | None],
                         pricer: Pricer) -> dict[int, QuantityRuleData]:
    """Today's quantity rule of each variant at the location."""
    variants = {v.id: v for v, _ in await repo.variants_for(session, [v for v in variant_ids if v is not None], [])}
    found = await asyncio.gather(*(pricer(location_id, v, 1) for v in variants.values()))
    return {vid: rule for vid, (_price, rule) in zip(variants, found)}  # type: ignore[misc]


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
    pay: checkout.Checkout | None = None  # paid by card when placed (or approved): domain/checkout.py
    book_address_id: int | None = None  # a shipping address of the buyer's own book, instead of the location's


def charged(amount: Decimal, currency: str) -> Decimal:
    """An amount that is charged: rounded to the minor unit, kept with the four places it is stored with
    (so a new row reads the same as one loaded from the database)."""
    return round_to_minor(amount, currency).quantize(FOUR_PLACES)


def set_quantity(line: OrderLine, quantity: int) -> None:
    """A line's new quantity, total and tax (at the rate it was sold at)."""
    line.quantity = quantity
    line.total = charged(line.unit_price * quantity, line.currency)
    line.tax_amount, _net = tax.retaxed(line.total, line.tax_percent, line.tax_included, line.tax_reason,
                                        line.currency)


async def taxed_lines(session: Any, merchant: MerchantSettings, account: Account, location: Location,
                      address: Any, lines: Sequence[PricedLine], now: datetime) -> list[tax.LineTax]:
    """The tax of each line, by the merchant's calculator: where the goods go (the shipping address,
    else the billing address) and who buys (the account's billing details, the location's exemption)."""
    buyer = billing_details.of_account(account, location)
    country, region = (address.country, address.region) if address is not None and address.country else \
        (buyer.country, buyer.region)
    sale = tax.Sale(merchant.tax.merchant_country, buyer, country, region, account.currency, now,
                    [tax.TaxableLine(line.total, line.includes_tax) for line in lines])
    return await merchant.tax.calculator.calculate(session, sale)


def check_texts(po_number: str | None, note: str | None, prefix: list[str]) -> list[Problem]:
    out = []
    if po_number is not None and len(po_number) > PO_NUMBER_MAX:
        out.append(problem(E.PO_NUMBER_TOO_LONG, f"A PO number has at most {PO_NUMBER_MAX} characters",
                           *prefix, "poNumber"))
    if note is not None and len(note) > NOTE_MAX:
        out.append(problem(E.NOTE_TOO_LONG, f"A note has at most {NOTE_MAX} characters", *prefix, "note"))
    return out


def check_length(text: str | None, code: OrderErrorCode, what: str, *where: str) -> None:
    if text is not None and len(text) > NOTE_MAX:
        raise reject(code, f"A {what} has at most {NOTE_MAX} characters", *where)


def period_start(now: datetime, period: SpendingLimitPeriod) -> datetime | None:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is SpendingLimitPeriod.ORDER:
        return None
    if period is SpendingLimitPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if period is SpendingLimitPeriod.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def _money(amount: Decimal, currency: str, locale: str | None) -> str:
    return format_money(round_to_minor(amount, currency), currency, locale)


async def check_credit(session: Any, account: Account, amount: Decimal) -> None:
    """Net-terms accounts may not owe more than their credit limit."""
    if account.payment_terms_days <= 0 or account.credit_limit is None:
        return
    exposure = await repo.credit_exposure(session, account.id)  # type: ignore[arg-type]
    if exposure + amount > account.credit_limit:
        available = max(account.credit_limit - exposure, Decimal(0))
        currency, locale = account.currency, account.locale
        raise reject(E.CREDIT_LIMIT_EXCEEDED,
                     f"This order ({_money(amount, currency, locale)}) is over the account's available credit "
                     f"({_money(available, currency, locale)} of {_money(account.credit_limit, currency, locale)}): "
                     "pay open invoices or ask the merchant to raise the limit")


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
        raise reject(E.EMPTY, "An order needs at least one line", "input", "lines")
    if len(p.lines) > MAX_LINES:
        raise reject(E.TOO_MANY_LINES, f"An order has at most {MAX_LINES} lines", "input", "lines")
    problems = check_texts(p.po_number, p.note, ["input"])
    if problems:
        raise Rejected(*problems)
    account = await repo.lock_account(session, p.account_id)
    currency = account.currency
    address = await ship_to(session, p)
    line_taxes = await taxed_lines(session, merchant, account, p.location, address, p.lines, now)
    t = tax.totals(line_taxes)
    await check_credit(session, account, t.total)
    settings = await repo.ordering_settings(session, account.id)  # type: ignore[arg-type]
    member = await repo.membership(session, p.user_id, account.id) if p.user_id else None  # type: ignore[arg-type]
    reasons = await approval_reasons(session, account, settings, member, p.user_id, t.total, now)
    method = await checkout.method_for(session, account, p.pay.method_id) if p.pay else None
    paid = None
    if method is not None and not reasons:  # the last check: nothing is written when the card is declined
        paid = await checkout.charge(session, p.pay.gateway, method, t.total, currency, p.pay.key, now, actor,  # type: ignore[union-attr]
                                     f"Order at {p.location.name}")
    order = Order(number=f"tmp-{uuid.uuid4().hex[:24]}", account_id=account.id, location_id=p.location.id,  # type: ignore[arg-type]
                  placed_by_user_id=p.user_id,
                  status=OrderStatus.PENDING_APPROVAL if reasons else OrderStatus.OPEN,
                  po_number=p.po_number or None, note=p.note or None, currency=currency,
                  subtotal=t.subtotal, tax=t.tax, total=t.total,
                  shipping_address=addresses.snapshot(address) if address else None,
                  payment_method_id=method.id if method else None, placed_at=now, updated_at=now)
    session.add(order)
    await session.flush()
    order.number = str(100000 + order.id)  # type: ignore[operator]
    rows = []
    for position, (line, lt) in enumerate(zip(p.lines, line_taxes, strict=True)):
        rows.append(OrderLine(order_id=order.id, variant_id=line.variant.id, sku=line.variant.sku,  # type: ignore[arg-type]
                              title=line.title, quantity=line.quantity, unit_price=line.unit_price,
                              total=line.total, currency=currency, position=position, tax_percent=lt.percent,
                              tax_amount=lt.amount, tax_label=lt.label, tax_jurisdiction=lt.jurisdiction,
                              tax_reason=lt.reason.value if lt.reason else None, tax_included=lt.included))
    session.add_all(rows)
    await session.flush()
    if not reasons:  # open now: its digital lines are the buyer's (an approval grants them otherwise)
        await digital.grant_for_order(session, order, merchant.secret_key, now)
    audit.record(session, actor, "order.place", now, account_id=account.id, target_type="Order",
                 target_id=order.id, number=order.number, total=str(t.total), source=p.source,
                 status=order.status.value, reasons=reasons)
    if reasons:
        session.add(OrderApprovalRequest(order_id=order.id, reasons=reasons,  # type: ignore[arg-type]
                                         approvals_required=approvals_needed(settings, t.total), created_at=now))
        await notify_approvers(session, order, account, p.location, reasons, now)
    elif paid is not None:
        await checkout.pay_invoice(session, order, account, merchant, paid, now)
    else:
        await invoicing.invoice_when_accepted(session, order, account, merchant, now)
    await order_mail.placed(session, order, p.location.name, rows, now)
    return order


async def ship_to(session: Any, p: Placement) -> Any:
    """The address the order goes to: one of the buyer's own book, or the given (else the default)
    shipping address of the location. The order keeps a copy of it (addresses.snapshot)."""
    if p.book_address_id is not None:
        found = await address_repo.book_address(session, p.user_id, p.book_address_id) if p.user_id else None
        if found is None or found.kind is not AddressKind.SHIPPING:
            raise reject(E.ADDRESS_NOT_FOUND, "The shipping address is not one of your address book's",
                         "input", "shippingAddressId")
        return found
    address = await repo.shipping_address(session, p.location.id, p.shipping_address_id)  # type: ignore[arg-type]
    if p.shipping_address_id is not None and address is None:
        raise reject(E.ADDRESS_NOT_FOUND, "The shipping address is not one of the location's",
                     "input", "shippingAddressId")
    return address


async def place_lines(session: Any, location: Location, requests: list[LineRequest], pricer: Pricer,
                      user_id: int | None, po_number: str | None, note: str | None, address_id: int | None,
                      now: datetime, actor: Actor, merchant: MerchantSettings,
                      pay: checkout.Checkout | None = None, book_address_id: int | None = None) -> Order:
    """Lines at a location become an order; each line is named once (no merging)."""
    if len(requests) > MAX_LINES:
        raise reject(E.TOO_MANY_LINES, f"An order has at most {MAX_LINES} lines", "input", "lines")
    account = await repo.account(session, location.account_id)
    priced, problems = await price_lines(session, location.id, account.currency, requests, pricer, merge=False)  # type: ignore[arg-type]
    if problems:
        raise Rejected(*problems)
    return await place(session, Placement(location.account_id, location, user_id, priced, po_number, note,
                                          address_id, source="lines", pay=pay, book_address_id=book_address_id),
                       now, actor, merchant)


# Approvals ---------------------------------------------------------------------------------------

@dataclass
class Decision:
    order: Order
    final: bool
    step: int


async def decide(session: Any, order: Order, approver_id: int | None, approve: bool, comment: str | None,
                 now: datetime, actor: Actor, merchant: MerchantSettings,
                 gateway: checkout.PaymentGateway | None = None) -> Decision:
    """Approve or reject an order waiting for approval (read under lock by the caller)."""
    check_length(comment, E.COMMENT_TOO_LONG, "comment", "input", "comment")
    if order.status is not OrderStatus.PENDING_APPROVAL:
        raise reject(E.NOT_PENDING_APPROVAL, f"Order {order.number} is not waiting for approval "
                     f"(it is {order.status.value})", "input", "orderId")
    if approver_id is not None and order.placed_by_user_id == approver_id:
        raise reject(E.OWN_ORDER, "You cannot approve or reject an order you placed", "input", "orderId")
    done = await repo.approvals(session, order.id)  # type: ignore[arg-type]
    if approver_id is not None and any(a.decided_by_user_id == approver_id for a in done):
        raise reject(E.ALREADY_DECIDED, "You have approved this order already: another approver must "
                     "give the second approval", "input", "orderId")
    request = await repo.approval_request(session, order.id)  # type: ignore[arg-type]
    required = request.approvals_required if request else 1
    step = len(done) + 1
    session.add(OrderApproval(order_id=order.id, step=step, decided_by_user_id=approver_id, comment=comment,  # type: ignore[arg-type]
                              decision=ApprovalDecision.APPROVED if approve else ApprovalDecision.REJECTED,
                              decided_at=now))
    account = await repo.lock_account(session, order.account_id)
    final = not approve or step >= required
    if approve and final:
        await check_credit(session, account, order.total)
        order.status = OrderStatus.OPEN
        await _accept(session, order, account, merchant, gateway, now, actor)
        await digital.grant_for_order(session, order, merchant.secret_key, now)
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


async def _accept(session: Any, order: Order, account: Account, merchant: MerchantSettings,
                  gateway: checkout.PaymentGateway | None, now: datetime, actor: Actor) -> None:
    """An approved order is invoiced; one paid by card is charged now, with the card chosen at
    placement (the account's default when that one was removed), and not approved if it fails."""
    if gateway is None or (order.payment_method_id is None and not checkout.pays_at_placement(account)):
        await invoicing.invoice_when_accepted(session, order, account, merchant, now)
        return
    methods = await methods_of(session, account.id)  # type: ignore[arg-type]
    chosen = order.payment_method_id if any(m.id == order.payment_method_id for m in methods) else None
    method = await checkout.method_for(session, account, chosen)
    if method is None:
        raise reject(checkout.E.PAYMENT_METHOD_REQUIRED, "The order is paid by card and its account has none",
                     "input", "orderId")
    # Each approval attempt is its own charge: the order's lock lets one approval through.
    paid = await checkout.charge(session, gateway, method, order.total, order.currency,
                                 f"approval:{order.id}:{uuid.uuid4().hex}", now, actor, f"Order {order.number}",
                                 failure="the order stays waiting for approval", field="orderId")
    order.payment_method_id = method.id
    await checkout.pay_invoice(session, order, account, merchant, paid, now)


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
                     total=_money(order.total, order.currency, locale),
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
                 total=_money(order.total, order.currency, locale),
                 placed_on=format_date(order.placed_at.date(), locale), **params)


# Changing and cancelling -----------------------------------------------------------------------

CHANGEABLE = (OrderStatus.PENDING_APPROVAL, OrderStatus.OPEN, OrderStatus.PARTIALLY_FULFILLED)


@dataclass
class LineChange:
    line_id: int
    quantity: int
    field: list[str]


def _check_changeable(order: Order, what: str) -> None:
    if order.status not in CHANGEABLE:
        raise reject(E.NOT_CHANGEABLE, f"Order {order.number} is {order.status.value} and {what}", "input", "orderId")


async def change(session: Any, order: Order, changes: list[LineChange], po_number: str | None,
                 note: str | None, pricer: Pricer, now: datetime, actor: Actor, merchant: MerchantSettings) -> Order:
    """New quantities for lines of an order read under lock; never below what has shipped. A line at 0
    is removed from what is owed."""
    _check_changeable(order, "can no longer change")
    problems = check_texts(po_number, note, ["input"])
    lines = {line.id: line for line in await repo.order_lines(session, order.id)}  # type: ignore[arg-type]
    rules = await quantity_rules(session, order.location_id,
                                 [lines[c.line_id].variant_id for c in changes if c.line_id in lines], pricer)
    shipped = await repo.shipped_quantities(session, order.id)  # type: ignore[arg-type]
    for c in changes:
        line = lines.get(c.line_id)
        if line is None:
            problems.append(problem(E.LINE_NOT_FOUND, "No such line on this order", *c.field))
            continue
        done = shipped.get(line.id, 0)  # type: ignore[arg-type]
        if c.quantity < 0:
            problems.append(problem(E.INVALID_QUANTITY, "The quantity cannot be negative", *c.field, "quantity"))
            continue
        if c.quantity < done:
            problems.append(problem(E.ALREADY_SHIPPED, f"{line.sku}: {done} have shipped already; the quantity "
                                    f"cannot go below that", *c.field, "quantity"))
            continue
        if c.quantity > 0 and c.quantity != done:
            off = check_quantity(c.quantity, rules.get(line.variant_id or 0), c.field + ["quantity"])
            if off:
                problems.append(off)
                continue
        if c.quantity > line.quantity and order.status is not OrderStatus.PENDING_APPROVAL and shipped:
            problems.append(problem(E.CANNOT_INCREASE, "Fulfilment has started: quantities can only go down",
                                    *c.field, "quantity"))
            continue
    if problems:
        raise Rejected(*problems)
    before = order.total
    for c in changes:
        line = lines[c.line_id]
        set_quantity(line, c.quantity)
        session.add(line)
    if all(line.quantity == 0 for line in lines.values()):
        raise reject(E.EMPTY, "An order needs at least one line: cancel it instead", "input", "lines")
    if po_number is not None:
        order.po_number = po_number or None
    if note is not None:
        order.note = note or None
    t = tax.line_totals(list(lines.values()))
    order.subtotal, order.tax, order.total = t.subtotal, t.tax, t.total
    account = await repo.lock_account(session, order.account_id)
    if order.status is not OrderStatus.PENDING_APPROVAL and t.total > before:
        await check_credit(session, account, t.total - before)
        await _reapprove_if_needed(session, order, account, actor, t.total, before, now)
    request = await repo.approval_request(session, order.id)  # type: ignore[arg-type]
    if order.status is OrderStatus.PENDING_APPROVAL and request is not None:
        # Approvers decide on the order as it is now: a change across the threshold changes what it needs.
        request.approvals_required = approvals_needed(await repo.ordering_settings(session, account.id), t.total)  # type: ignore[arg-type]
        session.add(request)
    if _all_shipped(lines, shipped) and shipped:
        order.status = OrderStatus.FULFILLED
    order.updated_at = now
    session.add(order)
    await invoicing.follow_order(session, order, list(lines.values()), now, merchant, actor.user_id)
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
        raise reject(E.SPENDING_LIMIT, "This change takes the order over your spending limit: place a new "
                     "order for the extra quantity so it can be approved", "input", "lines")


def _all_shipped(lines: dict[int, OrderLine], shipped: dict[int, int]) -> bool:
    return all(shipped.get(line.id, 0) >= line.quantity for line in lines.values())  # type: ignore[arg-type]


async def cancel(session: Any, order: Order, reason: str | None, now: datetime, actor: Actor,
                 merchant: MerchantSettings) -> tuple[Order, bool]:
    """Cancel what has not shipped of an order read under lock. Returns the order and whether it was
    cancelled as a whole (False: fulfilment had started, so the unshipped rest was cancelled and the
    order is FULFILLED)."""
    check_length(reason, E.REASON_TOO_LONG, "reason", "input", "reason")
    _check_changeable(order, "cannot be cancelled")
    shipped = await repo.shipped_quantities(session, order.id)  # type: ignore[arg-type]
    lines = await repo.order_lines(session, order.id)  # type: ignore[arg-type]
    whole = not any(shipped.values())
    if whole:
        await invoicing.void_for_cancelled(session, order, now, merchant, actor.user_id)
        order.status = OrderStatus.CANCELLED
    else:
        for line in lines:
            set_quantity(line, shipped.get(line.id, 0))  # type: ignore[arg-type]
            session.add(line)
        t = tax.line_totals(lines)
        order.subtotal, order.tax, order.total = t.subtotal, t.tax, t.total
        order.status = OrderStatus.FULFILLED
        await invoicing.follow_order(session, order, lines, now, merchant, actor.user_id)
    order.updated_at = now
    session.add(order)
    audit.record(session, actor, "order.cancel", now, account_id=order.account_id, target_type="Order",
                 target_id=order.id, reason=reason, whole=whole)
    return order, whole


# The account's ordering settings ---------------------------------------------------------------

@dataclass
class OrderingSettingsView:
    account_id: int
    currency: str
    spending_limit_period: SpendingLimitPeriod
    second_approval_threshold: Decimal | None
    requires_approval: bool


def settings_view(account: Account, row: AccountOrderingSettings | None) -> OrderingSettingsView:
    return OrderingSettingsView(account.id, account.currency,  # type: ignore[arg-type]
                                row.spending_limit_period if row else SpendingLimitPeriod.MONTH,
                                row.second_approval_threshold if row else None, account.requires_approval)


async def update_settings(session: Any, account: Account, period: SpendingLimitPeriod | None,
                          threshold: Decimal | None, clear_threshold: bool, requires_approval: bool | None,
                          now: datetime, actor: Actor) -> OrderingSettingsView:
    if threshold is not None and (threshold <= 0 or threshold != threshold.quantize(FOUR_PLACES)):
        raise reject(E.INVALID_INPUT, "The threshold is above zero, with at most 4 decimals", "input",
                     "secondApprovalThreshold")
    row = await repo.ordering_settings(session, account.id) or AccountOrderingSettings(account_id=account.id)  # type: ignore[arg-type]
    if period is not None:
        row.spending_limit_period = period
    if threshold is not None:
        row.second_approval_threshold = threshold.quantize(FOUR_PLACES)
    if clear_threshold:
        row.second_approval_threshold = None
    row.updated_at = now
    session.add(row)
    if requires_approval is not None:
        account.requires_approval = requires_approval
        session.add(account)
    audit.record(session, actor, "account.ordering_settings", now, account_id=account.id,
                 target_type="Account", target_id=account.id,
                 spending_limit_period=row.spending_limit_period.value,
                 second_approval_threshold=None if row.second_approval_threshold is None
                 else str(row.second_approval_threshold), requires_approval=account.requires_approval)
    await session.flush()
    return settings_view(account, row)
