"""Retention offers (Stripe's cancellation flow, Recharge's "instead of cancelling"): before a
customer cancels, the merchant's portal may offer a discount for the next N renewals, the next
cheaper plan, or a pause instead. Each subscription is offered once: the first time the offer is
asked for it is recorded as shown, and it stays on offer until accepted or declined. Accepting
applies it through the existing rules (a downgrade through `plans`, a pause through `pauses`); a
discount is a line of each of the next N renewal invoices (renewals._lines)."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from db.models import Subscription, SubscriptionRetentionOffer
from db.repositories import subscriptions as repo
from domain import ordering
from domain.errors import Rejected, reject
from domain.invoicing import MerchantSettings
from domain.ordering import LineRequest, Pricer, charged
from domain.payments import PaymentGateway
from domain.subscriptions import cancellation, pauses, plans
from domain.subscriptions.codes import SubscriptionErrorCode as E
from domain.subscriptions.plans import EventKind, event
from domain.subscriptions.portal import Action, OfferKind, PortalConfig


def percent_text(percent: Decimal) -> str:
    return f"{percent.normalize():f}%"


def discount(sub: Subscription, amounts: list[Decimal]) -> Decimal | None:
    """The (negative) discount line of a renewal of these item amounts, while one runs."""
    if sub.discount_cycles_left > 0 and sub.discount_percent:
        return -charged(sum(amounts, Decimal(0)) * sub.discount_percent / 100, sub.currency)
    return None


def discount_label(sub: Subscription) -> str:
    return f"Discount {percent_text(sub.discount_percent)}"  # type: ignore[arg-type]


def discount_used(sub: Subscription) -> None:
    """A renewal billed with the discount: one cycle fewer left."""
    if sub.discount_cycles_left > 0:
        sub.discount_cycles_left -= 1
        if sub.discount_cycles_left == 0:
            sub.discount_percent = None


@dataclass(frozen=True)
class Offer:
    subscription: Subscription
    kind: OfferKind
    percent: Decimal | None = None
    cycles: int | None = None  # DISCOUNT: renewals; PAUSE: the pause's cycles
    variant_id: int | None = None  # CHEAPER_PLAN: the plan offered
    quantity: int | None = None
    period_amount: Decimal | None = None  # CHEAPER_PLAN: its price per period
    shown_at: datetime | None = None
    accepted: bool | None = None


async def _cheaper(session: Any, sub: Subscription, pricer: Pricer) -> tuple[int, int, Decimal] | None:
    """The dearest variant of the (only) item's product that costs less per period at the location."""
    items = await repo.items_of(session, sub.id)  # type: ignore[arg-type]
    if len(items) != 1 or sub.location_id is None:
        return None
    item = items[0]
    now_amount = charged(item.unit_price * item.quantity, sub.currency)
    best: tuple[int, int, Decimal] | None = None
    for variant_id in await repo.sibling_variants(session, item.variant_id):
        priced, found = await ordering.price_lines(session, sub.location_id, sub.currency,
                                                   [LineRequest(item.quantity, variant_id=variant_id)], pricer)
        if found:
            continue
        amount = charged(priced[0].unit_price * item.quantity, sub.currency)
        if amount < now_amount and (best is None or amount > best[2]):
            best = (variant_id, item.quantity, amount)
    return best


async def offer_for(session: Any, sub: Subscription, portal: PortalConfig, pricer: Pricer,
                    now: datetime) -> Offer:
    """What the merchant's portal offers this subscription instead of cancelling: the one recorded
    (shown before and not yet decided), else the configured one worked out now."""
    cancellation.cancel_plan(sub, portal.cancel_mode, None, None, now)  # only a cancellable one is offered
    row = await repo.offer_of(session, sub.id)  # type: ignore[arg-type]
    if row is not None:
        if row.accepted is not None:
            raise reject(E.OFFER_DECIDED, f"Subscription {sub.number} was offered {row.kind} already", "id")
        return _from_row(sub, row)
    configured = portal.retention_offer
    if configured is None:
        raise reject(E.NO_OFFER, "The merchant makes no offer on cancelling", "id")
    if configured.kind is OfferKind.DISCOUNT:
        return Offer(sub, configured.kind, configured.percent, configured.cycles)
    if configured.kind is OfferKind.PAUSE:
        try:  # only where pausing is offered, and only an active subscription pauses
            portal.require(Action.PAUSE)
            pauses.pause_plan(sub, pauses.PauseAsk(cycles=portal.max_pause_cycles), now, portal.max_pause_cycles)
        except Rejected:
            raise reject(E.NO_OFFER, f"Subscription {sub.number} cannot pause instead", "id") from None
        return Offer(sub, configured.kind, cycles=portal.max_pause_cycles)
    cheaper = await _cheaper(session, sub, pricer)
    if cheaper is None:
        raise reject(E.NO_OFFER, f"Subscription {sub.number} has no cheaper plan to offer", "id")
    return Offer(sub, configured.kind, variant_id=cheaper[0], quantity=cheaper[1], period_amount=cheaper[2])


def _from_row(sub: Subscription, row: SubscriptionRetentionOffer) -> Offer:
    return Offer(sub, OfferKind(row.kind), row.percent, row.cycles, row.variant_id, None, row.period_amount,
                 row.shown_at, row.accepted)


def shown(session: Any, offer: Offer, now: datetime) -> Offer:
    """Record the offer as shown (once per subscription: a unique key)."""
    if offer.shown_at is not None:
        return offer
    sub = offer.subscription
    session.add(SubscriptionRetentionOffer(subscription_id=sub.id, account_id=sub.account_id,  # type: ignore[arg-type]
                                           kind=offer.kind.value, percent=offer.percent, cycles=offer.cycles,
                                           variant_id=offer.variant_id, period_amount=offer.period_amount,
                                           shown_at=now))
    return Offer(sub, offer.kind, offer.percent, offer.cycles, offer.variant_id, offer.quantity, offer.period_amount,
                 now, None)


async def decide(session: Any, sub: Subscription, accept: bool, portal: PortalConfig, pricer: Pricer,
                 gateway: PaymentGateway, merchant: MerchantSettings, user_id: int | None,
                 now: datetime) -> Offer:
    """Accept (apply) or decline the offer shown; either is recorded once."""
    row = await repo.offer_of(session, sub.id)  # type: ignore[arg-type]
    if row is None:
        raise reject(E.NO_OFFER, f"Subscription {sub.number} was shown no offer", "input", "id")
    if row.accepted is not None:
        raise reject(E.OFFER_DECIDED, f"The offer to {sub.number} was {'accepted' if row.accepted else 'declined'}",
                     "input", "id")
    if accept:
        await _apply(session, sub, row, portal, pricer, gateway, merchant, user_id, now)
    row.accepted, row.decided_at = accept, now
    session.add(row)
    event(session, sub, EventKind.OFFER_ACCEPTED if accept else EventKind.OFFER_DECLINED, now, user_id,
          offer=row.kind, percent=str(row.percent) if row.percent is not None else None, cycles=row.cycles,
          variantId=row.variant_id)
    return _from_row(sub, row)


async def _apply(session: Any, sub: Subscription, row: SubscriptionRetentionOffer, portal: PortalConfig,
                 pricer: Pricer, gateway: PaymentGateway, merchant: MerchantSettings, user_id: int | None,
                 now: datetime) -> None:
    cancellation.cancel_plan(sub, portal.cancel_mode, None, None, now)  # still cancellable: the offer still holds
    kind = OfferKind(row.kind)
    if kind is OfferKind.DISCOUNT:
        sub.discount_percent, sub.discount_cycles_left = row.percent, row.cycles or 0
        sub.version += 1
        session.add(sub)
    elif kind is OfferKind.PAUSE:
        schedule = pauses.pause_plan(sub, pauses.PauseAsk(cycles=row.cycles), now, max(row.cycles or 1,
                                                                                      portal.max_pause_cycles))
        pauses.pause(session, schedule, user_id, now)
    else:
        try:
            change = await plans.plan_change(session, sub, plans.PlanAsk(row.variant_id), pricer,  # type: ignore[arg-type]
                                             merchant, now, portal.prorate_upgrades)
        except Rejected as e:  # the plan is no longer sold or no longer cheaper
            raise reject(E.NO_OFFER, f"The plan offered is no longer available: {e.problems[0].message}", "input",
                         "id") from None
        if change.new_amount >= change.old_amount:
            raise reject(E.NO_OFFER, "The plan offered is no longer cheaper", "input", "id")
        await plans.apply(session, change, gateway, merchant, user_id, now)
