"""The reads and locks that placing, approving and changing orders need.

Keys passed here are ids the caller was already allowed to see (rows fetched through a scoped
repository), except where a function says it scopes itself."""
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import NoResultFound
from sqlalchemy.sql import Select
from sqlmodel import func, or_, select

from db.enums import AddressKind, InvoiceStatus, OrderStatus, Role
from db.models import (Account, AccountOrderingSettings, Address, FulfilmentLine, Fulfilment, Invoice,
                       Location, Membership, MembershipRole, Order, OrderApproval, OrderApprovalRequest,
                       OrderLine, Product, ProductVariant, User)
from db.repositories.orders import OrderFilter, OrderRepository


async def lock_account(session: Any, account_id: int) -> Account:
    """The account, locked: placements of one account check credit one at a time."""
    stmt = select(Account).where(Account.id == account_id).with_for_update()
    return (await session.exec(stmt)).one()


async def account(session: Any, account_id: int) -> Account:
    """The account; one the session holds already is not read again (a worker's batch reads them all at once)."""
    return _held(await session.get(Account, account_id), Account, account_id)


async def order(session: Any, order_id: int) -> Order:
    return (await session.exec(select(Order).where(Order.id == order_id))).one()


async def ordering_settings(session: Any, account_id: int) -> AccountOrderingSettings | None:
    stmt = select(AccountOrderingSettings).where(AccountOrderingSettings.account_id == account_id)
    return (await session.exec(stmt)).first()


async def membership(session: Any, user_id: int, account_id: int) -> Membership | None:
    stmt = select(Membership).where(Membership.user_id == user_id, Membership.account_id == account_id)
    return (await session.exec(stmt)).first()


async def user(session: Any, user_id: int) -> User | None:
    return (await session.exec(select(User).where(User.id == user_id))).first()


async def approvers_of(session: Any, account_id: int, location_id: int) -> list[User]:
    """Members who approve orders of the location: APPROVER there or account-wide; else the ADMINs."""
    stmt = (select(User, MembershipRole.role).join(Membership, Membership.user_id == User.id)
            .join(MembershipRole, MembershipRole.membership_id == Membership.id)
            .where(Membership.account_id == account_id, MembershipRole.role.in_([Role.APPROVER, Role.ADMIN]),
                   or_(MembershipRole.location_id.is_(None), MembershipRole.location_id == location_id))
            .order_by(User.id))
    rows = (await session.exec(stmt)).all()
    approvers = {u.id: u for u, role in rows if role is Role.APPROVER}
    return list(approvers.values()) or list({u.id: u for u, _ in rows}.values())


async def credit_exposure(session: Any, account_id: int) -> Decimal:
    """Unpaid open and draft invoices plus accepted orders not invoiced yet (invoiced at fulfilment)."""
    unpaid = (await session.exec(select(func.coalesce(func.sum(Invoice.amount_due), 0)).where(
        Invoice.account_id == account_id, Invoice.status.in_([InvoiceStatus.OPEN, InvoiceStatus.DRAFT])))).one()
    uninvoiced = (await session.exec(select(func.coalesce(func.sum(Order.total), 0)).where(
        Order.account_id == account_id,
        Order.status.in_([OrderStatus.OPEN, OrderStatus.PARTIALLY_FULFILLED]),
        ~select(Invoice.id).where(Invoice.order_id == Order.id).exists()))).one()
    return Decimal(unpaid) + Decimal(uninvoiced)


async def spent_by(session: Any, account_id: int, user_id: int, since: datetime) -> Decimal:
    """Totals of the orders a member placed since `since`, except cancelled and rejected ones."""
    stmt = select(func.coalesce(func.sum(Order.total), 0)).where(
        Order.account_id == account_id, Order.placed_by_user_id == user_id, Order.placed_at >= since,
        Order.status.notin_([OrderStatus.CANCELLED, OrderStatus.REJECTED]))
    return Decimal((await session.exec(stmt)).one())


async def variants_for(session: Any, ids: Iterable[int], skus: Iterable[str]) -> list[tuple[ProductVariant, bool]]:
    """Variants by id or SKU, each with whether it is sold (it and its product active)."""
    ids, skus = sorted(set(ids)), sorted(set(skus))
    if not ids and not skus:
        return []
    stmt = (select(ProductVariant, Product.is_active).join(Product, Product.id == ProductVariant.product_id)
            .where(or_(ProductVariant.id.in_(ids), ProductVariant.sku.in_(skus))))
    return [(v, bool(v.is_active and active)) for v, active in (await session.exec(stmt)).all()]


async def product_titles(session: Any, product_ids: Iterable[int]) -> dict[int, str]:
    stmt = select(Product.id, Product.title).where(Product.id.in_(sorted(set(product_ids))))
    return dict((await session.exec(stmt)).all())


async def shipping_address(session: Any, location_id: int, address_id: int | None) -> Address | None:
    """The given shipping address of the location, or its default one."""
    stmt = select(Address).where(Address.location_id == location_id, Address.kind == AddressKind.SHIPPING)
    if address_id is not None:
        stmt = stmt.where(Address.id == address_id)
    return (await session.exec(stmt.order_by(Address.is_default.desc(), Address.id))).first()


async def location(session: Any, location_id: int) -> Location:
    return _held(await session.get(Location, location_id), Location, location_id)


def _held(row: Any, model: type, row_id: int) -> Any:
    if row is None:
        raise NoResultFound(f"no {model.__name__} {row_id}")
    return row


async def order_lines(session: Any, order_id: int) -> list[OrderLine]:
    stmt = select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.position, OrderLine.id)
    return list((await session.exec(stmt)).all())


async def shipped_quantities(session: Any, order_id: int) -> dict[int, int]:
    stmt = (select(FulfilmentLine.order_line_id, func.sum(FulfilmentLine.quantity))
            .join(Fulfilment, Fulfilment.id == FulfilmentLine.fulfilment_id)
            .where(Fulfilment.order_id == order_id).group_by(FulfilmentLine.order_line_id))
    return {line_id: int(qty) for line_id, qty in (await session.exec(stmt)).all()}


async def approvals(session: Any, order_id: int) -> list[OrderApproval]:
    stmt = select(OrderApproval).where(OrderApproval.order_id == order_id).order_by(OrderApproval.step)
    return list((await session.exec(stmt)).all())


async def approval_request(session: Any, order_id: int) -> OrderApprovalRequest | None:
    stmt = select(OrderApprovalRequest).where(OrderApprovalRequest.order_id == order_id)
    return (await session.exec(stmt)).first()


class ApprovalQueueRepository(OrderRepository):
    """Orders waiting for approval at the caller's locations, except those it placed itself."""

    def __init__(self, session: Any, scope: Any, user_id: int | None) -> None:
        super().__init__(session, scope)
        self.user_id = user_id

    def filtered(self, f: OrderFilter) -> Select:
        stmt = super().filtered(f).where(Order.status == OrderStatus.PENDING_APPROVAL)
        if self.user_id is not None:
            stmt = stmt.where(or_(Order.placed_by_user_id.is_(None), Order.placed_by_user_id != self.user_id))
        return stmt
