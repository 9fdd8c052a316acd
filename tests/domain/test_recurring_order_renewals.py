"""A recurring order's renewal places its cycle's order through the ordering rules
(domain/subscriptions/renewals.py, domain/ordering.place): the contracted price of the billing
date, the buyer's spending limit (the order waits for approval as a hand-placed one would), one
order per cycle, a cycle the rules refuse recorded unbilled; and the notices of renewals to come."""
from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from db.engine import count_statements
from db.enums import (BillingInterval, CollectionMethod, InvoiceStatus, OrderStatus, PaymentStatus, SubscriptionKind,
                      SubscriptionStatus)
from db.models import (Invoice, Membership, Order, OrderLine, OutboxMessage, PaymentMethod, ProductVariant,
                       Subscription, SubscriptionCycle, SubscriptionEvent, SubscriptionItem)
from db.repositories import ordering as order_repo
from domain import ordering
from domain.audit import Actor
from domain.invoicing import MerchantSettings
from domain.pricing import ListPriceRates
from domain.subscriptions import renewals
from domain.subscriptions.periods import boundary
from integrations.test_gateway import TestGateway
from resolvers.pricing import pricer_in
from tests.subscription_renewal_support import SERIES_START, billed, current, monthly, number_series, payments_of

MONTH = BillingInterval.MONTH
ORDER = SubscriptionKind.RECURRING_ORDER


async def _run(db, clock, merchant: MerchantSettings | None = None) -> renewals.Renewed:
    return await renewals.run(db, TestGateway(), clock, merchant or MerchantSettings())


async def _recurring(db, clock, *, limit: Decimal | None = None, **kw) -> tuple[Subscription, int]:
    """A monthly recurring order placed for a member of its account (with `limit` as their
    spending limit), its item's stored price made wrong so the contracted price shows."""
    sub = await monthly(db, clock.now(), kind=ORDER, **kw)
    async with db.transaction() as s:
        member = (await s.exec(select(Membership).where(Membership.account_id == sub.account_id)
                               .order_by(Membership.id))).first()
        member.spending_limit = limit
        s.add(member)
        row = await s.get(Subscription, sub.id)
        row.placed_by_user_id = member.user_id
        s.add(row)
        item = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub.id))).one()
        item.unit_price = Decimal("0.0100")
        s.add(item)
    return await current(db, sub.id), member.user_id


async def _orders(db, sub_id: int) -> list[Order]:
    async with db.session() as s:
        ids = (await s.exec(select(SubscriptionCycle.order_id).where(SubscriptionCycle.subscription_id == sub_id)
                            .order_by(SubscriptionCycle.period_start))).all()
        return [await s.get(Order, i) for i in ids if i is not None]


async def test_each_cycle_places_one_order_at_the_contracted_price_and_charges_its_invoice(db, clock):
    sub, buyer = await _recurring(db, clock)
    clock.at = sub.current_period_end
    done = await _run(db, clock)
    assert (done.cycles, done.orders, done.paid, done.awaiting_approval) == (1, 1, 1, 0)
    assert (await _run(db, clock)).cycles == 0  # run again: the cycle has its order
    [order] = await _orders(db, sub.id)
    async with db.session() as s:
        [line] = (await s.exec(select(OrderLine).where(OrderLine.order_id == order.id))).all()
        item = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub.id))).one()
        variant = await s.get(ProductVariant, item.variant_id)
        price, _rule = await pricer_in(s, clock.now(), ListPriceRates())(sub.location_id, variant, item.quantity)
    assert (order.status, order.location_id, order.placed_by_user_id) == (OrderStatus.OPEN, sub.location_id, buyer)
    assert (line.variant_id, line.quantity, line.unit_price) == (item.variant_id, item.quantity, price.amount)
    assert line.unit_price != item.unit_price  # the price list's, not the one stored on the item
    [(cycle, invoice)] = await billed(db, sub.id)
    assert (cycle.order_id, invoice.order_id, invoice.status) == (order.id, order.id, InvoiceStatus.PAID)
    assert invoice.total == order.total == cycle.amount
    [paid] = await payments_of(db, [invoice.id])
    assert (paid.status, paid.amount) == (PaymentStatus.SUCCEEDED, order.total)


async def test_over_the_buyers_spending_limit_the_order_waits_for_approval_then_is_charged(db, clock):
    sub, buyer = await _recurring(db, clock, limit=Decimal("1.00"))
    clock.at = sub.current_period_end
    done = await _run(db, clock)
    assert (done.cycles, done.orders, done.awaiting_approval, done.paid, done.failed) == (1, 1, 1, 0, 0)
    [order] = await _orders(db, sub.id)
    async with db.session() as s:
        cycle = (await s.exec(select(SubscriptionCycle).where(SubscriptionCycle.subscription_id == sub.id))).one()
        invoices = (await s.exec(select(Invoice).where(Invoice.order_id == order.id))).all()
        asked = (await s.exec(select(OutboxMessage).where(OutboxMessage.template == "order_awaiting_approval"))).all()
    assert order.status is OrderStatus.PENDING_APPROVAL and order.payment_method_id is not None
    assert (cycle.invoice_id, invoices) == (None, [])  # nothing invoiced or charged before the approval
    assert asked  # the approvers were told, as for a hand-placed order over the limit
    assert (await current(db, sub.id)).status is SubscriptionStatus.ACTIVE
    assert (await _run(db, clock)) == renewals.Renewed()  # waiting is not billed again
    async with db.transaction() as s:
        approvers = [u for u in await order_repo.approvers_of(s, sub.account_id, sub.location_id) if u.id != buyer]
        locked = await s.get(Order, order.id)
        await ordering.decide(s, locked, approvers[0].id, True, None, clock.now(), Actor("CUSTOMER", approvers[0].id),
                              MerchantSettings(), TestGateway())
    async with db.session() as s:
        [invoice] = (await s.exec(select(Invoice).where(Invoice.order_id == order.id))).all()
    assert invoice.status is InvoiceStatus.PAID and invoice.total == order.total


async def test_a_cycle_the_ordering_rules_refuse_is_recorded_and_not_billed(db, clock):
    sub, _buyer = await _recurring(db, clock)
    async with db.transaction() as s:
        item = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub.id))).one()
        variant = await s.get(ProductVariant, item.variant_id)
        variant.is_active = False  # no longer sold
        s.add(variant)
    clock.at = sub.current_period_end
    done = await _run(db, clock)
    assert (done.cycles, done.orders, done.not_placed, done.paid) == (1, 0, 1, 0)
    async with db.session() as s:
        cycle = (await s.exec(select(SubscriptionCycle).where(SubscriptionCycle.subscription_id == sub.id))).one()
        kinds = (await s.exec(select(SubscriptionEvent.kind, SubscriptionEvent.details)
                              .where(SubscriptionEvent.subscription_id == sub.id)
                              .order_by(SubscriptionEvent.id.desc()))).first()
    assert (cycle.order_id, cycle.invoice_id, cycle.amount) == (None, None, 0)
    assert kinds == ("ORDER_NOT_PLACED", {"periodStart": cycle.period_start.isoformat(),
                                          "periodEnd": cycle.period_end.isoformat(), "codes": ["NOT_SOLD"]})
    assert (await _run(db, clock)).cycles == 0
    assert (await current(db, sub.id)).next_billing_at == boundary(sub.created_at, MONTH, 1, 2)


async def test_an_invoiced_recurring_order_is_invoiced_as_orders_are(db, clock):
    sub, _buyer = await _recurring(db, clock, collection=CollectionMethod.SEND_INVOICE)
    clock.at = sub.current_period_end
    done = await _run(db, clock)
    assert (done.orders, done.paid) == (1, 0)
    [(cycle, invoice)] = await billed(db, sub.id)
    assert invoice.status is InvoiceStatus.OPEN and invoice.order_id == cycle.order_id
    assert await payments_of(db, [invoice.id]) == []


async def test_a_recurring_order_renewal_costs_the_same_statements_for_one_cycle_as_for_five(db, clock):
    start = clock.now()
    sub, _buyer = await _recurring(db, clock)
    clock.at = boundary(start, MONTH, 1, 1)
    series = await number_series(db)
    with count_statements() as one:
        assert (await _run(db, clock)).orders == 1
    after = await number_series(db)
    one_started, series = after - series, after
    idle = await _idle(db, clock)
    clock.at = boundary(start, MONTH, 1, 6)  # five cycles behind
    with count_statements() as five:
        assert (await _run(db, clock)).orders == 5
    five_started = await number_series(db) - series
    # one subscription: a batch per cycle; a year's first invoice and receipt number start their series
    per_cycle = one.count - idle - SERIES_START * one_started
    assert five.count - idle - SERIES_START * five_started == 5 * per_cycle
    print(f"statements per recurring-order renewal (charged): {per_cycle}")
    assert [o.status for o in await _orders(db, sub.id)] == [OrderStatus.OPEN] * 6


async def test_plan_renewals_cost_the_same_statements_for_one_subscription_as_for_five(db, clock):
    """1, 2 and 5 subscriptions due together (after a first renewal that warms the invoice
    series): each renewal adds the same statements to a batch's."""
    start = clock.now()
    sub = await monthly(db, start, collection=CollectionMethod.SEND_INVOICE)
    days = {1: 1, 2: 2, 5: 3}  # how many copies are anchored how many days after the original
    async with db.transaction() as s:
        item = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub.id))).one()
        for n, day in days.items():
            at = start + timedelta(days=day)
            for k in range(n):
                copy = Subscription(**{**sub.model_dump(exclude={"id"}), "number": f"{sub.number}-{day}-{k}",
                                       "created_at": at, "current_period_start": at,
                                       "current_period_end": boundary(at, MONTH, 1, 1),
                                       "next_billing_at": boundary(at, MONTH, 1, 1)})
                s.add(copy)
                await s.flush()
                s.add(SubscriptionItem(**{**item.model_dump(exclude={"id"}), "subscription_id": copy.id}))
    clock.at = boundary(start, MONTH, 1, 1)
    assert (await _run(db, clock)).cycles == 1
    counted = {}
    for n, day in days.items():
        clock.at = boundary(start + timedelta(days=day), MONTH, 1, 1)
        with count_statements() as c:
            assert (await _run(db, clock)).cycles == n
        counted[n] = c.count
    per_renewal = counted[2] - counted[1]
    assert counted[5] - counted[1] == 4 * per_renewal
    print(f"statements per plan renewal (invoiced): {per_renewal}; a pass renewing one: {counted[1]}")


async def _idle(db, clock) -> int:
    with count_statements() as idle:
        await _run(db, clock)
    return idle.count


async def test_the_upcoming_renewal_and_an_expiring_card_are_told_once(db, clock):
    start = clock.now()
    sub = await monthly(db, start)
    renews = sub.current_period_end
    async with db.transaction() as s:  # the default card expires the month before the renewal
        card = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == sub.account_id,
                                                         PaymentMethod.is_default == True))).one()  # noqa: E712
        before = renews - timedelta(days=renews.day + 1)
        card.exp_month, card.exp_year = before.month, before.year
        s.add(card)
    clock.at = renews - timedelta(days=8)
    assert (await _run(db, clock)).notices == 0  # not yet: 7 days before
    clock.at = renews - timedelta(days=7)
    done = await _run(db, clock)
    assert (done.notices, done.card_notices) == (1, 1)
    clock.advance(days=1)
    assert (await _run(db, clock)) == renewals.Renewed()  # once per billing date and per card
    async with db.session() as s:
        mails = (await s.exec(select(OutboxMessage).where(OutboxMessage.template.in_(
            ["subscription_renewal_upcoming", "payment_method_expiring"])).order_by(OutboxMessage.id))).all()
    upcoming = [m for m in mails if m.template == "subscription_renewal_upcoming"]
    expiring = [m for m in mails if m.template == "payment_method_expiring"]
    assert upcoming and len(upcoming) == len(expiring)  # each payer once of each
    assert {m.params["subscription"] for m in mails} == {sub.number}
    assert {m.params["expiry"] for m in expiring} == {f"{before.month:02d}/{before.year}"}
    assert all("••••" in m.params["payment"] for m in upcoming)
    assert {m.locale for m in mails} <= {"en", "de"}


async def test_renewal_notices_are_off_at_zero_days_and_an_invoiced_renewal_names_the_terms(db, clock):
    sub = await monthly(db, clock.now(), collection=CollectionMethod.SEND_INVOICE)
    clock.at = sub.current_period_end - timedelta(days=3)
    assert (await _run(db, clock, MerchantSettings(renewal_notice_days=0))).notices == 0
    done = await _run(db, clock, MerchantSettings(renewal_notice_days=0))
    assert done == renewals.Renewed()
    async with db.transaction() as s:  # told for that date already (with notices off): tell it again
        row = await s.get(Subscription, sub.id)
        row.notified_for = None
        s.add(row)
    assert (await _run(db, clock)).notices == 1
    async with db.session() as s:
        [m, *_] = (await s.exec(select(OutboxMessage).where(
            OutboxMessage.template == "subscription_renewal_upcoming"))).all()
    assert "invoice" in m.params["payment"] or "Rechnung" in m.params["payment"]
