"""A subscription made due for renewal, for the renewal tests (SQLite and PostgreSQL)."""
from datetime import datetime

from sqlmodel import func, select, update

from db.enums import BillingInterval, CollectionMethod, SubscriptionKind, SubscriptionStatus
from db.models import DocumentSequence, Invoice, Payment, PaymentMethod, Subscription, SubscriptionCycle, SubscriptionItem
from domain.subscriptions.periods import boundary

DECLINE = "pm_test_visa_chargeDeclined_9"
SERIES_START = 2  # statements more for a year's first invoice (or receipt) number: its series row is made


async def number_series(db) -> int:
    """How many number series (series and year) have their row: counting statements exactly, a
    pass that starts one costs SERIES_START more (db/repositories/billing.take_sequence_value)."""
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(DocumentSequence))).one()


async def monthly(db, start: datetime, *, collection: CollectionMethod = CollectionMethod.CHARGE_AUTOMATICALLY,
                  others: bool = False, kind: SubscriptionKind = SubscriptionKind.PLAN) -> Subscription:
    """An active monthly subscription in USD of one item, anchored at `start` (its first period
    [start, start + 1 month)), its account's default card valid for years, a plan unless `kind`
    says otherwise. Every other subscription is cancelled unless `others`, so a pass renews this
    one alone."""
    async with db.transaction() as s:
        subs = (await s.exec(select(Subscription).where(Subscription.currency == "USD")
                             .order_by(Subscription.id))).all()
        counts = dict((await s.exec(select(SubscriptionItem.subscription_id, func.count())
                                    .group_by(SubscriptionItem.subscription_id))).all())
        methods = set((await s.exec(select(PaymentMethod.account_id).where(PaymentMethod.is_default == True))).all())  # noqa: E712
        sub = next(x for x in subs if counts.get(x.id) == 1 and x.account_id in methods and x.location_id)
        if not others:
            await s.exec(update(Subscription).where(Subscription.id != sub.id)
                         .values(status=SubscriptionStatus.CANCELLED))
        await s.exec(update(PaymentMethod).where(PaymentMethod.account_id == sub.account_id)
                     .values(exp_year=start.year + 5))
        sub.status, sub.interval, sub.interval_count = SubscriptionStatus.ACTIVE, BillingInterval.MONTH, 1
        sub.created_at = sub.current_period_start = start
        sub.current_period_end = sub.next_billing_at = boundary(start, BillingInterval.MONTH, 1, 1)
        sub.collection_method, sub.cancel_at_period_end, sub.paused_until = collection, False, None
        sub.kind = kind
        s.add(sub)
    return sub


async def card(db, account_id: int, method_id: str | None) -> str:
    """Put a test token on the account's default card; the one it had."""
    async with db.transaction() as s:
        method = (await s.exec(select(PaymentMethod).where(PaymentMethod.account_id == account_id,
                                                           PaymentMethod.is_default == True))).one()  # noqa: E712
        before = method.gateway_method_id
        method.gateway_method_id = method_id or before
        s.add(method)
    return before


async def billed(db, sub_id: int) -> list[tuple[SubscriptionCycle, Invoice]]:
    async with db.session() as s:
        return list((await s.exec(select(SubscriptionCycle, Invoice).join(Invoice, Invoice.id == SubscriptionCycle.invoice_id)
                                  .where(SubscriptionCycle.subscription_id == sub_id)
                                  .order_by(SubscriptionCycle.period_start))).all())


async def payments_of(db, invoice_ids: list[int]) -> list[Payment]:
    async with db.session() as s:
        return list((await s.exec(select(Payment).where(Payment.invoice_id.in_(invoice_ids)).order_by(Payment.id))).all())


async def current(db, sub_id: int) -> Subscription:
    async with db.session() as s:
        return await s.get(Subscription, sub_id)
