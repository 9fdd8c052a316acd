"""Subscriptions: the list; plan changes (a preview, the change, cancelling a scheduled one); pause and resume;
a recurring order's skips, cadence and items."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from db.enums import BillingInterval, Role, SubscriptionKind
from db.models import Subscription
from db.repositories.subscriptions import SubscriptionFilter, SubscriptionRepository
from domain.errors import Problem, Rejected
from domain.subscriptions import actions, cancellation, pauses, plans, reports, retention
from domain.subscriptions import portal as portal_rules
from domain.subscriptions.codes import SubscriptionErrorCode as E
from domain.subscriptions.portal import Action, PortalConfig
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError, forbidden
from resolvers.globalid import decode_or_reject
from permissions.policy import rule
from resolvers.mutation import admit, mutation, require, user_errors
from resolvers.rows import find_row


async def subscriptions(ctx: Context, filter_: SubscriptionFilter, window: Window) -> Connection:
    scope = ctx.scope("rows:Subscription")
    return await paginate(ctx, lambda s: SubscriptionRepository(s, scope), filter_, window)


@dataclass
class PlanChangeAnswer:
    """A preview, or what a change did: the change worked out (None after a failure)."""

    change: plans.PlanChange | None = None
    subscription: Subscription | None = None
    invoice: Any = None
    user_errors: list[UserError] = field(default_factory=list)


def _ask(variant_id: str, quantity: int | None, from_variant_id: str | None,
         proration_date: datetime | None) -> plans.PlanAsk:
    return plans.PlanAsk(decode_or_reject(variant_id, "ProductVariant", E.VARIANT_UNAVAILABLE, "input", "variantId"),
                         quantity,
                         decode_or_reject(from_variant_id, "ProductVariant", E.NOT_FOUND, "input", "fromVariantId")
                         if from_variant_id else None, proration_date)


async def change_plan_preview(ctx: Context, sub: Subscription, variant_id: str, quantity: int | None,
                              from_variant_id: str | None, proration_date: datetime | None) -> PlanChangeAnswer:
    """What `subscriptionChangePlan` with these arguments would do now (nothing is written)."""
    try:
        portal = await _portal(ctx, Action.CHANGE_PLAN)
        ask = _ask(variant_id, quantity, from_variant_id, proration_date)
        async with ctx.db.session() as s:
            change = await plans.plan_change(s, sub, ask, ctx.loaders.pricing.pricer_in(s), ctx.merchant, ctx.now,
                                             portal.prorate_upgrades)
    except Rejected as e:
        return PlanChangeAnswer(user_errors=user_errors(e))
    return PlanChangeAnswer(change, sub)


async def portal_configuration(ctx: Context, s: Any = None) -> PortalConfig:
    """The portal staff stored, else the environment's preset."""
    if s is not None:
        return await portal_rules.current(s, ctx.settings.subscription_portal)
    async with ctx.db.session() as session:
        return await portal_rules.current(session, ctx.settings.subscription_portal)


async def _portal(ctx: Context, action: Action, s: Any = None) -> PortalConfig:
    """The merchant's portal, refusing `action` when it is not offered."""
    portal = await portal_configuration(ctx, s)
    portal.require(action)
    return portal


async def _locked(ctx: Context, s: Any, gid: str, key: str) -> Subscription:
    sub = await find_row(SubscriptionRepository(s, ctx.scope("rows:Subscription")), gid, "Subscription",
                         E.NOT_FOUND, "id")
    require(ctx, key, sub.account_id, sub.location_id)
    return sub


@mutation("subscriptionChangePlan", PlanChangeAnswer, audit="subscription.change_plan")
async def change_plan(ctx: Context, s: Any, gid: str, variant_id: str, quantity: int | None,
                      from_variant_id: str | None, proration_date: datetime | None) -> dict[str, Any]:
    portal = await _portal(ctx, Action.CHANGE_PLAN, s)
    ask = _ask(variant_id, quantity, from_variant_id, proration_date)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionChangePlan")
    change = await plans.plan_change(s, sub, ask, ctx.loaders.pricing.pricer_in(s), ctx.merchant, ctx.now,
                                     portal.prorate_upgrades)
    applied = await plans.apply(s, change, ctx.gateway, ctx.merchant, ctx.caller.user_id, ctx.now)
    return {"subscription": applied.subscription, "change": change, "invoice": applied.invoice}


@mutation("subscriptionCancelPendingChange", PlanChangeAnswer, audit="subscription.cancel_pending_change")
async def cancel_pending_change(ctx: Context, s: Any, gid: str) -> dict[str, Any]:
    await _portal(ctx, Action.CHANGE_PLAN, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionCancelPendingChange")
    return {"subscription": await plans.cancel_pending(s, sub, ctx.caller.user_id, ctx.now)}


@dataclass
class ScheduleAnswer:
    """A pause's or resume's preview, or what it did."""

    schedule: pauses.Schedule | None = None
    subscription: Subscription | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def pause_preview(ctx: Context, sub: Subscription, until: datetime | None, cycles: int | None) -> ScheduleAnswer:
    try:
        portal = await _portal(ctx, Action.PAUSE)
        return ScheduleAnswer(pauses.pause_plan(sub, pauses.PauseAsk(until, cycles), ctx.now,
                                                portal.max_pause_cycles), sub)
    except Rejected as e:
        return ScheduleAnswer(user_errors=user_errors(e))


@mutation("subscriptionPause", ScheduleAnswer, audit="subscription.pause")
async def pause(ctx: Context, s: Any, gid: str, until: datetime | None, cycles: int | None) -> dict[str, Any]:
    portal = await _portal(ctx, Action.PAUSE, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionPause")
    schedule = pauses.pause_plan(sub, pauses.PauseAsk(until, cycles), ctx.now, portal.max_pause_cycles)
    return {"subscription": pauses.pause(s, schedule, ctx.caller.user_id, ctx.now), "schedule": schedule}


@mutation("subscriptionResume", ScheduleAnswer, audit="subscription.resume")
async def resume(ctx: Context, s: Any, gid: str) -> dict[str, Any]:
    await _portal(ctx, Action.PAUSE, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionResume")
    schedule = pauses.resume_plan(sub, ctx.now)
    return {"subscription": pauses.resume(s, schedule, ctx.caller.user_id, ctx.now), "schedule": schedule}


async def skip_preview(ctx: Context, sub: Subscription, cycles: int | None) -> ScheduleAnswer:
    try:
        portal = await _portal(ctx, Action.SKIP)
        plan = actions.unskip_plan(sub, ctx.now) if cycles is None else \
            actions.skip_plan(sub, cycles, ctx.now, portal.max_pause_cycles)
    except Rejected as e:
        return ScheduleAnswer(user_errors=user_errors(e))
    return ScheduleAnswer(plan, sub)


@mutation("subscriptionSkip", ScheduleAnswer, audit="subscription.skip")
async def skip(ctx: Context, s: Any, gid: str, cycles: int) -> dict[str, Any]:
    portal = await _portal(ctx, Action.SKIP, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionSkip")
    schedule = actions.skip_plan(sub, cycles, ctx.now, portal.max_pause_cycles)
    return {"subscription": actions.skip(s, schedule, ctx.caller.user_id, ctx.now), "schedule": schedule}


@mutation("subscriptionUnskip", ScheduleAnswer, audit="subscription.unskip")
async def unskip(ctx: Context, s: Any, gid: str) -> dict[str, Any]:
    await _portal(ctx, Action.SKIP, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionUnskip")
    schedule = actions.unskip_plan(sub, ctx.now)
    return {"subscription": actions.skip(s, schedule, ctx.caller.user_id, ctx.now), "schedule": schedule}


async def cadence_preview(ctx: Context, sub: Subscription, interval: BillingInterval, count: int) -> ScheduleAnswer:
    try:
        await _portal(ctx, Action.CHANGE_CADENCE)
        cadence = actions.cadence_plan(sub, interval, count, ctx.now)
    except Rejected as e:
        return ScheduleAnswer(user_errors=user_errors(e))
    return ScheduleAnswer(pauses.Schedule(sub, ctx.now, cadence.next_billing_at), sub)


@mutation("subscriptionChangeCadence", ScheduleAnswer, audit="subscription.change_cadence")
async def change_cadence(ctx: Context, s: Any, gid: str, interval: BillingInterval, count: int) -> dict[str, Any]:
    await _portal(ctx, Action.CHANGE_CADENCE, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionChangeCadence")
    cadence = actions.cadence_plan(sub, interval, count, ctx.now)
    return {"subscription": actions.set_cadence(s, cadence, ctx.caller.user_id, ctx.now),
            "schedule": pauses.Schedule(sub, ctx.now, cadence.next_billing_at)}


def _item_ask(variant_id: str | None, quantity: int | None, item_variant_id: str | None) -> actions.ItemAsk:
    return actions.ItemAsk(
        decode_or_reject(variant_id, "ProductVariant", E.VARIANT_UNAVAILABLE, "input", "variantId")
        if variant_id else None, quantity,
        decode_or_reject(item_variant_id, "ProductVariant", E.NOT_FOUND, "input", "fromVariantId")
        if item_variant_id else None)


async def change_item_preview(ctx: Context, sub: Subscription, variant_id: str | None, quantity: int | None,
                              from_variant_id: str | None) -> PlanChangeAnswer:
    """What `subscriptionChangeItem` with these arguments would do (nothing is written)."""
    try:
        await _portal(ctx, Action.CHANGE_ITEM)
        ask = _item_ask(variant_id, quantity, from_variant_id)
        async with ctx.db.session() as s:
            change = await actions.item_plan(s, sub, ask, ctx.loaders.pricing.pricer_in(s), ctx.now)
    except Rejected as e:
        return PlanChangeAnswer(user_errors=user_errors(e))
    return PlanChangeAnswer(change, sub)


@mutation("subscriptionChangeItem", PlanChangeAnswer, audit="subscription.change_item")
async def change_item(ctx: Context, s: Any, gid: str, variant_id: str | None, quantity: int | None,
                      from_variant_id: str | None) -> dict[str, Any]:
    await _portal(ctx, Action.CHANGE_ITEM, s)
    ask = _item_ask(variant_id, quantity, from_variant_id)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionChangeItem")
    change = await actions.item_plan(s, sub, ask, ctx.loaders.pricing.pricer_in(s), ctx.now)
    return {"subscription": actions.set_item(s, change, ctx.caller.user_id, ctx.now), "change": change}


def _may_cancel(ctx: Context, sub: Subscription, portal: PortalConfig) -> None:
    """A plan, or any subscription under a portal cancelled by ADMINs only, needs the account's ADMIN."""
    if (sub.kind is SubscriptionKind.PLAN or portal.cancel_by_admin_only) and \
            Role.ADMIN not in ctx.caller.roles_in(sub.account_id):
        raise forbidden("Only the account's ADMIN cancels this subscription")


async def cancel_preview(ctx: Context, sub: Subscription) -> ScheduleAnswer:
    try:
        portal = await _portal(ctx, Action.CANCEL)
        _may_cancel(ctx, sub, portal)
        return ScheduleAnswer(cancellation.cancel_plan(sub, portal.cancel_mode, None, None, ctx.now).schedule, sub)
    except Rejected as e:
        return ScheduleAnswer(user_errors=user_errors(e))


@mutation("subscriptionCancel", ScheduleAnswer, audit="subscription.cancel")
async def cancel(ctx: Context, s: Any, gid: str, reason: cancellation.CancelReason | None,
                 comment: str | None) -> dict[str, Any]:
    portal = await _portal(ctx, Action.CANCEL, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionCancel")
    _may_cancel(ctx, sub, portal)
    c = cancellation.cancel_plan(sub, portal.cancel_mode, reason, comment, ctx.now)
    return {"subscription": cancellation.cancel(s, c, ctx.caller.user_id, ctx.now), "schedule": c.schedule}


@mutation("subscriptionReactivate", ScheduleAnswer, audit="subscription.reactivate")
async def reactivate(ctx: Context, s: Any, gid: str) -> dict[str, Any]:
    portal = await _portal(ctx, Action.CANCEL, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionReactivate")
    _may_cancel(ctx, sub, portal)
    if sub.status in cancellation.ENDED:  # after the end: a new subscription, billed from now
        restart = await cancellation.restart_plan(s, sub, ctx.loaders.pricing.pricer_in(s), ctx.now)
        sub = await cancellation.restart(s, restart, ctx.gateway, ctx.merchant, ctx.caller.user_id, ctx.now,
                                        ctx.settings.list_price_rates)
    else:
        sub = cancellation.reactivate(s, sub, ctx.caller.user_id, ctx.now)
    return {"subscription": sub, "schedule": pauses.Schedule(sub, ctx.now, sub.next_billing_at)}


# The next date, a one-time add-on, ordering now ---------------------------------------------------

async def date_preview(ctx: Context, sub: Subscription, at: datetime) -> ScheduleAnswer:
    try:
        portal = await _portal(ctx, Action.CHANGE_DATE)
        return ScheduleAnswer(actions.date_plan(sub, at, ctx.now, portal.max_pause_cycles), sub)
    except Rejected as e:
        return ScheduleAnswer(user_errors=user_errors(e))


@mutation("subscriptionChangeNextDate", ScheduleAnswer, audit="subscription.change_next_date")
async def change_next_date(ctx: Context, s: Any, gid: str, at: datetime) -> dict[str, Any]:
    portal = await _portal(ctx, Action.CHANGE_DATE, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionChangeNextDate")
    schedule = actions.date_plan(sub, at, ctx.now, portal.max_pause_cycles)
    return {"subscription": actions.set_date(s, schedule, ctx.caller.user_id, ctx.now), "schedule": schedule}


@dataclass
class NextOrderAnswer:
    """A preview of the next order (an add-on's line, or all of an order placed now), or what it did."""

    next_order: actions.NextOrder | None = None
    subscription: Subscription | None = None
    invoice: Any = None
    user_errors: list[UserError] = field(default_factory=list)


def _variant(variant_id: str) -> int:
    return decode_or_reject(variant_id, "ProductVariant", E.VARIANT_UNAVAILABLE, "input", "variantId")


async def add_on_preview(ctx: Context, sub: Subscription, variant_id: str, quantity: int) -> NextOrderAnswer:
    try:
        await _portal(ctx, Action.ADD_ON)
        async with ctx.db.session() as s:
            plan = await actions.addon_plan(s, sub, _variant(variant_id), quantity, ctx.loaders.pricing.pricer_in(s),
                                            ctx.merchant, ctx.now, ctx.settings.list_price_rates)
    except Rejected as e:
        return NextOrderAnswer(user_errors=user_errors(e))
    return NextOrderAnswer(plan, sub)


@mutation("subscriptionAddOn", NextOrderAnswer, audit="subscription.add_on")
async def add_on(ctx: Context, s: Any, gid: str, variant_id: str, quantity: int) -> dict[str, Any]:
    await _portal(ctx, Action.ADD_ON, s)
    variant = _variant(variant_id)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionAddOn")
    plan = await actions.addon_plan(s, sub, variant, quantity, ctx.loaders.pricing.pricer_in(s), ctx.merchant,
                                    ctx.now, ctx.settings.list_price_rates)
    return {"subscription": actions.add(s, plan, ctx.caller.user_id, ctx.now), "next_order": plan}


async def order_now_preview(ctx: Context, sub: Subscription) -> NextOrderAnswer:
    try:
        await _portal(ctx, Action.ORDER_NOW)
        async with ctx.db.session() as s:
            plan = await actions.order_now_plan(s, sub, ctx.merchant, ctx.now, ctx.settings.list_price_rates)
    except Rejected as e:
        return NextOrderAnswer(user_errors=user_errors(e))
    return NextOrderAnswer(plan, sub)


@mutation("subscriptionOrderNow", NextOrderAnswer, audit="subscription.order_now")
async def order_now(ctx: Context, s: Any, gid: str) -> dict[str, Any]:
    await _portal(ctx, Action.ORDER_NOW, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionOrderNow")
    plan = await actions.order_now_plan(s, sub, ctx.merchant, ctx.now, ctx.settings.list_price_rates)
    await actions.order_now(s, plan, ctx.gateway, ctx.merchant, ctx.caller.user_id, ctx.now,
                            ctx.settings.list_price_rates)
    return {"subscription": sub, "next_order": plan}


# Retention offers ---------------------------------------------------------------------------------

@dataclass
class OfferAnswer:
    offer: retention.Offer | None = None
    subscription: Subscription | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def retention_offer(ctx: Context, sub: Subscription) -> OfferAnswer:
    """The offer before cancelling, recorded as shown the first time (once per subscription)."""
    try:
        portal = await _portal(ctx, Action.CANCEL)
        _may_cancel(ctx, sub, portal)
        try:
            async with ctx.db.transaction() as s:
                offer = retention.shown(s, await retention.offer_for(s, sub, portal, ctx.loaders.pricing.pricer_in(s),
                                                                     ctx.now), ctx.now)
        except IntegrityError:  # shown to a second tab at the same moment: that one's record stands
            async with ctx.db.session() as s:
                offer = await retention.offer_for(s, sub, portal, ctx.loaders.pricing.pricer_in(s), ctx.now)
    except Rejected as e:
        return OfferAnswer(user_errors=user_errors(e))
    return OfferAnswer(offer, sub)


@mutation("subscriptionRespondToOffer", OfferAnswer, audit="subscription.respond_to_offer")
async def respond_to_offer(ctx: Context, s: Any, gid: str, accept: bool) -> dict[str, Any]:
    portal = await _portal(ctx, Action.CANCEL, s)
    sub = await _locked(ctx, s, gid, "Mutation.subscriptionRespondToOffer")
    _may_cancel(ctx, sub, portal)
    offer = await retention.decide(s, sub, accept, portal, ctx.loaders.pricing.pricer_in(s), ctx.gateway,
                                   ctx.merchant, ctx.caller.user_id, ctx.now)
    return {"subscription": sub, "offer": offer}


# The merchant's portal and the cancellation report (staff) ---------------------------------------

@dataclass
class PortalAnswer:
    portal_configuration: PortalConfig | None = None
    setting: Any = None  # the stored row: the audit event's target
    user_errors: list[UserError] = field(default_factory=list)


# Two staff saving the first configuration at the same moment: the second saves again.
SAVED_MEANWHILE = Problem(E.INVALID_CONFIGURATION, "The portal was saved by someone else meanwhile: save again",
                          ("input",))


@mutation("subscriptionPortalConfigure", PortalAnswer, audit="subscription_portal.configure",
          on_conflict=SAVED_MEANWHILE)
async def configure_portal(ctx: Context, s: Any, config: PortalConfig) -> dict[str, Any]:
    row = await portal_rules.store(s, config, ctx.now)
    return {"setting": row, "portal_configuration": portal_rules.from_row(row, config)}


async def cancellation_report(ctx: Context, since: datetime | None) -> reports.CancellationReport:
    admit(ctx, "subscriptionCancellationReport", rule("rows:SubscriptionCancellationReport"))
    async with ctx.db.session() as s:
        return await reports.cancellations(s, since)
