"""Subscriptions and recurring orders: the rows, their history, and plan changes with a preview."""
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import strawberry.scalars
from strawberry.types import Info

from db import models
from db.enums import BillingInterval, SubscriptionKind, SubscriptionStatus
from db.repositories.subscriptions import SubscriptionFilter as SubscriptionFilterData
from domain.money import Money as MoneyData
from domain.money import round_to_minor
from domain.subscriptions.codes import SubscriptionErrorCode
from domain.subscriptions.plans import EventKind, Timing
from domain.subscriptions.cancellation import CancelReason
from domain.subscriptions.portal import Action, CancelMode, OfferKind, PortalConfig, Preset, RetentionOffer
from permissions.checks import authenticated, guarded
from resolvers import subscriptions as resolve
from resolvers.globalid import decode_as, encode
from resolvers.within import within
from schema.relations import relation
from schema.common import Connection, Money, Node, UserError, node_id, rows_of, user_errors

if TYPE_CHECKING:
    from schema.accounts import Account, Location
    from schema.billing import Invoice
    from schema.catalog import ProductVariant

SubscriptionStatusEnum = strawberry.enum(SubscriptionStatus, name="SubscriptionStatus")
BillingIntervalEnum = strawberry.enum(BillingInterval, name="BillingInterval")
SubscriptionKindEnum = strawberry.enum(SubscriptionKind, name="SubscriptionKind")
SubscriptionErrorCodeEnum = strawberry.enum(SubscriptionErrorCode, name="SubscriptionErrorCode")
PlanChangeTimingEnum = strawberry.enum(Timing, name="PlanChangeTiming",
                                       description="NOW: prorated and invoiced at once; PERIOD_END: scheduled.")
SubscriptionEventKindEnum = strawberry.enum(EventKind, name="SubscriptionEventKind")
PortalActionEnum = strawberry.enum(Action, name="SubscriptionPortalAction",
                                   description="PAUSE covers resuming, SKIP unskipping, CHANGE_ITEM swaps and "
                                               "quantities of recurring orders.")
PortalPresetEnum = strawberry.enum(Preset, name="SubscriptionPortalPreset")
CancelModeEnum = strawberry.enum(CancelMode, name="SubscriptionCancelMode")
CancelReasonEnum = strawberry.enum(CancelReason, name="SubscriptionCancelReason")
OfferKindEnum = strawberry.enum(OfferKind, name="SubscriptionRetentionOfferKind",
                                description="DISCOUNT: percent off the next renewals; CHEAPER_PLAN: the next "
                                            "cheaper variant from the period end; PAUSE: a pause of the longest "
                                            "length instead.")


@strawberry.type(description="The offer the portal makes before a cancellation.")
class RetentionOfferSetting:
    kind: OfferKindEnum  # type: ignore[valid-type]
    percent: Decimal | None = strawberry.field(description="DISCOUNT: percent off each discounted renewal.")
    cycles: int | None = strawberry.field(description="DISCOUNT: how many renewals.")


@strawberry.type(description="What the merchant's subscription portal offers: show only these actions (the API "
                             "refuses the others with ACTION_DISABLED).")
class PortalConfiguration:
    preset: PortalPresetEnum  # type: ignore[valid-type]
    actions: list[PortalActionEnum] = strawberry.field(  # type: ignore[valid-type]
        resolver=lambda root: sorted(root.actions))
    cancel_mode: CancelModeEnum = strawberry.field(  # type: ignore[valid-type]
        description="Whether a cancellation takes effect now or at the period end.")
    prorate_upgrades: bool = strawberry.field(description="An upgrade is charged now, prorated; false: the new "
                                                          "price is billed from the renewal.")
    max_pause_cycles: int = strawberry.field(description="The longest pause or skip, in billing cycles.")
    cancel_by_admin_only: bool = strawberry.field(description="Only the account's ADMIN cancels.")
    retention_offer: RetentionOfferSetting | None = strawberry.field(
        description="Offered once per subscription before it is cancelled (Subscription.retentionOffer).")


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else MoneyData(round_to_minor(amount, currency), currency)  # type: ignore[return-value]


@strawberry.type(description="A line a plan change invoices: the credit for the old plan's unused time, or the "
                             "charge for the new plan's remaining time (each rounded to the currency's minor unit).")
class SubscriptionInvoiceLine:
    description: str
    amount: Money = strawberry.field(resolver=lambda root: _money(root.amount, root.currency))
    tax_percent: Decimal
    tax_amount: Money = strawberry.field(resolver=lambda root: _money(root.tax_amount, root.currency))
    tax_label: str | None


@strawberry.type(description="What a plan change does: when it takes effect, the instant it prorates at (pass it "
                             "back as prorationDate to be charged what was quoted), and the lines it invoices.")
class PlanChange:
    timing: PlanChangeTimingEnum  # type: ignore[valid-type]
    effective_at: datetime
    prorates_at: datetime | None = strawberry.field(resolver=lambda root: root.proration.at if root.proration else None)
    seconds_left: int | None = strawberry.field(
        resolver=lambda root: root.proration.seconds_left if root.proration else None)
    seconds_in_period: int | None = strawberry.field(
        resolver=lambda root: root.proration.seconds_in_period if root.proration else None)
    lines: list[SubscriptionInvoiceLine]
    subtotal: Money = strawberry.field(resolver=lambda root: _money(root.subtotal, root.subscription.currency))
    tax: Money = strawberry.field(resolver=lambda root: _money(root.tax, root.subscription.currency))
    total: Money = strawberry.field(resolver=lambda root: _money(root.total, root.subscription.currency))
    no_charge: bool = strawberry.field(resolver=lambda root: root.total <= 0,
                                       description="Nothing is charged now (a downgrade, a trial, a zero balance).")
    period_amount_before: Money = strawberry.field(
        resolver=lambda root: _money(root.old_amount, root.subscription.currency))
    period_amount_after: Money = strawberry.field(
        resolver=lambda root: _money(root.new_amount, root.subscription.currency))


@strawberry.type
class SubscriptionError(UserError):
    is_type_of = user_errors()
    code: SubscriptionErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class PlanChangePreview:
    change: PlanChange | None
    user_errors: list[SubscriptionError]


@strawberry.type(description="What a pause or resume does: nothing is charged now; from when, and the next "
                             "billing date.")
class SubscriptionSchedule:
    effective_at: datetime
    next_billing_at: datetime | None
    no_charge: bool = strawberry.field(resolver=lambda: True)


@strawberry.type
class SubscriptionSchedulePreview:
    schedule: SubscriptionSchedule | None
    user_errors: list[SubscriptionError]


@strawberry.type(description="The next order (a renewal) as it will be invoiced: for an add-on its own line, for "
                             "ordering now every line, each taxed as the renewal taxes it.")
class SubscriptionNextOrder:
    starts_at: datetime = strawberry.field(description="The period the order is for: it starts ...")
    ends_at: datetime = strawberry.field(description="... and ends then.")
    lines: list[SubscriptionInvoiceLine]
    subtotal: Money = strawberry.field(resolver=lambda root: _money(root.subtotal, root.subscription.currency))
    tax: Money = strawberry.field(resolver=lambda root: _money(root.tax, root.subscription.currency))
    total: Money = strawberry.field(resolver=lambda root: _money(root.total, root.subscription.currency))
    no_charge: bool = strawberry.field(resolver=lambda root: root.total <= 0)


@strawberry.type
class SubscriptionNextOrderPreview:
    next_order: SubscriptionNextOrder | None
    user_errors: list[SubscriptionError]


@strawberry.type(description="The offer made before a cancellation; accept or decline it with "
                             "subscriptionRespondToOffer.")
class SubscriptionRetentionOffer:
    kind: OfferKindEnum  # type: ignore[valid-type]
    percent: Decimal | None = strawberry.field(description="DISCOUNT: percent off each of the next renewals.")
    cycles: int | None = strawberry.field(description="DISCOUNT: how many renewals; PAUSE: how many cycles.")
    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None, "catalog.variant",
                       "variant_id")
    period_amount: Money | None = strawberry.field(
        description="CHEAPER_PLAN: its price per period at the location, before tax (when first shown).",
        resolver=lambda root: _money(root.period_amount, root.subscription.currency))
    shown_at: datetime | None
    accepted: bool | None = strawberry.field(description="Null until accepted or declined.")


@strawberry.type
class SubscriptionRetentionOfferAnswer:
    offer: SubscriptionRetentionOffer | None
    user_errors: list[SubscriptionError]


@strawberry.type(description="One change in a subscription's history.")
class SubscriptionEvent:
    kind: SubscriptionEventKindEnum  # type: ignore[valid-type]
    created_at: datetime
    details: strawberry.scalars.JSON
    invoice_id: strawberry.ID | None = strawberry.field(
        resolver=lambda root: encode("Invoice", root.invoice_id) if root.invoice_id else None)


@strawberry.type(description="A product added once to a recurring order's next order (billed by that renewal).")
class SubscriptionAddOn:
    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None, "catalog.variant",
                       "variant_id")
    title: str
    quantity: int
    unit_price: Money = strawberry.field(resolver=lambda root: MoneyData(root.unit_price, root.currency),
                                         description="The location's contracted price when added.")
    cycle_start: datetime = strawberry.field(description="The billing date of the order it joins.")
    created_at: datetime


@strawberry.type
class SubscriptionItem:
    quantity: int

    pending_quantity: int | None = strawberry.field(description="The quantity a scheduled change sets at the "
                                                                    "period end.")
    pending_variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None,
                               "catalog.variant", "pending_variant_id")

    @guarded("SubscriptionItem.unitPrice")
    def unit_price(self) -> Money | None:
        return MoneyData(self.unit_price, self.currency)  # type: ignore[attr-defined]

    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")] | None, "catalog.variant", "variant_id")


@strawberry.type
class Subscription(Node):
    id: strawberry.ID = node_id("Subscription")
    is_type_of = rows_of(models.Subscription)
    number: str
    status: SubscriptionStatusEnum  # type: ignore[valid-type]
    kind: SubscriptionKindEnum  # type: ignore[valid-type]
    interval: BillingIntervalEnum  # type: ignore[valid-type]
    interval_count: int
    currency_code: str = strawberry.field(resolver=lambda root: root.currency)
    current_period_start: datetime
    current_period_end: datetime
    next_billing_at: datetime | None
    paused_until: datetime | None = strawberry.field(description="A paused subscription bills again from then.")
    cancel_at_period_end: bool
    cancelled_at: datetime | None
    created_at: datetime

    items = relation("list[SubscriptionItem]", "subscriptions.items", shape=within)

    @guarded("Subscription.total", description="Price of one billing period.")
    async def total(self, info: Info) -> Money | None:
        items = await info.context.loaders.subscriptions.items.load(self.id)
        amount = sum((i.unit_price * i.quantity for i in items), Decimal("0.0000"))
        return MoneyData(amount, self.currency)  # type: ignore[return-value,attr-defined]

    location = relation(Annotated["Location", strawberry.lazy("schema.accounts")] | None, "accounts.location", "location_id")
    account = relation(Annotated["Account", strawberry.lazy("schema.accounts")], "accounts.account", "account_id")

    @guarded("Subscription.nextInvoiceAmount", description="What the next renewal (or the first after a pause) "
                                                           "invoices before tax: the price of one period with any "
                                                           "scheduled change applied; null when none follows.")
    async def next_invoice_amount(self, info: Info) -> Money | None:
        if self.status in (SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED) or self.cancel_at_period_end:  # type: ignore[attr-defined]
            return None
        items = await info.context.loaders.subscriptions.items.load(self.id)
        amount = sum(((i.unit_price if i.pending_unit_price is None else i.pending_unit_price)
                      * (i.quantity if i.pending_quantity is None else i.pending_quantity) for i in items),
                     Decimal("0.0000"))
        return _money(amount, self.currency)  # type: ignore[attr-defined]

    @guarded("Subscription.history", description="Its changes, oldest first.")
    async def history(self, info: Info) -> list[SubscriptionEvent] | None:
        return await info.context.loaders.subscriptions.events.load(self.id)  # type: ignore[no-any-return]

    @guarded("Subscription.pendingAddOns", description="One-time add-ons the next order will bill, oldest first.")
    async def pending_add_ons(self, info: Info) -> list[SubscriptionAddOn] | None:
        return await info.context.loaders.subscriptions.addons.load(self.id)  # type: ignore[no-any-return]

    @guarded("Subscription.pausePreview", description="When a pause would resume billing; nothing changes.")
    async def pause_preview(self, info: Info, until: datetime | None = None,
                      cycles: int | None = None) -> SubscriptionSchedulePreview | None:
        return await resolve.pause_preview(info.context, self, until, cycles)  # type: ignore[return-value,arg-type]

    @guarded("Subscription.skipPreview", description="When billing resumes after skipping the next `cycles` "
                                                     "renewals, or after taking skips back (no cycles); nothing "
                                                     "changes.")
    async def skip_preview(self, info: Info, cycles: int | None = None) -> SubscriptionSchedulePreview | None:
        return await resolve.skip_preview(info.context, self, cycles)  # type: ignore[return-value,arg-type]

    @guarded("Subscription.changeCadencePreview", description="The next date at another cadence; nothing changes.")
    async def change_cadence_preview(self, info: Info, interval: BillingIntervalEnum,  # type: ignore[valid-type]
                               interval_count: int) -> SubscriptionSchedulePreview | None:
        return await resolve.cadence_preview(info.context, self, interval, interval_count)  # type: ignore[return-value,arg-type]

    @guarded("Subscription.changeItemPreview",
             description="What subscriptionChangeItem with these arguments would do; nothing changes.")
    async def change_item_preview(self, info: Info, variant_id: strawberry.ID | None = None,
                                  quantity: int | None = None,
                                  from_variant_id: strawberry.ID | None = None) -> PlanChangePreview | None:
        return await resolve.change_item_preview(info.context, self, variant_id, quantity,  # type: ignore[return-value,arg-type]
                                                 from_variant_id)

    @guarded("Subscription.cancelPreview", description="When a cancellation would take effect (the portal's "
                                                       "cancelMode); nothing changes.")
    async def cancel_preview(self, info: Info) -> SubscriptionSchedulePreview | None:
        return await resolve.cancel_preview(info.context, self)  # type: ignore[return-value,arg-type]

    @guarded("Subscription.changeNextDatePreview", description="The next billing (and delivery) date of a "
                                                               "recurring order moved; nothing changes.")
    async def change_next_date_preview(self, info: Info, date: datetime) -> SubscriptionSchedulePreview | None:
        return await resolve.date_preview(info.context, self, date)  # type: ignore[return-value,arg-type]

    @guarded("Subscription.addOnPreview", description="The line a one-time add-on adds to the next order, priced "
                                                      "and taxed; nothing changes.")
    async def add_on_preview(self, info: Info, variant_id: strawberry.ID,
                             quantity: int = 1) -> SubscriptionNextOrderPreview | None:
        return await resolve.add_on_preview(info.context, self, variant_id, quantity)  # type: ignore[return-value,arg-type]

    @guarded("Subscription.orderNowPreview", description="Every line of the next order's invoice if it were "
                                                         "placed now; nothing changes.")
    async def order_now_preview(self, info: Info) -> SubscriptionNextOrderPreview | None:
        return await resolve.order_now_preview(info.context, self)  # type: ignore[return-value,arg-type]

    @guarded("Subscription.retentionOffer", description="The merchant's offer before cancelling, or NO_OFFER. The "
                                                        "first answer records it as shown (once per subscription).")
    async def retention_offer(self, info: Info) -> SubscriptionRetentionOfferAnswer | None:
        return await resolve.retention_offer(info.context, self)  # type: ignore[return-value,arg-type]

    @guarded("Subscription.changePlanPreview",
             description="What subscriptionChangePlan with these arguments would do now; nothing changes.")
    async def change_plan_preview(self, info: Info, variant_id: strawberry.ID, quantity: int | None = None,
                                  from_variant_id: strawberry.ID | None = None,
                                  proration_date: datetime | None = None) -> PlanChangePreview | None:
        return await resolve.change_plan_preview(info.context, self, variant_id, quantity,  # type: ignore[return-value,arg-type]
                                                 from_variant_id, proration_date)


SubscriptionConnection = Connection[Subscription]


@strawberry.input
class SubscriptionFilter:
    status: list[SubscriptionStatusEnum] | None = None  # type: ignore[valid-type]
    created_after: datetime | None = None
    created_before: datetime | None = None
    next_billing_after: datetime | None = None
    next_billing_before: datetime | None = None
    location_id: strawberry.ID | None = None
    number: str | None = None

    def to_data(self, **fixed: Any) -> SubscriptionFilterData:
        locations = tuple(fixed.pop("location_ids", ()))
        if self.location_id is not None:
            locations = locations + (decode_as(self.location_id, "Location"),)
        return SubscriptionFilterData(statuses=tuple(self.status or ()), created_after=self.created_after,
                                      created_before=self.created_before,
                                      next_billing_after=self.next_billing_after,
                                      next_billing_before=self.next_billing_before,
                                      location_ids=locations, number=self.number, **fixed)


def subscription_filter(f: SubscriptionFilter | None, **fixed: Any) -> SubscriptionFilterData:
    return (f or SubscriptionFilter()).to_data(**fixed)


@strawberry.input
class SubscriptionChangePlanInput:
    id: strawberry.ID
    variant_id: strawberry.ID = strawberry.field(description="The plan to change to.")
    quantity: int | None = strawberry.field(default=None, description="Seats; the current ones when left out.")
    from_variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Which item changes, when the subscription has several.")
    proration_date: datetime | None = strawberry.field(
        default=None, description="A preview's prorationDate, to be charged what it quoted (for a few minutes).")


@strawberry.input
class SubscriptionPauseInput:
    id: strawberry.ID
    until: datetime | None = strawberry.field(default=None, description="Resume billing on this date ...")
    cycles: int | None = strawberry.field(default=None, description="... or after skipping this many renewals.")


@strawberry.input
class SubscriptionSkipInput:
    id: strawberry.ID
    cycles: int = strawberry.field(description="How many of the next renewals to skip (1 to the maximum).")


@strawberry.input
class SubscriptionChangeCadenceInput:
    id: strawberry.ID
    interval: BillingIntervalEnum  # type: ignore[valid-type]
    interval_count: int = strawberry.field(description="Every this many intervals (at least 1).")


@strawberry.input
class SubscriptionChangeItemInput:
    id: strawberry.ID
    variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Another variant of the item's product; the same when left out.")
    quantity: int | None = strawberry.field(default=None, description="The same when left out.")
    from_variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Which item changes (its variant), when the order has several.")


@strawberry.input
class SubscriptionCancelInput:
    id: strawberry.ID
    reason: CancelReasonEnum | None = None  # type: ignore[valid-type]
    comment: str | None = strawberry.field(default=None, description="Up to 1000 characters.")


@strawberry.type
class SubscriptionSchedulePayload:
    subscription: Subscription | None
    schedule: SubscriptionSchedule | None
    user_errors: list[SubscriptionError]


@strawberry.input
class SubscriptionIdInput:
    id: strawberry.ID


@strawberry.type
class SubscriptionChangePlanPayload:
    subscription: Subscription | None
    change: PlanChange | None
    invoice: Annotated["Invoice", strawberry.lazy("schema.billing")] | None = strawberry.field(
        description="The prorated invoice of an upgrade (paid when charged automatically).")
    user_errors: list[SubscriptionError]


@strawberry.input
class SubscriptionChangeNextDateInput:
    id: strawberry.ID
    date: datetime = strawberry.field(description="The next billing date: in the future, at most the longest "
                                                  "pause ahead.")


@strawberry.input
class SubscriptionAddOnInput:
    id: strawberry.ID
    variant_id: strawberry.ID
    quantity: int = 1


@strawberry.type
class SubscriptionNextOrderPayload:
    subscription: Subscription | None
    next_order: SubscriptionNextOrder | None
    user_errors: list[SubscriptionError]


@strawberry.input
class SubscriptionRespondToOfferInput:
    id: strawberry.ID
    accept: bool


@strawberry.type
class SubscriptionRespondToOfferPayload:
    subscription: Subscription | None
    offer: SubscriptionRetentionOffer | None
    user_errors: list[SubscriptionError]


@strawberry.input
class RetentionOfferInput:
    kind: OfferKindEnum  # type: ignore[valid-type]
    percent: Decimal | None = None
    cycles: int | None = None


@strawberry.input
class SubscriptionPortalConfigureInput:
    preset: PortalPresetEnum = strawberry.field(description="The kind of business (shown to frontends).")  # type: ignore[valid-type]
    actions: list[PortalActionEnum]  # type: ignore[valid-type]
    cancel_mode: CancelModeEnum  # type: ignore[valid-type]
    prorate_upgrades: bool = True
    max_pause_cycles: int = strawberry.field(default=6, description="1 to 24.")
    cancel_by_admin_only: bool = False
    retention_offer: RetentionOfferInput | None = None

    def to_config(self) -> PortalConfig:
        offer = self.retention_offer
        return PortalConfig(self.preset, frozenset(self.actions), self.cancel_mode, self.prorate_upgrades,
                            self.max_pause_cycles, self.cancel_by_admin_only,
                            RetentionOffer(offer.kind, offer.percent, offer.cycles) if offer else None)


@strawberry.type
class SubscriptionPortalConfigurePayload:
    portal_configuration: PortalConfiguration | None
    user_errors: list[SubscriptionError]


@strawberry.type
class CancellationReasonCount:
    month: str = strawberry.field(description="YYYY-MM (UTC).")
    reason: CancelReasonEnum | None = strawberry.field(description="Null: no reason given.")  # type: ignore[valid-type]
    count: int


@strawberry.type
class RetentionOfferCount:
    month: str = strawberry.field(description="YYYY-MM (UTC) the offers were shown.")
    kind: OfferKindEnum  # type: ignore[valid-type]
    shown: int
    accepted: int
    declined: int


@strawberry.type(description="Cancellations (now or scheduled) by survey reason and month, and retention offers.")
class SubscriptionCancellationReport:
    reasons: list[CancellationReasonCount]
    offers: list[RetentionOfferCount]


@strawberry.type
class SubscriptionQueries:
    @authenticated(description="What the merchant's subscription portal offers customers.")
    async def portal_configuration(self, info: Info) -> PortalConfiguration:
        return await resolve.portal_configuration(info.context)  # type: ignore[return-value]

    @strawberry.field(description="Merchant staff: cancellations by reason and month, and retention offers shown, "
                                  "accepted and declined, since an instant (all time when left out).")
    async def subscription_cancellation_report(self, info: Info,
                                               since: datetime | None = None) -> SubscriptionCancellationReport:
        return await resolve.cancellation_report(info.context, since)  # type: ignore[return-value]


@strawberry.type
class SubscriptionMutations:
    @strawberry.mutation(description="Change the plan or seats (ADMIN). An upgrade takes effect now: a prorated "
                                     "invoice, charged at once to the default card when the subscription is "
                                     "charged automatically, and applied only if that payment succeeds. A "
                                     "downgrade is scheduled for the period end.")
    async def subscription_change_plan(self, info: Info,
                                       input: SubscriptionChangePlanInput) -> SubscriptionChangePlanPayload:
        return await resolve.change_plan(info.context, input.id, input.variant_id, input.quantity,  # type: ignore[return-value]
                                         input.from_variant_id, input.proration_date)

    @strawberry.mutation(description="Cancel a plan change scheduled for the period end (ADMIN).")
    async def subscription_cancel_pending_change(self, info: Info,
                                                 input: SubscriptionIdInput) -> SubscriptionChangePlanPayload:
        return await resolve.cancel_pending_change(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Pause until a date or for N cycles, within the merchant's maximum (ADMIN, "
                                     "BUYER of the location). Nothing is billed until it resumes.")
    async def subscription_pause(self, info: Info, input: SubscriptionPauseInput) -> SubscriptionSchedulePayload:
        return await resolve.pause(info.context, input.id, input.until, input.cycles)  # type: ignore[return-value]

    @strawberry.mutation(description="Resume a paused subscription now: it bills again on the next date of its "
                                     "cadence (ADMIN, BUYER of the location).")
    async def subscription_resume(self, info: Info, input: SubscriptionIdInput) -> SubscriptionSchedulePayload:
        return await resolve.resume(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Skip the next renewals: it stays active and bills next after them "
                                     "(ADMIN, BUYER of the location).")
    async def subscription_skip(self, info: Info, input: SubscriptionSkipInput) -> SubscriptionSchedulePayload:
        return await resolve.skip(info.context, input.id, input.cycles)  # type: ignore[return-value]

    @strawberry.mutation(description="Take skips back: bill at the end of the current period (ADMIN, BUYER of "
                                     "the location).")
    async def subscription_unskip(self, info: Info, input: SubscriptionIdInput) -> SubscriptionSchedulePayload:
        return await resolve.unskip(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Change how often a recurring order comes; the next date follows the new "
                                     "cadence from the current period's start (ADMIN, BUYER of the location).")
    async def subscription_change_cadence(self, info: Info,
                                          input: SubscriptionChangeCadenceInput) -> SubscriptionSchedulePayload:
        return await resolve.change_cadence(info.context, input.id, input.interval,  # type: ignore[return-value]
                                            input.interval_count)

    @strawberry.mutation(description="Swap a recurring order's item for another variant of its product (at the "
                                     "location's contracted price) or change its quantity, from the next order "
                                     "on (ADMIN, BUYER of the location). A plan's seats: subscriptionChangePlan.")
    async def subscription_change_item(self, info: Info,
                                       input: SubscriptionChangeItemInput) -> SubscriptionChangePlanPayload:
        return await resolve.change_item(info.context, input.id, input.variant_id, input.quantity,  # type: ignore[return-value]
                                         input.from_variant_id)

    @strawberry.mutation(description="Cancel now or at the period end, as the merchant's portal says, with a "
                                     "survey reason and comment (ADMIN; a BUYER of the location for a recurring "
                                     "order unless the portal leaves cancelling to ADMINs).")
    async def subscription_cancel(self, info: Info, input: SubscriptionCancelInput) -> SubscriptionSchedulePayload:
        return await resolve.cancel(info.context, input.id, input.reason, input.comment)  # type: ignore[return-value]

    @strawberry.mutation(description="Take back a cancellation at the period end, before that end; after the end "
                                     "(cancelled or expired), begin a new subscription of the same items at "
                                     "today's contracted prices, billed from now (as subscriptionCancel).")
    async def subscription_reactivate(self, info: Info, input: SubscriptionIdInput) -> SubscriptionSchedulePayload:
        return await resolve.reactivate(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Move a recurring order's next billing and delivery date (ADMIN, BUYER of the "
                                     "location); the cycles after it follow its cadence.")
    async def subscription_change_next_date(self, info: Info,
                                            input: SubscriptionChangeNextDateInput) -> SubscriptionSchedulePayload:
        return await resolve.change_next_date(info.context, input.id, input.date)  # type: ignore[return-value]

    @strawberry.mutation(description="Add a product once to a recurring order's next order, at the location's "
                                     "contracted price (ADMIN, BUYER of the location): billed by that renewal.")
    async def subscription_add_on(self, info: Info, input: SubscriptionAddOnInput) -> SubscriptionNextOrderPayload:
        return await resolve.add_on(info.context, input.id, input.variant_id, input.quantity)  # type: ignore[return-value]

    @strawberry.mutation(description="Place a recurring order's next order now: it is invoiced (and charged) at "
                                     "once and the next date moves a cycle on (ADMIN, BUYER of the location).")
    async def subscription_order_now(self, info: Info, input: SubscriptionIdInput) -> SubscriptionNextOrderPayload:
        return await resolve.order_now(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Accept (it applies now) or decline the offer shown before cancelling (as "
                                     "subscriptionCancel).")
    async def subscription_respond_to_offer(self, info: Info,
                                            input: SubscriptionRespondToOfferInput) -> SubscriptionRespondToOfferPayload:
        return await resolve.respond_to_offer(info.context, input.id, input.accept)  # type: ignore[return-value]

    @strawberry.mutation(description="Staff (STAFF_ADMIN): set what the subscription portal offers customers; it "
                                     "replaces the environment's preset.")
    async def subscription_portal_configure(self, info: Info, input: SubscriptionPortalConfigureInput
                                            ) -> SubscriptionPortalConfigurePayload:
        return await resolve.configure_portal(info.context, input.to_config())  # type: ignore[return-value]
