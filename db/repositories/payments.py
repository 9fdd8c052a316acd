"""Saved payment methods as the caller may see them (ADMIN and ACCOUNTS_PAYABLE of the account),
and the lookups the payment-method rules make."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import CollectionMethod, PaymentMethodKind, PaymentStatus, SubscriptionStatus
from db.models import Invoice, Payment, PaymentMethod, Subscription
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


class PaymentMethodRepository(ScopedRepository[PaymentMethod]):
    model = PaymentMethod

    def visible(self) -> Select:
        return select(PaymentMethod).where(self.scope.where(PaymentMethod.account_id))


async def methods_of(session: AsyncSession, account_id: int) -> list[PaymentMethod]:
    stmt = select(PaymentMethod).where(PaymentMethod.account_id == account_id).order_by(PaymentMethod.id)
    return list((await session.exec(stmt)).all())


async def method_by_gateway_id(session: AsyncSession, gateway: str, method_id: str) -> PaymentMethod | None:
    stmt = select(PaymentMethod).where(PaymentMethod.gateway == gateway, PaymentMethod.gateway_method_id == method_id)
    return (await session.exec(stmt)).first()


async def customer_of(session: AsyncSession, account_id: int, gateway: str) -> str | None:
    """The gateway's customer that the account's saved methods are attached to, if any."""
    stmt = (select(PaymentMethod.gateway_customer_id)
            .where(PaymentMethod.account_id == account_id, PaymentMethod.gateway == gateway,
                   PaymentMethod.gateway_customer_id.is_not(None))  # type: ignore[union-attr]
            .order_by(PaymentMethod.id).limit(1))
    return (await session.exec(stmt)).first()


async def clear_default(session: AsyncSession, account_id: int) -> None:
    await session.exec(update(PaymentMethod).where(PaymentMethod.account_id == account_id,  # type: ignore[call-overload]
                                                   PaymentMethod.is_default == True)  # noqa: E712
                       .values(is_default=False))


async def charged_subscriptions(session: AsyncSession, account_id: int, statuses: Sequence[SubscriptionStatus],
                                method: CollectionMethod) -> int:
    """How many of the account's subscriptions in `statuses` are collected by `method`."""
    stmt = select(func.count()).select_from(Subscription).where(
        Subscription.account_id == account_id, Subscription.status.in_(statuses),  # type: ignore[attr-defined]
        Subscription.collection_method == method)
    return (await session.exec(stmt)).one()


async def payments_of_group(session: AsyncSession, group_key: str | None) -> list[Payment]:
    """The rows of one payment (one per invoice it paid), in invoice order."""
    if group_key is None:
        return []
    stmt = select(Payment).where(Payment.group_key == group_key).order_by(Payment.invoice_id, Payment.id)
    return list((await session.exec(stmt)).all())


@dataclass(frozen=True)
class PaymentFilter:
    account_ids: tuple[int, ...] = ()
    statuses: tuple[PaymentStatus, ...] = ()
    methods: tuple[PaymentMethodKind, ...] = ()
    invoice_ids: tuple[int, ...] = ()
    created_after: datetime | None = None   # inclusive
    created_before: datetime | None = None  # exclusive


class PaymentRepository(ScopedRepository[Payment]):
    """Payments are seen by who sees their invoice."""
    model = Payment

    def visible(self) -> Select:
        return (select(Payment).join(Invoice, Invoice.id == Payment.invoice_id)
                .where(self.scope.where(Invoice.account_id, Invoice.location_id)))

    def filtered(self, f: PaymentFilter) -> Select:
        stmt = self.visible()
        for column, values in ((Payment.account_id, f.account_ids), (Payment.status, f.statuses),
                               (Payment.method, f.methods), (Payment.invoice_id, f.invoice_ids)):
            if values:
                stmt = stmt.where(column.in_(values))  # type: ignore[attr-defined]
        if f.created_after:
            stmt = stmt.where(Payment.created_at >= f.created_after)
        if f.created_before:
            stmt = stmt.where(Payment.created_at < f.created_before)
        return stmt

    async def page(self, f: PaymentFilter, **window: Any) -> Page[Payment]:
        return await keyset_page(self.session, self.filtered(f), [Payment.created_at, Payment.id], **window)

    async def count(self, f: PaymentFilter) -> int:
        return await count_rows(self.session, self.filtered(f))


async def paid_before(session: AsyncSession, payments: list[Payment]) -> dict[int, Decimal]:
    """What successful payments before these had paid of each of their invoices."""
    totals: dict[int, Decimal] = {}
    for p in payments:
        stmt = select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.invoice_id == p.invoice_id, Payment.status == PaymentStatus.SUCCEEDED, Payment.id < p.id)
        totals[p.invoice_id] = Decimal((await session.exec(stmt)).one())
    return totals
