"""Renewals: the billing worker's step (Stripe's subscription cycle). A subscription whose billing
date has come (ACTIVE, a TRIALING one whose trial ends, a PAUSED one whose pause ended) gets its
next period: a downgrade scheduled for the period end is applied first, the period is advanced
from the anchor (periods.py, the anchor being `created_at`), and the period is invoiced in advance
at each item's contracted price × quantity. Charged automatically, the default card pays it (a
receipt is mailed); a failed charge makes the subscription PAST_DUE, records the FAILED payment and
mails accounts payable. Sent by invoice, it stays OPEN until the account's terms.

Each cycle is billed once: a `subscription_cycle` row keyed (subscription, period start) is written
in the transaction that bills it, and workers claim due subscriptions in batches with FOR UPDATE
SKIP LOCKED (PostgreSQL), re-reading the billing date under the lock.

A recurring order (kind RECURRING_ORDER) places its cycle's order instead, through the ordering
rules (domain/ordering.place: the contracted price of the billing date, quantity rules, the credit
limit, the buyer's spending limit); the order is invoiced as orders are, and charged like a plan's
invoice when the subscription is charged automatically. An order waiting for approval is invoiced
(and charged) when it is approved, as a hand-placed one.

Dunning: a failed cycle is charged again `MerchantSettings.dunning_retry_days` after its renewal
(1, 3 and 5 days); after the last failure the subscription is cancelled, or left PAST_DUE with the
invoice open (`dunning_cancel`). A PAST_DUE subscription is not renewed until it is paid.

Notices: `renewal_notice_days` before a billing date the payers are told of the renewal, and of a
default card that expires before it (once per card and expiry)."""
import dataclasses
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

from db.engine import Database, SessionAsDatabase
from db.enums import CollectionMethod, InvoiceStatus, OrderStatus, SubscriptionKind, SubscriptionStatus
from db.loaders.pricing import price_rows
from db.models import (Account, Invoice, Location, Order, PaymentMethod, Subscription, SubscriptionAddon, SubscriptionCycle,
                       SubscriptionItem)
from db.repositories import billing as billing_repo
from db.repositories import invoice_mail as mail_repo
from db.repositories import ordering as order_repo
from db.repositories import subscriptions as repo
from domain import invoice_mail, invoicing, licenses, ordering, payments
from domain.audit import Actor
from domain.clock import Clock
from domain.errors import Rejected
from domain.invoicing import Billed, InvoiceOn, MerchantSettings
from domain.mail import enqueue_all, message
from domain.ordering import charged
from domain.pricing import ListPriceRates, pricer_of, schedules_from
from domain.subscriptions import retention
from domain.subscriptions.periods import next_boundary
from domain.subscriptions.plans import EventKind, event
from i18n.formatting import format_date, format_money

BATCH = 50
PROGRESS_EVERY = 1000  # renewals between two progress lines of a long run (a backlog, a first run)
CARD_NOTICE_DAYS = 7  # how early a card expiring before a renewal is told when renewal notices are off
SYSTEM = Actor("SYSTEM")  # the worker: the audit trail of the orders it places
log = logging.getLogger("portalql.renewals")


class RenewalEvent(StrEnum):
    """The subscription_event kinds the worker writes (next to plans.EventKind)."""

    RENEWED = "RENEWED"
    EXPIRED = "EXPIRED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_RECOVERED = "PAYMENT_RECOVERED"
    DUNNING_EXHAUSTED = "DUNNING_EXHAUSTED"
    ORDER_NOT_PLACED = "ORDER_NOT_PLACED"  # a recurring order's cycle the ordering rules refused


@dataclass
class Renewed:
    cycles: int = 0  # periods invoiced
    paid: int = 0  # of which charged successfully
    failed: int = 0  # charges declined (renewals and retries)
    recovered: int = 0  # retries that paid
    cancelled: int = 0  # subscriptions cancelled when dunning ran out
    expired: int = 0  # cancelled at their period end
    orders: int = 0  # recurring orders placed (of the cycles)
    awaiting_approval: int = 0  # of which waiting for an approver
    not_placed: int = 0  # recurring orders the ordering rules refused (the cycle is recorded, unbilled)
    notices: int = 0  # upcoming-renewal emails (one per subscription and billing date)
    card_notices: int = 0  # expiring-card emails (one per card and expiry)


def billing_at(sub: Subscription) -> datetime:
    """The instant the subscription bills next: its pause's end, else its billing date."""
    if sub.status is SubscriptionStatus.PAUSED:
        return sub.paused_until  # type: ignore[return-value]
    return sub.next_billing_at or sub.current_period_end


async def run(db: Database, gateway: payments.PaymentGateway, clock: Clock, merchant: MerchantSettings, *,
              batch: int = BATCH, rates: ListPriceRates | None = None,
              progress_every: int = PROGRESS_EVERY) -> Renewed:
    """One pass of the worker: the retries that are due, then every renewal that is due (a
    subscription several periods behind is renewed period by period, oldest first), then the
    notices of renewals to come. Several workers may run it. A long run logs its progress every
    `progress_every` renewals."""
    now, result = clock.now(), Renewed()
    rates = rates or ListPriceRates()
    while True:
        async with db.transaction() as session:
            taken = await _retry_batch(session, gateway, merchant, now, batch, result)
        if taken < batch:
            break
    started, logged = time.monotonic(), 0
    while True:
        async with db.transaction() as session:
            taken = await _renew_batch(session, gateway, merchant, rates, now, batch, result)
        if taken == 0:
            break
        if result.cycles - logged >= progress_every:
            logged = result.cycles
            seconds = time.monotonic() - started
            log.info("renewals so far: %s renewed (%s paid, %s charges failed, %s orders placed), %.0f s, %.1f/s",
                     result.cycles, result.paid, result.failed, result.orders, seconds,
                     result.cycles / seconds if seconds else 0.0)
    while True:
        async with db.transaction() as session:
            taken = await _notice_batch(session, merchant, now, batch, result)
        if taken < batch:
            break
    return result


# Renewing ----------------------------------------------------------------------------------------

async def _renew_batch(session: Any, gateway: payments.PaymentGateway, merchant: MerchantSettings,
                       rates: ListPriceRates, now: datetime, batch: int, result: Renewed) -> int:
    subs = await repo.due_for_renewal(session, now, batch)
    if not subs:
        return 0
    items = await repo.items_of_all(session, [s.id for s in subs])  # type: ignore[misc]
    addons = await repo.open_addons(session, [s.id for s in subs])  # type: ignore[misc]
    # Read once for the batch: the accounts and locations (held by the session after), and the
    # payers the invoice and receipt emails go to.
    accounts = sorted({s.account_id for s in subs})
    await repo.accounts_and_locations(session, accounts, sorted({s.location_id for s in subs if s.location_id}))
    await mail_repo.hold_payers(session, accounts)
    for sub in subs:
        await _renew(session, sub, items.get(sub.id, []), gateway, merchant, rates, now, result,  # type: ignore[arg-type]
                     addons.get(sub.id, []))  # type: ignore[arg-type]
    return len(subs)


async def renew_now(session: Any, sub: Subscription, gateway: payments.PaymentGateway, merchant: MerchantSettings,
                    now: datetime, rates: ListPriceRates | None = None) -> None:
    """Renew the cycle the next date starts at once (a recurring order ordered now)."""
    items = await repo.items_of(session, sub.id)  # type: ignore[arg-type]
    addons = (await repo.open_addons(session, [sub.id])).get(sub.id, [])  # type: ignore[list-item]
    await _renew(session, sub, items, gateway, merchant, rates or ListPriceRates(), now, Renewed(), addons)


async def _renew(session: Any, sub: Subscription, items: list[SubscriptionItem], gateway: payments.PaymentGateway,
                 merchant: MerchantSettings, rates: ListPriceRates, now: datetime, result: Renewed,
                 addons: list[SubscriptionAddon] | None = None) -> None:
    start = billing_at(sub)
    if sub.status is SubscriptionStatus.PAUSED:  # the pause is over: bill again from its end
        sub.status, sub.paused_until = SubscriptionStatus.ACTIVE, None
        event(session, sub, EventKind.RESUMED, now, None, nextBillingAt=start.isoformat())
    if sub.cancel_at_period_end:
        sub.status, sub.cancelled_at, sub.next_billing_at = SubscriptionStatus.EXPIRED, start, None
        sub.version += 1
        session.add(sub)
        event(session, sub, RenewalEvent.EXPIRED, now, None)  # type: ignore[arg-type]
        result.expired += 1
        return
    for item in items:
        if item.pending_variant_id is not None:
            event(session, sub, EventKind.PLAN_CHANGED, now, None, fromVariantId=item.variant_id,
                  fromQuantity=item.quantity, toVariantId=item.pending_variant_id, toQuantity=item.pending_quantity,
                  effectiveAt=start.isoformat())
            item.variant_id, item.quantity = item.pending_variant_id, item.pending_quantity or item.quantity
            item.unit_price = item.pending_unit_price if item.pending_unit_price is not None else item.unit_price
            item.pending_variant_id = item.pending_quantity = item.pending_unit_price = None
            session.add(item)
    anchor = sub.created_at if sub.created_at <= start else start
    end = next_boundary(anchor, sub.interval, sub.interval_count, start)
    account = await order_repo.account(session, sub.account_id)
    order: Order | None = None
    invoice: Invoice | None = None
    refused: list[str] = []
    addons = addons or []
    if sub.kind is SubscriptionKind.RECURRING_ORDER and sub.location_id is not None:
        order, invoice, refused = await _place_order(session, sub, items, addons, account, start, end, merchant,
                                                     rates, now)
    else:
        lines = await _lines(session, sub, [*items, *addons], account, start, end, merchant)  # type: ignore[list-item]
        invoice = await invoicing.invoice_billed(session, account, sub.location_id, lines, sub.currency, merchant, now)
        retention.discount_used(sub)
    if order is not None or invoice is not None:  # one-time add-ons are had once: by this order or invoice
        for addon in addons:
            addon.order_id = order.id if order is not None else None
            addon.invoice_id = invoice.id if invoice is not None else None
            session.add(addon)
    amount = invoice.total if invoice is not None else order.total if order is not None else Decimal(0)
    cycle = SubscriptionCycle(subscription_id=sub.id, period_start=start, period_end=end,  # type: ignore[arg-type]
                              invoice_id=invoice.id if invoice else None, order_id=order.id if order else None,
                              amount=amount, created_at=now)
    session.add(cycle)
    sub.status = SubscriptionStatus.ACTIVE
    sub.current_period_start, sub.current_period_end, sub.next_billing_at = start, end, end
    sub.version += 1
    session.add(sub)
    await session.flush()  # the cycle's unique key: a second renewal of this period fails here
    result.cycles += 1
    if sub.kind is SubscriptionKind.RECURRING_ORDER and order is None and sub.location_id is not None:
        event(session, sub, RenewalEvent.ORDER_NOT_PLACED, now, None, None,  # type: ignore[arg-type]
              periodStart=start.isoformat(), periodEnd=end.isoformat(), codes=refused)
        result.not_placed += 1
        return
    if order is not None:
        result.orders += 1
        result.awaiting_approval += order.status is OrderStatus.PENDING_APPROVAL
    event(session, sub, RenewalEvent.RENEWED, now, None, invoice.id if invoice else None,  # type: ignore[arg-type]
          periodStart=start.isoformat(), periodEnd=end.isoformat(), amount=str(amount),
          **({"orderId": order.id, "orderNumber": order.number, "orderStatus": order.status.value} if order else {}))
    await licenses.grant_for_subscription(session, sub, items, merchant.secret_key, now)  # a plan's license keys
    if sub.collection_method is CollectionMethod.CHARGE_AUTOMATICALLY and invoice is not None \
            and invoice.status is InvoiceStatus.OPEN and invoice.amount_due > 0:
        await _collect(session, sub, cycle, invoice, gateway, merchant, now, result)


async def _place_order(session: Any, sub: Subscription, items: list[SubscriptionItem], addons: list[SubscriptionAddon],
                       account: Account, start: datetime, end: datetime, merchant: MerchantSettings, rates: ListPriceRates,
                       now: datetime) -> tuple[Order | None, Invoice | None, list[str]]:
    """The cycle's order at the subscription's location, as a hand-placed order: its items (and the
    cycle's one-time add-ons) at the contracted price of the billing date, the quantity rules, the credit
    limit, and the spending limit of the buyer it is placed for (over it: PENDING_APPROVAL, the
    approvers are told, and approving it invoices and charges it). Charged automatically, it is
    invoiced now whatever the merchant's invoicing moment, as a card order is (checkout.pay_invoice),
    so the renewal charges that invoice. Refused by the rules: no order, and the codes why."""
    location, lines, refused = await _priced_cycle(session, sub, items, addons, start, rates)
    if refused:
        return None, None, refused
    charged_now = sub.collection_method is CollectionMethod.CHARGE_AUTOMATICALLY
    placing = dataclasses.replace(merchant, invoice_on=InvoiceOn.PLACEMENT, invoice_drafts=False) if charged_now \
        else merchant
    note = f"Recurring order {sub.number}, {start:%Y-%m-%d} – {end:%Y-%m-%d}"
    try:
        order = await ordering.place(session, ordering.Placement(
            sub.account_id, location, sub.placed_by_user_id, lines, note=note, source="subscription"),
            now, SYSTEM, placing)
    except Rejected as e:  # the credit limit, an empty order: nothing was written
        return None, None, sorted({p.code.value for p in e.problems})
    result_invoice = None
    if order.status is OrderStatus.PENDING_APPROVAL:
        if charged_now:  # approving it charges the card, as for an order placed to be paid by card
            method = await repo.default_method(session, sub.account_id)
            order.payment_method_id = method.id if method is not None else None
            session.add(order)
    else:
        result_invoice = next(iter(await billing_repo.invoices_of(session, order.id)), None)  # type: ignore[arg-type]
    return order, result_invoice, []


async def _priced_cycle(session: Any, sub: Subscription, items: list[SubscriptionItem],
                        addons: list[SubscriptionAddon], start: datetime,
                        rates: ListPriceRates) -> tuple[Location, list[ordering.PricedLine], list[str]]:
    """A recurring order's cycle priced as ordering prices an order at its location on the billing
    date: the lines, and the codes of whatever the rules refuse (then no order is placed)."""
    location = await order_repo.location(session, sub.location_id)  # type: ignore[arg-type]
    requests = [ordering.LineRequest(i.quantity, variant_id=i.variant_id, field=["items", str(n)])
                for n, i in enumerate(items)]
    requests += [ordering.LineRequest(a.quantity, variant_id=a.variant_id, field=["addOns", str(n)])
                 for n, a in enumerate(addons)]
    keys = sorted({(location.id, r.variant_id) for r in requests if r.variant_id is not None})  # type: ignore[misc]
    schedules = schedules_from(await price_rows(start)(SessionAsDatabase(session), keys), rates)
    pricer = pricer_of(dict(zip(keys, schedules, strict=True)))
    lines, problems = await ordering.price_lines(session, location.id, sub.currency, requests, pricer)  # type: ignore[arg-type]
    return location, lines, sorted({p.code.value for p in problems})


async def order_lines_of(session: Any, sub: Subscription, items: list[SubscriptionItem],
                         addons: list[SubscriptionAddon], account: Any, start: datetime, merchant: MerchantSettings,
                         rates: ListPriceRates, taxed_at: datetime) -> list[Billed]:
    """The lines a recurring order's cycle will invoice, as its order will have them (previews)."""
    location, lines, _refused = await _priced_cycle(session, sub, items, addons, start, rates)
    address = await order_repo.shipping_address(session, location.id, None)  # type: ignore[arg-type]
    taxes = await ordering.taxed_lines(session, merchant, account, location, address, lines, taxed_at)
    return [Billed(None, ln.variant.id, ln.title, ln.quantity, ln.unit_price, ln.total, sub.currency,
                   t.percent, t.amount, t.label, t.jurisdiction, t.reason, t.included)
            for ln, t in zip(lines, taxes, strict=True)]


@dataclass(frozen=True)
class _Taxable:
    total: Decimal
    includes_tax: bool


async def _lines(session: Any, sub: Subscription, items: list[SubscriptionItem], account: Any, start: datetime,
                 end: datetime, merchant: MerchantSettings, discounted: bool = True) -> list[Billed]:
    """One line per item (and one-time add-on) at its contracted price (net of tax), taxed as an
    order line of the location would be."""
    variants = await order_repo.variants_for(session, [i.variant_id for i in items], [])
    titles = await order_repo.product_titles(session, list({v.product_id for v, _ in variants}))
    named = {v.id: f"{titles.get(v.product_id, '')} / {v.title}" for v, _ in variants}
    amounts = [charged(i.unit_price * i.quantity, sub.currency) for i in items]
    # An accepted retention offer's discount: a line of its own, taxed as the others.
    discount = retention.discount(sub, amounts) if discounted else None
    taxable = amounts + ([discount] if discount is not None else [])
    taxes = [None] * len(taxable)
    if sub.location_id is not None:
        location = await order_repo.location(session, sub.location_id)
        taxes = await ordering.taxed_lines(session, merchant, account, location, None,  # type: ignore[assignment]
                                           [_Taxable(a, False) for a in taxable], start)
    period = f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"
    out = []
    for item, amount, t in zip(items, amounts, taxes):
        once = "One-time: " if isinstance(item, SubscriptionAddon) else ""
        text = f"{once}{named.get(item.variant_id, 'Subscription')} × {item.quantity}, {period}"[:200]
        about = (t.percent, t.amount, t.label, t.jurisdiction, t.reason, t.included) if t is not None else ()
        out.append(Billed(None, item.variant_id, text, item.quantity, item.unit_price, amount, sub.currency, *about))
    if discount is not None:
        t = taxes[-1]
        about = (t.percent, t.amount, t.label, t.jurisdiction, t.reason, t.included) if t is not None else ()
        out.append(Billed(None, None, f"{retention.discount_label(sub)}, {period}", 1, discount, discount,
                          sub.currency, *about))
    return out




# Collecting --------------------------------------------------------------------------------------

async def _collect(session: Any, sub: Subscription, cycle: SubscriptionCycle, invoice: Invoice,
                   gateway: payments.PaymentGateway, merchant: MerchantSettings, now: datetime,
                   result: Renewed) -> bool:
    """Charge the cycle's invoice to the default card: True if paid. The key names the cycle and
    the attempt, so a pass retried after a lost answer never charges twice."""
    cycle.attempts += 1
    key = f"subscription-{sub.id}-cycle-{int(cycle.period_start.timestamp())}-attempt-{cycle.attempts}"
    method = await repo.default_method(session, sub.account_id)
    outcome, reason = None, "no_payment_method"
    if method is not None:
        try:
            charge = await payments.charge(gateway, method, invoice.amount_due, sub.currency, key, now,
                                           f"Subscription {sub.number}: invoice {invoice.number}")
        except Rejected as e:  # expired, or saved with another gateway: asked nothing
            reason = e.problems[0].code.lower() if e.problems else "refused"
        else:
            outcome = charge.outcome
            if outcome is payments.Outcome.SUCCEEDED:
                paid = await payments.record_charge(session, [(invoice, invoice.amount_due)], charge, method, key,
                                                    now, merchant.numbering)
                await invoice_mail.receipt(session, paid, merchant, now)
                cycle.next_retry_at = None
                session.add(cycle)
                result.paid += 1
                return True
            reason = charge.decline_code or outcome.value.lower()
            session.add_all(payments.failed_payments([(invoice, invoice.amount_due)], charge, method, key, now))
    await _failed(session, sub, cycle, invoice, method, reason, merchant, now, result)
    return False


async def _failed(session: Any, sub: Subscription, cycle: SubscriptionCycle, invoice: Invoice,
                  method: PaymentMethod | None, reason: str, merchant: MerchantSettings, now: datetime,
                  result: Renewed) -> None:
    result.failed += 1
    schedule = merchant.dunning_retry_days
    retry = cycle.created_at + timedelta(days=schedule[cycle.attempts - 1]) if cycle.attempts <= len(schedule) \
        else None
    cycle.next_retry_at = retry
    session.add(cycle)
    sub.status = SubscriptionStatus.PAST_DUE
    event(session, sub, RenewalEvent.PAYMENT_FAILED, now, None, invoice.id,  # type: ignore[arg-type]
          attempt=cycle.attempts, reason=reason, nextRetryAt=retry.isoformat() if retry else None)
    if retry is None:
        event(session, sub, RenewalEvent.DUNNING_EXHAUSTED, now, None, invoice.id,  # type: ignore[arg-type]
              cancelled=merchant.dunning_cancel)
        if merchant.dunning_cancel:
            sub.status, sub.cancelled_at, sub.next_billing_at = SubscriptionStatus.CANCELLED, now, None
            result.cancelled += 1
    sub.version += 1
    session.add(sub)
    await payment_failed_mail(session, sub, invoice, method, reason, retry, merchant, now)


async def payment_failed_mail(session: Any, sub: Subscription, invoice: Invoice, method: PaymentMethod | None,
                              reason: str, retry: datetime | None, merchant: MerchantSettings,
                              now: datetime) -> None:
    """The 'payment failed' email to the account's payers (invoice_mail.recipients)."""
    payers = invoice_mail.recipients(await mail_repo.payers(session, [sub.account_id]), sub.account_id,
                                     sub.location_id)
    card = f"{method.brand} •••• {method.last4}" if method is not None else "-"
    pdf_url = invoice_mail.document_url(merchant, "invoices", "Invoice", invoice.id)  # type: ignore[arg-type]
    mails = []
    for p in payers:
        locale = p.user.locale or p.account.locale or "en"
        mails.append(message(
            to=p.user.email, template="subscription_payment_failed", now=now, locale=locale, name=p.user.name,
            account=p.account.name, subscription=sub.number, number=invoice.number, card=card, reason=reason,
            amount_due=format_money(invoice.amount_due, invoice.currency, locale), pdf_url=pdf_url,
            next_attempt=format_date(retry.date(), locale, "long") if retry else "-"))
    await enqueue_all(session, mails)


# Dunning -----------------------------------------------------------------------------------------

async def _retry_batch(session: Any, gateway: payments.PaymentGateway, merchant: MerchantSettings, now: datetime,
                       batch: int, result: Renewed) -> int:
    cycles = await repo.retries_due(session, now, batch)
    if not cycles:
        return 0
    subs = await repo.subscriptions_locked(session, [c.subscription_id for c in cycles])
    invoices = await repo.invoices_locked(session, [c.invoice_id for c in cycles])  # type: ignore[misc]
    for cycle in cycles:
        sub, invoice = subs[cycle.subscription_id], invoices[cycle.invoice_id]  # type: ignore[index]
        if sub.status is not SubscriptionStatus.PAST_DUE or invoice.status is not InvoiceStatus.OPEN \
                or invoice.amount_due <= 0 or await _collect(session, sub, cycle, invoice, gateway, merchant, now,
                                                               result):
            # Paid (now, or meanwhile in the portal), or no longer owed: the subscription goes on.
            cycle.next_retry_at = None
            session.add(cycle)
            if sub.status is SubscriptionStatus.PAST_DUE:
                sub.status = SubscriptionStatus.ACTIVE
                sub.version += 1
                session.add(sub)
                event(session, sub, RenewalEvent.PAYMENT_RECOVERED, now, None, invoice.id)  # type: ignore[arg-type]
                result.recovered += 1
    return len(cycles)


# Notices -----------------------------------------------------------------------------------------

# How the renewal is paid, in the notice's sentence ("... for the next period, paid {payment}").
NOTICE_PAYMENT = {"en": ("with the {card}", "by invoice, on the account's payment terms"),
                  "de": ("mit der {card}", "per Rechnung, zu den Zahlungsbedingungen des Kontos")}


def card_expires_at(method: PaymentMethod) -> datetime:
    """The instant a card stops working: the end of its expiry month (UTC)."""
    year, month = divmod(method.exp_year * 12 + method.exp_month, 12)  # the month after: (y, m + 1)
    return datetime(year, month + 1, 1, tzinfo=timezone.utc)


def _expiry(method: PaymentMethod) -> str:
    return f"{method.exp_year:04d}-{method.exp_month:02d}"


async def _notice_batch(session: Any, merchant: MerchantSettings, now: datetime, batch: int, result: Renewed) -> int:
    """Subscriptions renewing within the notice window and not yet told of that billing date: an
    'upcoming renewal' email to their payers (when `renewal_notice_days` is not 0) and, for one
    charged automatically, a 'card expiring' email when the account's default card expires before
    that date (once per card and expiry). Each is marked done for its billing date."""
    days = merchant.renewal_notice_days or CARD_NOTICE_DAYS
    subs = await repo.due_for_notice(session, now, now + timedelta(days=days), batch)
    if not subs:
        return 0
    accounts = sorted({s.account_id for s in subs})
    items = await repo.items_of_all(session, [s.id for s in subs])  # type: ignore[misc]
    payers = await mail_repo.payers(session, accounts)
    cards = await repo.default_methods_locked(session, accounts)
    mails = []
    for sub in subs:
        billing = billing_at(sub)
        to = invoice_mail.recipients(payers, sub.account_id, sub.location_id)
        card = cards.get(sub.account_id)
        automatic = sub.collection_method is CollectionMethod.CHARGE_AUTOMATICALLY
        if merchant.renewal_notice_days:  # the window is theirs: every subscription here is due a notice
            amount = sum((charged((i.unit_price if i.pending_unit_price is None else i.pending_unit_price)
                                  * (i.quantity if i.pending_quantity is None else i.pending_quantity), sub.currency)
                          for i in items.get(sub.id, [])), Decimal(0))  # type: ignore[arg-type]
            for p in to:
                locale = p.user.locale or p.account.locale or "en"
                by_card, by_invoice = NOTICE_PAYMENT.get(locale.split("_")[0], NOTICE_PAYMENT["en"])
                payment = by_card.format(card=f"{card.brand} •••• {card.last4}") if automatic and card is not None \
                    else by_invoice
                mails.append(message(
                    to=p.user.email, template="subscription_renewal_upcoming", now=now, locale=locale,
                    name=p.user.name, account=p.account.name, subscription=sub.number,
                    renews_on=format_date(billing.date(), locale, "long"),
                    amount=format_money(amount, sub.currency, locale), payment=payment))
            result.notices += 1
        if automatic and card is not None and card_expires_at(card) <= billing \
                and card.expiry_notified_for != _expiry(card):
            for p in to:
                locale = p.user.locale or p.account.locale or "en"
                mails.append(message(
                    to=p.user.email, template="payment_method_expiring", now=now, locale=locale,
                    name=p.user.name, account=p.account.name, card=f"{card.brand} •••• {card.last4}",
                    expiry=f"{card.exp_month:02d}/{card.exp_year}", subscription=sub.number,
                    renews_on=format_date(billing.date(), locale, "long")))
            card.expiry_notified_for = _expiry(card)
            session.add(card)
            result.card_notices += 1
        sub.notified_for = billing
        session.add(sub)
    await enqueue_all(session, mails)
    return len(subs)
