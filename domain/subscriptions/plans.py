"""Plan changes (Stripe's rules). An upgrade (a higher price per period) takes effect now, prorated
to the second over the current period: an invoice of two lines, a credit for the old plan's unused
time and a charge for the new plan's remaining time, finalised and, for a subscription charged
automatically, paid at once with the account's default card; the new plan is applied only if
that payment succeeds. A downgrade is scheduled for the period end (the renewal applies it) and
can be cancelled until then. During a trial a change costs nothing now.

`plan_change` works out a change without writing anything (the preview shows it); `apply`
writes it. A mutation calls both on the subscription read under lock, so of two changes at once
the second is decided on what the first committed: money is written once."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from db.enums import CollectionMethod, SubscriptionStatus
from db.models import Account, Payment, Subscription, SubscriptionEvent, SubscriptionItem
from domain.webhooks import outbox as webhooks
from db.repositories import ordering as order_repo
from db.repositories import subscriptions as repo
from domain import invoicing, ordering, payments
from domain.errors import Problem, Rejected, reject
from domain.invoicing import Billed, MerchantSettings
from domain.invoicing.amounts import shown
from domain.ordering import LineRequest, Pricer, charged, problem
from domain.subscriptions.codes import SubscriptionErrorCode as E
from domain.subscriptions.proration import Proration, prorate, proration_instant

CHANGEABLE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)


class Timing(StrEnum):
    NOW = "NOW"
    PERIOD_END = "PERIOD_END"


class EventKind(StrEnum):
    """What a subscription_event row records."""

    PLAN_CHANGED = "PLAN_CHANGED"
    PLAN_CHANGE_SCHEDULED = "PLAN_CHANGE_SCHEDULED"
    PENDING_CHANGE_CANCELLED = "PENDING_CHANGE_CANCELLED"
    PAUSED = "PAUSED"
    RESUMED = "RESUMED"
    SKIPPED = "SKIPPED"
    UNSKIPPED = "UNSKIPPED"
    CADENCE_CHANGED = "CADENCE_CHANGED"
    ITEM_CHANGED = "ITEM_CHANGED"
    CANCELLED = "CANCELLED"
    CANCEL_SCHEDULED = "CANCEL_SCHEDULED"
    REACTIVATED = "REACTIVATED"
    OFFER_ACCEPTED = "OFFER_ACCEPTED"
    OFFER_DECLINED = "OFFER_DECLINED"
    NEXT_DATE_CHANGED = "NEXT_DATE_CHANGED"
    ADD_ON_ADDED = "ADD_ON_ADDED"
    ORDERED_NOW = "ORDERED_NOW"
    # Written by the renewal worker (renewals.RenewalEvent); listed here so the history can show them.
    RENEWED = "RENEWED"
    EXPIRED = "EXPIRED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_RECOVERED = "PAYMENT_RECOVERED"
    DUNNING_EXHAUSTED = "DUNNING_EXHAUSTED"


@dataclass(frozen=True)
class PlanAsk:
    variant_id: int
    quantity: int | None = None  # None: the item's quantity (seats) stays
    from_variant_id: int | None = None  # the item of this variant; None: the subscription's only item
    proration_date: datetime | None = None  # a preview's instant, to honour its quote


class BilledLines:
    """Totals of the invoice lines a preview shows (net of tax, the tax, and both)."""
    lines: list[Billed]

    @property
    def subtotal(self) -> Decimal:
        return sum((ln.amount - (ln.tax_amount if ln.tax_included else 0) for ln in self.lines), Decimal("0.0000"))

    @property
    def tax(self) -> Decimal:
        return sum((ln.tax_amount for ln in self.lines), Decimal("0.0000"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


@dataclass
class PlanChange(BilledLines):
    subscription: Subscription
    item: SubscriptionItem
    variant_id: int
    title: str
    quantity: int
    unit_price: Decimal
    old_amount: Decimal  # per period, as charged now
    new_amount: Decimal
    timing: Timing
    effective_at: datetime
    proration: Proration | None = None
    lines: list[Billed] = field(default_factory=list)



@dataclass(frozen=True)
class Applied:
    subscription: Subscription
    change: PlanChange
    invoice: Any = None
    payment: Payment | None = None


@dataclass(frozen=True)
class _Taxable:
    total: Decimal
    includes_tax: bool


def _item(items: list[SubscriptionItem], variant_id: int | None) -> SubscriptionItem:
    """The item of `variant_id` (the API names an item by its variant), or the only one."""
    if variant_id is None:
        if len(items) != 1:
            raise reject(E.NOT_FOUND, "This subscription has several items: name the one to change", "input",
                         "fromVariantId")
        return items[0]
    found = next((i for i in items if i.variant_id == variant_id), None)
    if found is None:
        raise reject(E.NOT_FOUND, "No item of that variant on this subscription", "input", "fromVariantId")
    return found


def _priced_problems(found: list[Problem]) -> Rejected:
    quantity = {ordering.OrderErrorCode.INVALID_QUANTITY, ordering.OrderErrorCode.QUANTITY_RULE}
    return Rejected(*[problem(E.INVALID_QUANTITY if p.code in quantity else E.VARIANT_UNAVAILABLE, p.message,
                             *(["input", "quantity"] if p.code in quantity else ["input", "variantId"]))
                     for p in found])


async def plan_change(session: Any, sub: Subscription, ask: PlanAsk, pricer: Pricer, merchant: MerchantSettings,
                      now: datetime, prorated: bool = True) -> PlanChange:
    """What changing to `ask` would do now, written nowhere. Without `prorated` (the merchant's
    portal) an upgrade applies now and charges nothing: the new price is billed from the renewal."""
    if sub.status not in CHANGEABLE:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} is {sub.status.value}: its plan cannot change",
                     "input", "id")
    if sub.cancel_at_period_end:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} ends at the period end: reactivate it first",
                     "input", "id")
    if sub.location_id is None:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} has no location to price a plan at", "input", "id")
    if now >= sub.current_period_end:
        raise reject(E.PERIOD_ENDED, f"The period of {sub.number} has ended: it changes once renewed", "input", "id")
    item = _item(await repo.items_of(session, sub.id), ask.from_variant_id)  # type: ignore[arg-type]
    quantity = item.quantity if ask.quantity is None else ask.quantity
    if quantity < 1:
        raise reject(E.INVALID_QUANTITY, "The quantity must be at least 1", "input", "quantity")
    if ask.variant_id == item.variant_id and quantity == item.quantity and item.pending_variant_id is None:
        raise reject(E.SAME_PLAN, f"Subscription {sub.number} is on this plan already", "input", "variantId")
    priced, found = await ordering.price_lines(session, sub.location_id, sub.currency,
                                               [LineRequest(quantity, variant_id=ask.variant_id)], pricer)
    if found:
        raise _priced_problems(found)
    line = priced[0]
    old_amount = charged(item.unit_price * item.quantity, sub.currency)
    new_amount = charged(line.unit_price * quantity, sub.currency)
    change = PlanChange(sub, item, ask.variant_id, line.title, quantity, line.unit_price, old_amount, new_amount,
                        Timing.NOW, now)
    if new_amount < old_amount:
        change.timing, change.effective_at = Timing.PERIOD_END, sub.current_period_end
        return change
    at = proration_instant(ask.proration_date, now, sub.current_period_start, sub.current_period_end)
    if at is None:
        raise reject(E.INVALID_PRORATION_DATE, "The proration date must lie in the current period and be at most a "
                     "few minutes old", "input", "prorationDate")
    change.effective_at = at
    if sub.status is SubscriptionStatus.TRIALING or not prorated:
        return change  # nothing is charged during a trial, or without proration
    change.proration = p = prorate(old_amount, new_amount, sub.currency, sub.current_period_start,
                                   sub.current_period_end, at)
    change.lines = await _lines(session, sub, item, change, p, line.includes_tax, merchant)
    return change


async def _lines(session: Any, sub: Subscription, item: SubscriptionItem, change: PlanChange, p: Proration,
                 includes_tax: bool, merchant: MerchantSettings) -> list[Billed]:
    """The credit and the charge, each taxed as an order line of the location would be."""
    account = await order_repo.account(session, sub.account_id)
    location = await order_repo.location(session, sub.location_id)  # type: ignore[arg-type]
    old = await order_repo.variants_for(session, [item.variant_id], [])
    titles = await order_repo.product_titles(session, [v.product_id for v, _ in old])
    old_title = f"{titles.get(old[0][0].product_id, '')} / {old[0][0].title}" if old else "previous plan"
    taxed = await ordering.taxed_lines(session, merchant, account, location, None,
                                       [_Taxable(p.credit, includes_tax), _Taxable(p.charge, includes_tax)], p.at)
    since = f"{p.at:%Y-%m-%d %H:%M:%S} UTC"
    described = [(item.variant_id, f"Unused time on {old_title} × {item.quantity} after {since}"[:200], p.credit),
                 (change.variant_id, f"Remaining time on {change.title} × {change.quantity} from {since}"[:200],
                  p.charge)]
    return [Billed(None, variant_id, text, 1, amount, amount, sub.currency, t.percent, t.amount, t.label,
                   t.jurisdiction, t.reason, t.included)
            for (variant_id, text, amount), t in zip(described, taxed)]


def event(session: Any, sub: Subscription, kind: EventKind, now: datetime, user_id: int | None,
           invoice_id: int | None = None, **details: Any) -> None:
    session.add(SubscriptionEvent(subscription_id=sub.id, account_id=sub.account_id, kind=kind.value,  # type: ignore[arg-type]
                                  user_id=user_id, invoice_id=invoice_id, details=details, created_at=now))
    webhooks.note(session, f"subscription.{kind.value}", sub.id, now, account_id=sub.account_id, invoice_id=invoice_id,
                  **details)


def _plan_details(change: PlanChange) -> dict[str, Any]:
    return {"fromVariantId": change.item.variant_id, "fromQuantity": change.item.quantity,
            "fromAmount": str(change.old_amount), "toVariantId": change.variant_id, "toQuantity": change.quantity,
            "toAmount": str(change.new_amount), "effectiveAt": change.effective_at.isoformat()}


async def apply(session: Any, change: PlanChange, gateway: payments.PaymentGateway, merchant: MerchantSettings,
                user_id: int | None, now: datetime) -> Applied:
    """Write a change worked out by `plan_change` on the subscription read under lock."""
    sub, item = change.subscription, change.item
    if change.timing is Timing.PERIOD_END:
        event(session, sub, EventKind.PLAN_CHANGE_SCHEDULED, now, user_id, **_plan_details(change))
        item.pending_variant_id, item.pending_quantity = change.variant_id, change.quantity
        item.pending_unit_price = change.unit_price
        session.add(item)
        sub.version += 1
        session.add(sub)
        return Applied(sub, change)
    invoice, payment = None, None
    if change.lines:
        account = await order_repo.account(session, sub.account_id)
        invoice = await invoicing.invoice_billed(session, account, sub.location_id, change.lines, sub.currency,
                                                 merchant, now)
        if invoice.amount_due > 0 and sub.collection_method is CollectionMethod.CHARGE_AUTOMATICALLY:
            payment = await _pay(session, sub, account, invoice, change, gateway, merchant, now)
    details = _plan_details(change)
    if change.proration is not None:
        details.update(credit=str(change.proration.credit), charge=str(change.proration.charge))
    event(session, sub, EventKind.PLAN_CHANGED, now, user_id, invoice.id if invoice else None, **details)
    item.variant_id, item.quantity, item.unit_price = change.variant_id, change.quantity, change.unit_price
    item.pending_variant_id = item.pending_quantity = item.pending_unit_price = None
    session.add(item)
    sub.version += 1
    session.add(sub)
    return Applied(sub, change, invoice, payment)


async def _pay(session: Any, sub: Subscription, account: Account, invoice: Any, change: PlanChange,
               gateway: payments.PaymentGateway, merchant: MerchantSettings, now: datetime) -> Payment:
    """Charge the invoice to the default card now; anything but success undoes the whole change.
    The key names the change and the quoted instant: a retry of one quote (a lost answer) never
    charges twice, a new attempt is a new charge."""
    method = await repo.default_method(session, sub.account_id)
    if method is None or payments.is_expired(method, now):
        why = "has no default card" if method is None else f"'s default card ending {method.last4} has expired"
        raise reject(E.NO_PAYMENT_METHOD, f"{account.name} {why}: add one to change the plan now", "input", "id")
    key = f"subscription-{sub.id}-change-{sub.version + 1}-{method.id}-{int(change.effective_at.timestamp())}"
    try:
        result = await payments.charge(gateway, method, invoice.amount_due, sub.currency, key, now,
                                       f"Subscription {sub.number}: plan change")
    except Rejected as e:
        raise reject(E.PAYMENT_FAILED, e.problems[0].message, "input", "id") from None
    if result.outcome is not payments.Outcome.SUCCEEDED:
        reason = result.decline_code or result.outcome.value.lower()
        raise reject(E.PAYMENT_FAILED, f"The {method.brand} card ending {method.last4} was not charged "
                     f"{shown(invoice.amount_due, sub.currency)} ({reason}): the plan is unchanged", "input", "id")
    [payment] = await payments.record_charge(session, [(invoice, invoice.amount_due)], result, method, key, now,
                                             merchant.numbering)
    return payment


async def cancel_pending(session: Any, sub: Subscription, user_id: int | None, now: datetime) -> Subscription:
    """Undo a downgrade scheduled for the period end."""
    items = [i for i in await repo.items_of(session, sub.id) if i.pending_variant_id is not None]  # type: ignore[arg-type]
    if not items:
        raise reject(E.NO_PENDING_CHANGE, f"Subscription {sub.number} has no scheduled change", "input", "id")
    for item in items:
        event(session, sub, EventKind.PENDING_CHANGE_CANCELLED, now, user_id, variantId=item.pending_variant_id,
               quantity=item.pending_quantity)
        item.pending_variant_id = item.pending_quantity = item.pending_unit_price = None
        session.add(item)
    sub.version += 1
    session.add(sub)
    return sub
