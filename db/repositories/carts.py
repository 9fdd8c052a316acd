"""Carts and their lines as the caller may see them (buyers of the cart's location, ADMIN)."""
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import func, select

from db.models import Cart, CartLine
from db.models.carts import CartStatus
from db.repositories.base import ScopedRepository


class CartRepository(ScopedRepository[Cart]):
    model = Cart

    def visible(self) -> Select:
        return select(Cart).where(self.scope.where(Cart.account_id, Cart.location_id))

    async def get_for_update(self, cart_id: int) -> Cart | None:
        """The cart, locked until the transaction ends: placements of one cart run one at a time."""
        stmt = self.visible().where(Cart.id == cart_id).with_for_update()
        return (await self.session.exec(stmt)).first()

    async def open_by_location(self, location_ids: Iterable[int]) -> dict[int, list[Cart]]:
        stmt = (self.visible().where(Cart.location_id.in_(sorted(set(location_ids))), Cart.status == CartStatus.OPEN)
                .order_by(Cart.location_id, Cart.updated_at.desc(), Cart.id.desc()))
        out: dict[int, list[Cart]] = defaultdict(list)
        for cart in await self.all(stmt):
            out[cart.location_id].append(cart)
        return out


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
