"""The billing worker's renewals (domain/subscriptions/renewals.py): a year of monthly cycles with a
declined card in the middle, each cycle billed once however often the worker runs, a downgrade
applied at the boundary, a paused subscription not billed, and the dunning schedule."""
import logging
from datetime import timedelta
from decimal import Decimal

from sqlmodel import func, select

from db.engine import count_statements
from db.enums import BillingInterval, CollectionMethod, InvoiceStatus, PaymentStatus, SubscriptionStatus
from db.models import (Invoice, OutboxMessage, ProductVariant, Subscription, SubscriptionCycle, SubscriptionEvent,
                       SubscriptionItem)
from domain.invoicing import MerchantSettings
from domain.subscriptions import renewals
from domain.subscriptions.periods import boundary
from integrations.test_gateway import TestGateway
from tests.subscription_renewal_support import (DECLINE, SERIES_START, billed, card, current, monthly, number_series,
                                                payments_of)

MONTH = BillingInterval.MONTH


async def _run(db, clock, merchant: MerchantSettings | None = None) -> renewals.Renewed:
    return await renewals.run(db, TestGateway(), clock, merchant or MerchantSettings())


async def _mails(db, template: str = "subscription_payment_failed") -> list[OutboxMessage]:
    async with db.session() as s:
        return list((await s.exec(select(OutboxMessage).where(OutboxMessage.template == template))).all())


async def test_nothing_is_billed_before_the_billing_date(db, clock):
    sub = await monthly(db, clock.now())
    clock.at = sub.current_period_end - timedelta(seconds=1)
    assert (await _run(db, clock)).cycles == 0
    assert await billed(db, sub.id) == []


async def test_a_year_of_monthly_renewals_with_a_declined_card_in_the_middle(db, clock):
    start = clock.now()
    sub = await monthly(db, start)
    good = None
    for k in range(1, 13):
        clock.at = boundary(start, MONTH, 1, k)
        if k == 6:  # the card is declined at the sixth renewal and its first retry, then replaced
            good = await card(db, sub.account_id, DECLINE)
            done = await _run(db, clock)
            assert (done.cycles, done.paid, done.failed) == (1, 0, 1)
            assert (await current(db, sub.id)).status is SubscriptionStatus.PAST_DUE
            clock.advance(days=1)
            assert (await _run(db, clock)).failed == 1
            await card(db, sub.account_id, good)
            clock.advance(days=1)  # day 2: not yet the second retry
            assert (await _run(db, clock)) == renewals.Renewed()
            clock.advance(days=1)  # day 3
            assert (await _run(db, clock)).recovered == 1
        else:
            done = await _run(db, clock)
            assert (done.cycles, done.paid, done.failed) == (1, 1, 0), k
        assert (await _run(db, clock)).cycles == 0  # run again: nothing more to bill
    rows = await billed(db, sub.id)
    assert [c.period_start for c, _ in rows] == [boundary(start, MONTH, 1, k) for k in range(1, 13)]
    assert [c.period_end for c, _ in rows] == [boundary(start, MONTH, 1, k) for k in range(2, 14)]
    assert {i.status for _, i in rows} == {InvoiceStatus.PAID} and len({i.number for _, i in rows}) == 12
    async with db.session() as s:
        item = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub.id))).one()
    for _cycle, invoice in rows:  # the same plan, the same amount each month: the item's price, taxed
        assert invoice.subtotal == item.unit_price * item.quantity
        assert (invoice.total, invoice.amount_paid, invoice.amount_due) == (rows[0][1].total, invoice.total, 0)
        assert invoice.total == invoice.subtotal + invoice.tax
    pays = await payments_of(db, [i.id for _, i in rows])
    by_invoice = {i.id: [p for p in pays if p.invoice_id == i.id] for _, i in rows}
    for k, (_cycle, invoice) in enumerate(rows, 1):
        expected = [PaymentStatus.FAILED, PaymentStatus.FAILED, PaymentStatus.SUCCEEDED] if k == 6 \
            else [PaymentStatus.SUCCEEDED]
        assert [p.status for p in by_invoice[invoice.id]] == expected, k
        assert all(p.amount == invoice.total for p in by_invoice[invoice.id])
    failed = [p for p in pays if p.status is PaymentStatus.FAILED]
    paid = [p for p in pays if p.status is PaymentStatus.SUCCEEDED]
    assert len(failed) == 2 and {p.decline_code for p in failed} == {"generic_decline"}
    assert len(paid) == 12 and sum(p.amount for p in paid) == sum(i.total for _, i in rows)
    sixth = rows[5][0]
    assert (sixth.attempts, sixth.next_retry_at) == (3, None)
    after = await current(db, sub.id)
    assert after.status is SubscriptionStatus.ACTIVE and after.next_billing_at == boundary(start, MONTH, 1, 13)
    assert len(await _mails(db)) >= 2  # each failure told accounts payable
    async with db.session() as s:
        kinds = (await s.exec(select(SubscriptionEvent.kind).where(SubscriptionEvent.subscription_id == sub.id,
                                                                   SubscriptionEvent.kind != "RENEWED")
                              .order_by(SubscriptionEvent.id))).all()
    assert kinds == ["PAYMENT_FAILED", "PAYMENT_FAILED", "PAYMENT_RECOVERED"]
    # The year as a table (pytest -s prints it): invoice, period, amount, status, payments.
    print(f"\n| invoice | period | amount ({rows[0][1].currency}) | status | payments |\n|---|---|---:|---|---|")
    for cycle, invoice in rows:
        tried = ", ".join(f"{p.created_at:%d %b} {p.status.value.lower()}"
                          + (f" ({p.decline_code})" if p.decline_code else "") for p in by_invoice[invoice.id])
        print(f"| {invoice.number} | {cycle.period_start:%Y-%m-%d} – {cycle.period_end:%Y-%m-%d} | {invoice.total:.2f} "
              f"| {invoice.status.value} | {tried} |")
    print(f"year of renewals: 12 invoices of {rows[0][1].total} {rows[0][1].currency}, "
          f"{sum(i.total for _, i in rows)} paid in 12 charges, 2 declined")


async def test_renewals_exactly_once_when_the_worker_was_down_for_months(db, clock, caplog):
    start = clock.now()
    sub = await monthly(db, start)
    clock.at = boundary(start, MONTH, 1, 4) + timedelta(days=2)
    with caplog.at_level(logging.INFO, logger="portalql.renewals"):
        done = await renewals.run(db, TestGateway(), clock, MerchantSettings(), progress_every=2)
    assert (done.cycles, done.paid) == (4, 4)  # the missed cycles, one by one
    progress = [r.getMessage() for r in caplog.records if r.name == "portalql.renewals"]
    assert len(progress) == 2 and progress[-1].startswith("renewals so far: 4 renewed (4 paid, 0 charges failed")
    assert (await _run(db, clock)).cycles == 0
    rows = await billed(db, sub.id)
    assert [c.period_start for c, _ in rows] == [boundary(start, MONTH, 1, k) for k in range(1, 5)]
    # billed in order: each later period has a later invoice (its number and row) and charge
    assert [i.id for _, i in rows] == sorted(i.id for _, i in rows)
    assert [i.number for _, i in rows] == sorted(i.number for _, i in rows)
    assert [p.invoice_id for p in await payments_of(db, [i.id for _, i in rows])] == [i.id for _, i in rows]
    async with db.session() as s:
        one_each = (await s.exec(select(func.count()).select_from(SubscriptionCycle)
                                 .where(SubscriptionCycle.subscription_id == sub.id))).one()
    assert one_each == 4


async def test_a_downgrade_scheduled_for_the_period_end_is_applied_at_the_boundary(db, clock):
    sub = await monthly(db, clock.now())
    async with db.transaction() as s:
        item = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub.id))).one()
        variant = await s.get(ProductVariant, item.variant_id)
        other = (await s.exec(select(ProductVariant).where(ProductVariant.product_id == variant.product_id,
                                                           ProductVariant.id != variant.id))).first() or variant
        item.quantity = 3
        item.pending_variant_id, item.pending_quantity, item.pending_unit_price = other.id, 2, Decimal("10.0000")
        s.add(item)
    clock.at = sub.current_period_end
    assert (await _run(db, clock)).cycles == 1
    async with db.session() as s:
        item = await s.get(SubscriptionItem, item.id)
        kinds = (await s.exec(select(SubscriptionEvent.kind).where(SubscriptionEvent.subscription_id == sub.id)
                              .order_by(SubscriptionEvent.id))).all()
    assert (item.variant_id, item.quantity, item.unit_price, item.pending_variant_id) == (other.id, 2, Decimal("10"),
                                                                                          None)
    [(_cycle, invoice)] = await billed(db, sub.id)
    assert invoice.subtotal == Decimal("20")
    assert kinds[-2:] == ["PLAN_CHANGED", "RENEWED"]


async def test_a_paused_subscription_is_not_billed_until_its_pause_ends(db, clock):
    start = clock.now()
    sub = await monthly(db, start)
    resumes = boundary(start, MONTH, 1, 3)
    async with db.transaction() as s:
        paused = await s.get(Subscription, sub.id)
        paused.status, paused.paused_until, paused.next_billing_at = SubscriptionStatus.PAUSED, resumes, None
        s.add(paused)
    for k in (1, 2):
        clock.at = boundary(start, MONTH, 1, k)
        assert (await _run(db, clock)).cycles == 0
    assert await billed(db, sub.id) == []
    clock.at = resumes
    assert (await _run(db, clock)).cycles == 1
    [(cycle, invoice)] = await billed(db, sub.id)
    assert cycle.period_start == resumes and invoice.status is InvoiceStatus.PAID
    after = await current(db, sub.id)
    assert (after.status, after.paused_until) == (SubscriptionStatus.ACTIVE, None)


async def test_an_invoiced_subscription_leaves_its_invoice_open_by_the_terms(db, clock):
    sub = await monthly(db, clock.now(), collection=CollectionMethod.SEND_INVOICE)
    clock.at = sub.current_period_end
    done = await _run(db, clock)
    assert (done.cycles, done.paid) == (1, 0)
    [(_cycle, invoice)] = await billed(db, sub.id)
    assert invoice.status is InvoiceStatus.OPEN and invoice.amount_due == invoice.total > 0
    assert await payments_of(db, [invoice.id]) == []


async def test_dunning_retries_after_one_three_and_five_days_then_cancels(db, clock):
    sub = await monthly(db, clock.now())
    await card(db, sub.account_id, DECLINE)
    renewed_at = clock.at = sub.current_period_end
    await _run(db, clock)
    tried = []
    for day in range(1, 8):
        clock.at = renewed_at + timedelta(days=day)
        if (await _run(db, clock)).failed:
            tried.append(day)
    assert tried == [1, 3, 5]
    after = await current(db, sub.id)
    assert after.status is SubscriptionStatus.CANCELLED
    [(cycle, invoice)] = await billed(db, sub.id)
    assert cycle.attempts == 4 and invoice.status is InvoiceStatus.OPEN
    assert len([p for p in await payments_of(db, [invoice.id]) if p.status is PaymentStatus.FAILED]) == 4
    mails = await _mails(db)
    assert len(mails) % 4 == 0 and mails and {m.params["number"] for m in mails} == {invoice.number}
    assert {m.locale for m in mails} <= {"en", "de"}
    clock.advance(days=40)
    assert (await _run(db, clock)) == renewals.Renewed()  # cancelled: nothing more is billed or tried


async def test_dunning_may_leave_the_subscription_past_due_with_its_invoice_open(db, clock):
    merchant = MerchantSettings(dunning_retry_days=(2,), dunning_cancel=False)
    sub = await monthly(db, clock.now())
    good = await card(db, sub.account_id, DECLINE)
    clock.at = sub.current_period_end
    await _run(db, clock, merchant)
    clock.advance(days=2)
    assert (await _run(db, clock, merchant)).failed == 1
    assert (await current(db, sub.id)).status is SubscriptionStatus.PAST_DUE
    await card(db, sub.account_id, good)
    clock.advance(days=10)
    assert (await _run(db, clock, merchant)).cycles == 0  # no retry left; past due is not renewed
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(Invoice).where(Invoice.status == InvoiceStatus.OPEN,
                                                                            Invoice.id == (await billed(db, sub.id))[0][1].id))).one() == 1


async def test_the_worker_pass_renews_and_each_renewal_costs_the_same_statements(db, clock):
    from server.worker import work_once  # noqa: PLC0415
    start = clock.now()
    sub = await monthly(db, start)
    clock.at = boundary(start, MONTH, 1, 1)
    series = await number_series(db)
    with count_statements() as one:
        await renewals.run(db, TestGateway(), clock, MerchantSettings())
    after = await number_series(db)
    one_started, series = after - series, after
    clock.at = boundary(start, MONTH, 1, 3)  # two cycles behind
    with count_statements() as two:
        await renewals.run(db, TestGateway(), clock, MerchantSettings())
    two_started = await number_series(db) - series
    idle = await _idle(db, clock)
    assert two.count - idle - SERIES_START * two_started == 2 * (one.count - idle - SERIES_START * one_started)
    clock.at = boundary(start, MONTH, 1, 4)
    await work_once(db, None, clock, MerchantSettings(), TestGateway())
    assert len(await billed(db, sub.id)) == 4


async def _idle(db, clock) -> int:
    with count_statements() as idle:
        await renewals.run(db, TestGateway(), clock, MerchantSettings())
    return idle.count


async def test_an_invoice_paid_in_the_portal_meanwhile_ends_dunning_without_a_charge(db, clock):
    from domain.invoicing import apply_payment  # noqa: PLC0415
    sub = await monthly(db, clock.now())
    good = await card(db, sub.account_id, DECLINE)
    clock.at = sub.current_period_end
    await _run(db, clock)
    [(_cycle, invoice)] = await billed(db, sub.id)
    async with db.transaction() as s:  # paid another way (invoicePay, a transfer) before the retry
        await apply_payment(s, await s.get(Invoice, invoice.id), invoice.amount_due, clock.now())
    await card(db, sub.account_id, good)
    clock.advance(days=1)
    done = await _run(db, clock)
    assert (done.recovered, done.paid, done.failed) == (1, 0, 0)
    assert (await current(db, sub.id)).status is SubscriptionStatus.ACTIVE
    [(cycle, _invoice)] = await billed(db, sub.id)
    assert (cycle.attempts, cycle.next_retry_at) == (1, None)


async def test_a_trial_ending_is_billed_and_a_cancellation_at_period_end_expires_unbilled(db, clock):
    sub = await monthly(db, clock.now())
    async with db.transaction() as s:
        trial = await s.get(Subscription, sub.id)
        trial.status = SubscriptionStatus.TRIALING
        s.add(trial)
    clock.at = sub.current_period_end
    assert (await _run(db, clock)).paid == 1
    assert (await current(db, sub.id)).status is SubscriptionStatus.ACTIVE
    async with db.transaction() as s:
        leaving = await s.get(Subscription, sub.id)
        leaving.cancel_at_period_end = True
        s.add(leaving)
    clock.at = (await current(db, sub.id)).current_period_end
    assert (await _run(db, clock)).expired == 1
    after = await current(db, sub.id)
    assert (after.status, after.next_billing_at) == (SubscriptionStatus.EXPIRED, None)
    assert len(await billed(db, sub.id)) == 1
