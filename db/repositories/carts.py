"""Carts and their lines as the caller may see them (buyers of the cart's location, ADMIN)."""
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import func, select

from db.models import Cart, CartLine
from db.models.carts import CartStatus
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


@dataclass(frozen=True)
class CartFilter:
    location_ids: tuple[int, ...] = ()
    statuses: tuple[CartStatus, ...] = (CartStatus.OPEN,)


class CartRepository(ScopedRepository[Cart]):
    model = Cart

    def visible(self) -> Select:
        return select(Cart).where(self.scope.where(Cart.account_id, Cart.location_id))

    def filtered(self, f: CartFilter) -> Select:
        stmt = self.visible()
        if f.location_ids:
            stmt = stmt.where(Cart.location_id.in_(f.location_ids))
        if f.statuses:
            stmt = stmt.where(Cart.status.in_(f.statuses))
        return stmt

    async def page(self, f: CartFilter, **window: Any) -> Page[Cart]:
        return await keyset_page(self.session, self.filtered(f), [Cart.updated_at, Cart.id], **window)

    async def count(self, f: CartFilter) -> int:
        return await count_rows(self.session, self.filtered(f))


async def cart_lines(session: Any, cart_id: int) -> list[CartLine]:
    stmt = select(CartLine).where(CartLine.cart_id == cart_id).order_by(CartLine.position, CartLine.id)
    return list((await session.exec(stmt)).all())


async def next_line_position(session: Any, cart_id: int) -> int:
    stmt = select(func.coalesce(func.max(CartLine.position), -1)).where(CartLine.cart_id == cart_id)
    return int((await session.exec(stmt)).one()) + 1


async def delete_lines(session: Any, lines: Iterable[CartLine]) -> None:
    for line in lines:
        await session.delete(line)


async def delete_cart(session: Any, cart: Cart) -> None:
    await delete_lines(session, await cart_lines(session, cart.id))  # type: ignore[arg-type]
    await session.flush()
    await session.delete(cart)
