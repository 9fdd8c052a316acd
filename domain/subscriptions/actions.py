"""A customer's own changes to a recurring order (Recharge's and Shopify's customer portal): skip
the next deliveries and take the skip back, swap an item for another variant of its product,
change its quantity, change how often it comes. None costs anything now: the next order is
priced as changed. Skipping works on plans too (the next renewals are not billed); the rest is
for recurring orders only, a plan's seats and sizes change through `plans` (an ADMIN's).

Each `..._plan` function works out the change without writing (the preview shows it); `apply`
writes what it worked out, on the subscription read under lock."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.enums import BillingInterval, SubscriptionKind
from db.models import Subscription, SubscriptionAddon, SubscriptionItem
from db.repositories import ordering as order_repo
from db.repositories import subscriptions as repo
from domain import ordering
from domain.errors import reject
from domain.invoicing import Billed, MerchantSettings
from domain.ordering import LineRequest, Pricer, charged
from domain.payments import PaymentGateway
from domain.pricing import ListPriceRates
from domain.subscriptions import renewals
from domain.subscriptions.codes import SubscriptionErrorCode as E
from domain.subscriptions.pauses import Schedule
from domain.subscriptions.periods import boundary, next_boundary
from domain.subscriptions.plans import CHANGEABLE, BilledLines, EventKind, PlanChange, Timing, _item, _priced_problems, event


def _changeable(sub: Subscription, what: str) -> None:
    if sub.status not in CHANGEABLE or sub.cancel_at_period_end:
        why = "ends at the period end" if sub.status in CHANGEABLE else f"is {sub.status.value}"
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} {why}: {what}", "input", "id")


def _recurring_order(sub: Subscription) -> None:
    if sub.kind is not SubscriptionKind.RECURRING_ORDER:
        raise reject(E.NOT_RECURRING_ORDER, f"Subscription {sub.number} is a plan: an ADMIN changes it with "
                     "subscriptionChangePlan", "input", "id")


def skip_plan(sub: Subscription, cycles: int, now: datetime, max_cycles: int) -> Schedule:
    """Skip the next `cycles` renewals (counted from the period end, skips already made included):
    the subscription stays active and bills next on the date after them."""
    _changeable(sub, "only an active one skips")
    if not 1 <= cycles <= max_cycles:
        raise reject(E.INVALID_SKIP, f"Skip 1 to {max_cycles} cycles", "input", "cycles")
    return Schedule(sub, now, boundary(sub.current_period_start, sub.interval, sub.interval_count, cycles + 1))


def unskip_plan(sub: Subscription, now: datetime) -> Schedule:
    """Take skips back: bill again at the end of the current period."""
    _changeable(sub, "only an active one is unskipped")
    if sub.next_billing_at is None or sub.next_billing_at <= sub.current_period_end:
        raise reject(E.NOT_SKIPPED, f"Subscription {sub.number} skips no renewal", "input", "id")
    return Schedule(sub, now, sub.current_period_end)


@dataclass(frozen=True)
class Cadence:
    subscription: Subscription
    interval: BillingInterval
    interval_count: int
    next_billing_at: datetime


def cadence_plan(sub: Subscription, interval: BillingInterval, count: int, now: datetime) -> Cadence:
    """Deliver every `count` `interval`s from now on, counted from the current period's start: the
    next date is the first boundary of the new cadence after now (skips are dropped)."""
    _recurring_order(sub)
    _changeable(sub, "only an active one changes its cadence")
    if count < 1:
        raise reject(E.INVALID_CADENCE, "The interval count must be at least 1", "input", "intervalCount")
    if (interval, count) == (sub.interval, sub.interval_count):
        raise reject(E.INVALID_CADENCE, f"Subscription {sub.number} comes at this cadence already", "input",
                     "intervalCount")
    return Cadence(sub, interval, count, next_boundary(sub.current_period_start, interval, count, now))


@dataclass(frozen=True)
class ItemAsk:
    variant_id: int | None = None  # None: the item's variant stays
    quantity: int | None = None  # None: the item's quantity stays
    from_variant_id: int | None = None  # the item of this variant; None: the subscription's only item


async def item_plan(session: Any, sub: Subscription, ask: ItemAsk, pricer: Pricer, now: datetime) -> PlanChange:
    """Swap an item's variant (another size or flavour of the same product, at the location's
    contracted price) and/or change its quantity, from the next order on."""
    _recurring_order(sub)
    _changeable(sub, "only an active one changes")
    if sub.location_id is None:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} has no location to price at", "input", "id")
    item = _item(await repo.items_of(session, sub.id), ask.from_variant_id)  # type: ignore[arg-type]
    variant_id = item.variant_id if ask.variant_id is None else ask.variant_id
    quantity = item.quantity if ask.quantity is None else ask.quantity
    if quantity < 1:
        raise reject(E.INVALID_QUANTITY, "The quantity must be at least 1", "input", "quantity")
    if variant_id == item.variant_id and quantity == item.quantity:
        raise reject(E.SAME_PLAN, "The item has this variant and quantity already", "input", "variantId")
    if variant_id != item.variant_id:
        both = {v.id: v for v, _ in await order_repo.variants_for(session, [item.variant_id, variant_id], [])}
        if variant_id not in both or item.variant_id not in both or \
                both[variant_id].product_id != both[item.variant_id].product_id:
            raise reject(E.VARIANT_UNAVAILABLE, "Swap to another variant of the same product", "input", "variantId")
    priced, found = await ordering.price_lines(session, sub.location_id, sub.currency,
                                               [LineRequest(quantity, variant_id=variant_id)], pricer)
    if found:
        raise _priced_problems(found)
    line = priced[0]
    return PlanChange(sub, item, variant_id, line.title, quantity, line.unit_price,
                      charged(item.unit_price * item.quantity, sub.currency),
                      charged(line.unit_price * quantity, sub.currency), Timing.NOW, now)


def _touch(session: Any, sub: Subscription) -> None:
    sub.version += 1
    session.add(sub)


def skip(session: Any, schedule: Schedule, user_id: int | None, now: datetime) -> Subscription:
    sub = schedule.subscription
    kind = EventKind.UNSKIPPED if schedule.next_billing_at == sub.current_period_end else EventKind.SKIPPED
    sub.next_billing_at = schedule.next_billing_at
    _touch(session, sub)
    event(session, sub, kind, now, user_id, nextBillingAt=schedule.next_billing_at.isoformat())  # type: ignore[union-attr]
    return sub


def set_cadence(session: Any, cadence: Cadence, user_id: int | None, now: datetime) -> Subscription:
    sub = cadence.subscription
    event(session, sub, EventKind.CADENCE_CHANGED, now, user_id, fromInterval=sub.interval.value,
          fromIntervalCount=sub.interval_count, toInterval=cadence.interval.value,
          toIntervalCount=cadence.interval_count, nextBillingAt=cadence.next_billing_at.isoformat())
    sub.interval, sub.interval_count = cadence.interval, cadence.interval_count
    sub.current_period_end = sub.next_billing_at = cadence.next_billing_at
    _touch(session, sub)
    return sub


def set_item(session: Any, change: PlanChange, user_id: int | None, now: datetime) -> Subscription:
    sub, item = change.subscription, change.item
    event(session, sub, EventKind.ITEM_CHANGED, now, user_id, fromVariantId=item.variant_id,
          fromQuantity=item.quantity, toVariantId=change.variant_id, toQuantity=change.quantity,
          toUnitPrice=str(change.unit_price))
    item.variant_id, item.quantity, item.unit_price = change.variant_id, change.quantity, change.unit_price
    session.add(item)
    _touch(session, sub)
    return sub


# The next date, a one-time add-on, ordering now --------------------------------------------------

def date_plan(sub: Subscription, at: datetime, now: datetime, max_cycles: int) -> Schedule:
    """Move a recurring order's next billing (and delivery) date: later, up to the longest pause, or
    earlier, not in the past. The cycles after it follow the cadence as before."""
    _recurring_order(sub)
    _changeable(sub, "only an active one moves its next date")
    if at <= now:
        raise reject(E.INVALID_DATE, "The next date must be in the future", "input", "date")
    if at == (sub.next_billing_at or sub.current_period_end):
        raise reject(E.INVALID_DATE, f"Subscription {sub.number} bills next on this date already", "input", "date")
    limit = boundary(sub.current_period_start, sub.interval, sub.interval_count, max_cycles + 1)
    if at > limit:
        raise reject(E.BEYOND_HORIZON, f"The next date is at most {max_cycles} cycles ahead: by {limit:%Y-%m-%d}",
                     "input", "date")
    return Schedule(sub, now, at)


def set_date(session: Any, schedule: Schedule, user_id: int | None, now: datetime) -> Subscription:
    sub = schedule.subscription
    event(session, sub, EventKind.NEXT_DATE_CHANGED, now, user_id,
          fromNextBillingAt=(sub.next_billing_at or sub.current_period_end).isoformat(),
          nextBillingAt=schedule.next_billing_at.isoformat())  # type: ignore[union-attr]
    sub.next_billing_at = schedule.next_billing_at
    _touch(session, sub)
    return sub


def _next_period(sub: Subscription) -> tuple[datetime, datetime]:
    """The period the next renewal bills (as renewals._renew counts it)."""
    start = sub.next_billing_at or sub.current_period_end
    anchor = sub.created_at if sub.created_at <= start else start
    return start, next_boundary(anchor, sub.interval, sub.interval_count, start)


@dataclass(frozen=True)
class NextOrder(BilledLines):
    """What the next order (a renewal) bills: every line of the next cycle's order as the renewal
    will place it (priced on its billing date, the add-ons merged into their variants' lines)."""

    subscription: Subscription
    starts_at: datetime
    ends_at: datetime
    lines: list[Billed]
    addon: SubscriptionAddon | None = None


async def addon_plan(session: Any, sub: Subscription, variant_id: int, quantity: int, pricer: Pricer,
                     merchant: MerchantSettings, now: datetime, rates: ListPriceRates | None = None) -> NextOrder:
    """A one-time add-on to the next order, at the location's contracted price: billed (and
    delivered) once, by the next renewal; nothing is charged now."""
    _recurring_order(sub)
    _changeable(sub, "only an active one takes an add-on")
    if sub.location_id is None:
        raise reject(E.NOT_CHANGEABLE, f"Subscription {sub.number} has no location to price at", "input", "id")
    if quantity < 1:
        raise reject(E.INVALID_QUANTITY, "The quantity must be at least 1", "input", "quantity")
    priced, found = await ordering.price_lines(session, sub.location_id, sub.currency,
                                               [LineRequest(quantity, variant_id=variant_id)], pricer)
    if found:
        raise _priced_problems(found)
    start, end = _next_period(sub)
    addon = SubscriptionAddon(subscription_id=sub.id, account_id=sub.account_id, variant_id=variant_id,  # type: ignore[arg-type]
                              title=priced[0].title[:200], quantity=quantity, unit_price=priced[0].unit_price,
                              currency=sub.currency, cycle_start=start, created_at=now)
    account = await order_repo.account(session, sub.account_id)
    items, addons = await _next_items(session, sub)
    lines = await renewals.order_lines_of(session, sub, items, [*addons, addon], account, start, merchant,
                                          rates or ListPriceRates(), start)
    return NextOrder(sub, start, end, lines, addon)


async def _next_items(session: Any, sub: Subscription) -> tuple[list[SubscriptionItem], list[SubscriptionAddon]]:
    """The items the next renewal orders (a pending change already applied) and the add-ons it takes."""
    items = [SubscriptionItem(variant_id=i.pending_variant_id or i.variant_id,
                              quantity=i.pending_quantity or i.quantity,
                              unit_price=i.unit_price if i.pending_unit_price is None else i.pending_unit_price)
             for i in await repo.items_of(session, sub.id)]  # type: ignore[arg-type]
    return items, (await repo.open_addons(session, [sub.id])).get(sub.id, [])  # type: ignore[list-item]


def add(session: Any, plan: NextOrder, user_id: int | None, now: datetime) -> Subscription:
    sub, addon = plan.subscription, plan.addon
    addon.user_id = user_id  # type: ignore[union-attr]
    session.add(addon)
    event(session, sub, EventKind.ADD_ON_ADDED, now, user_id, variantId=addon.variant_id,  # type: ignore[union-attr]
          quantity=addon.quantity, unitPrice=str(addon.unit_price), cycleStart=plan.starts_at.isoformat())  # type: ignore[union-attr]
    _touch(session, sub)
    return sub


async def order_now_plan(session: Any, sub: Subscription, merchant: MerchantSettings, now: datetime,
                         rates: ListPriceRates | None = None) -> NextOrder:
    """Place the next order now: the renewal of the next cycle runs at once (its invoice, its charge,
    its add-ons) and the next date moves a cycle on. The preview's lines are that renewal's."""
    _recurring_order(sub)
    _changeable(sub, "only an active one orders now")
    start, end = _next_period(sub)
    if start <= now:
        raise reject(E.PERIOD_ENDED, f"The next order of {sub.number} is due: it is being placed", "input", "id")
    if sub.current_period_start > now:  # one order ahead at most: a second click does not order twice
        raise reject(E.NOT_CHANGEABLE, f"The next order of {sub.number} was placed already", "input", "id")
    items, addons = await _next_items(session, sub)
    account = await order_repo.account(session, sub.account_id)
    lines = await renewals.order_lines_of(session, sub, items, addons, account, start, merchant,
                                          rates or ListPriceRates(), now)
    return NextOrder(sub, start, end, lines)


async def order_now(session: Any, plan: NextOrder, gateway: PaymentGateway, merchant: MerchantSettings,
                    user_id: int | None, now: datetime, rates: ListPriceRates | None = None) -> Subscription:
    sub = plan.subscription
    event(session, sub, EventKind.ORDERED_NOW, now, user_id, periodStart=plan.starts_at.isoformat())
    await renewals.renew_now(session, sub, gateway, merchant, now, rates)
    return sub
