"""Orders for the fulfilment, returns, requisition and back-office tests: open ones made on the spot,
shipped ones found among the demo orders by location; global IDs, and counts of rows to show that
a refused mutation wrote nothing."""
from decimal import Decimal
from typing import Any

from sqlmodel import func, select

from db.engine import Database
from db.enums import OrderStatus
from db.models import Location, Order, OrderLine, ProductVariant
from resolvers.globalid import encode
from tests.conftest import NOW

STAFF_ADMIN = "ops@merchant.example"
STAFF_SUPPORT = "support@merchant.example"
BUYER = "buyer@acme.example"  # BUYER at Denver Plant only


async def open_order(db: Database, location: str = "Denver Plant", quantities: tuple[int, ...] = (10, 4),
                     status: OrderStatus = OrderStatus.OPEN, placed_by: int | None = None) -> tuple[Order, list[OrderLine]]:
    """A placed, unshipped order at `location` with one line per quantity."""
    async with db.transaction() as s:
        loc = (await s.exec(select(Location).where(Location.name == location))).one()
        variants = (await s.exec(select(ProductVariant).where(ProductVariant.is_active == True)  # noqa: E712
                                 .order_by(ProductVariant.id).limit(len(quantities)))).all()
        number = f"T{(await s.exec(select(func.count()).select_from(Order))).one() + 1:06d}"
        order = Order(number=number, account_id=loc.account_id, location_id=loc.id, placed_by_user_id=placed_by,
                      status=status, currency="EUR" if location.startswith(("Berlin", "München")) else "USD",
                      subtotal=Decimal(0), tax=Decimal(0), total=Decimal(0), placed_at=NOW, updated_at=NOW)
        s.add(order)
        await s.flush()
        lines, subtotal = [], Decimal(0)
        for i, (v, qty) in enumerate(zip(variants, quantities)):
            line = OrderLine(order_id=order.id, variant_id=v.id, sku=v.sku, title=v.title, quantity=qty,
                             unit_price=Decimal("12.50"), total=Decimal("12.50") * qty, currency=order.currency,
                             position=i)
            s.add(line)
            lines.append(line)
            subtotal += line.total
        order.subtotal, order.tax = subtotal, (subtotal * Decimal("0.1")).quantize(Decimal("0.01"))
        order.total = order.subtotal + order.tax
        s.add(order)
    return order, lines


async def shipped_order(db: Database, location: str = "Denver Plant") -> tuple[Order, list[OrderLine]]:
    """A demo order of `location` (Denver Plant: where the demo BUYER works) that shipped in full."""
    async with db.session() as s:
        loc = (await s.exec(select(Location).where(Location.name == location))).one()
        order = (await s.exec(select(Order).where(Order.location_id == loc.id, Order.status == OrderStatus.FULFILLED)
                              .order_by(Order.id))).first()
        lines = (await s.exec(select(OrderLine).where(OrderLine.order_id == order.id)
                              .order_by(OrderLine.position))).all()
    return order, list(lines)


def gid(type_name: str, pk: int) -> str:
    return encode(type_name, pk)


async def count(db: Database, model: Any, **where: Any) -> int:
    async with db.session() as s:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return (await s.exec(stmt)).one()


async def get(db: Database, model: Any, pk: int) -> Any:
    async with db.session() as s:
        return await s.get(model, pk)
