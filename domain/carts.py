"""Carts: lines priced at the location's contracted prices when added, quick order and CSV lines,
and the re-check of prices before a cart becomes an order."""
import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import Cart, CartLine
from db.models.carts import CartStatus
from db.repositories.carts import cart_lines, delete_cart, delete_lines, next_line_position
from db.repositories.ordering import variants_for
from domain.ordering import (LineRequest, OrderingError, PricedLine, Pricer, Problem, check_quantity,
                             check_texts, fail, price_lines)

CSV_MAX_BYTES = 512 * 1024
QUICK_ORDER_MAX = 500
NAME_MAX = 200


def check_open(cart: Cart) -> None:
    if cart.status is not CartStatus.OPEN:
        raise fail("CART_ORDERED", "This cart has been placed as an order already", ["input", "cartId"])


def check_details(name: str | None, po_number: str | None, note: str | None) -> None:
    problems = check_texts(po_number, note, ["input"])
    if name is not None and len(name) > NAME_MAX:
        problems.append(Problem("NAME_TOO_LONG", f"A name has at most {NAME_MAX} characters", ["input", "name"]))
    if problems:
        raise OrderingError(problems)


async def add_lines(session: Any, cart: Cart, requests: list[LineRequest], pricer: Pricer, now: Any,
                    *, atomic: bool = True) -> tuple[list[CartLine], list[Problem]]:
    """Add requested lines (to existing lines of the same variant). With `atomic`, any problem adds nothing
    (OrderingError); otherwise the good lines are added and the problems returned."""
    check_open(cart)
    if len(requests) > QUICK_ORDER_MAX:
        raise fail("TOO_MANY_LINES", f"At most {QUICK_ORDER_MAX} lines at once", ["input", "lines"])
    existing = {line.variant_id: line for line in await cart_lines(session, cart.id)}  # type: ignore[arg-type]
    priced, problems = await price_lines(session, cart.location_id, cart.currency, requests, pricer,
                                         base={vid: line.quantity for vid, line in existing.items()})
    if problems and atomic:
        raise OrderingError(problems)
    position = await next_line_position(session, cart.id)  # type: ignore[arg-type]
    changed = []
    for p in priced:
        line = existing.get(p.variant.id)
        if line is None:
            line = CartLine(cart_id=cart.id, variant_id=p.variant.id, sku=p.variant.sku, title=p.title,  # type: ignore[arg-type]
                            quantity=p.quantity, unit_price=p.unit_price, currency=p.currency, position=position,
                            created_at=now)
            position += 1
        else:
            line.quantity, line.unit_price = p.quantity, p.unit_price
        session.add(line)
        changed.append(line)
    touch(session, cart, now)
    return changed, problems


@dataclass
class QuantityChange:
    line_id: int
    quantity: int
    field: list[str] = field(default_factory=list)


async def set_quantities(session: Any, cart: Cart, changes: list[QuantityChange], pricer: Pricer, now: Any) -> None:
    """New quantities for existing lines, re-priced at the new quantity (price breaks)."""
    check_open(cart)
    lines = {line.id: line for line in await cart_lines(session, cart.id)}  # type: ignore[arg-type]
    problems: list[Problem] = []
    variants = {v.id: v for v, _ in await variants_for(session, [line.variant_id for line in lines.values()], [])}
    for c in changes:
        line = lines.get(c.line_id)
        if line is None:
            problems.append(Problem("LINE_NOT_FOUND", "No such line in this cart", c.field + ["lineId"]))
            continue
        price, rule = await pricer(cart.location_id, variants[line.variant_id], max(c.quantity, 1))
        problem = check_quantity(c.quantity, rule, c.field + ["quantity"])
        if problem:
            problem.message = f"{line.sku}: {problem.message}"
            problems.append(problem)
            continue
        line.quantity, line.unit_price = c.quantity, price.amount
        session.add(line)
    if problems:
        raise OrderingError(problems)
    touch(session, cart, now)


async def remove_lines(session: Any, cart: Cart, line_ids: list[int], now: Any) -> None:
    check_open(cart)
    lines = {line.id: line for line in await cart_lines(session, cart.id)}  # type: ignore[arg-type]
    missing = [i for i, lid in enumerate(line_ids) if lid not in lines]
    if missing:
        raise OrderingError([Problem("LINE_NOT_FOUND", "No such line in this cart", ["input", "lineIds", str(i)])
                             for i in missing])
    await delete_lines(session, [lines[lid] for lid in line_ids])
    touch(session, cart, now)


async def delete(session: Any, cart: Cart) -> None:
    """An open cart goes away with its lines; an ordered one stays, as the record of its order."""
    check_open(cart)
    await delete_cart(session, cart)


def touch(session: Any, cart: Cart, now: Any) -> None:
    cart.updated_at = now
    session.add(cart)


@dataclass
class PriceChange:
    line: CartLine
    current: Decimal


async def reprice(session: Any, cart: Cart,
                  pricer: Pricer) -> tuple[list[PricedLine], list[PriceChange], list[Problem]]:
    """Today's prices of the cart's lines: the lines to order, the changed prices, and lines that can
    no longer be ordered (no longer sold, off the quantity rules now)."""
    lines = await cart_lines(session, cart.id)  # type: ignore[arg-type]
    requests = [LineRequest(quantity=line.quantity, variant_id=line.variant_id,
                            field=["cart", "lines", str(i)]) for i, line in enumerate(lines)]
    priced, problems = await price_lines(session, cart.location_id, cart.currency, requests, pricer)
    by_variant = {line.variant_id: line for line in lines}
    changes = [PriceChange(by_variant[p.variant.id], p.unit_price) for p in priced
               if by_variant[p.variant.id].unit_price != p.unit_price]
    return priced, changes, problems


def accept_prices(session: Any, changes: list[PriceChange]) -> None:
    for c in changes:
        c.line.unit_price = c.current
        session.add(c.line)


# Quick order -------------------------------------------------------------------------------------

@dataclass
class QuickRow:
    sku: str
    quantity: int | None
    row: int  # 1-based line of the CSV, or the index in the list
    problem: Problem | None = None


def parse_csv(text: str) -> list[QuickRow]:
    """SKU and quantity per row; a header row (sku,quantity) is skipped; `;` or tab also separate."""
    if len(text.encode()) > CSV_MAX_BYTES:
        raise fail("CSV_TOO_LARGE", f"The CSV is over {CSV_MAX_BYTES // 1024} KB", ["input", "csv"])
    sample = text[:2048]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    rows = []
    for n, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if n == 1 and cells[0].lower() in {"sku", "item", "part", "part number"}:
            continue
        sku = cells[0]
        raw = cells[1] if len(cells) > 1 else ""
        where = ["input", "csv", str(n)]
        try:
            qty = int(raw)
        except ValueError:
            rows.append(QuickRow(sku, None, n, Problem("INVALID_QUANTITY", f"Row {n}: {raw!r} is not a whole number",
                                                       where)))
            continue
        rows.append(QuickRow(sku, qty, n))
    if len(rows) > QUICK_ORDER_MAX:
        raise fail("TOO_MANY_LINES", f"At most {QUICK_ORDER_MAX} rows at once", ["input", "csv"])
    return rows


# Reorder -----------------------------------------------------------------------------------------

@dataclass
class ReorderReport:
    lines: list[CartLine]
    # (order line, problem): lines not added, e.g. no longer sold or off today's quantity rules.
    unavailable: list[tuple[Any, Problem]]
    # (order line, today's unit price): lines added at a price other than the order's.
    repriced: list[tuple[Any, Decimal]]


async def reorder(session: Any, cart: Cart, order_lines: list[Any], pricer: Pricer, now: Any) -> ReorderReport:
    """Add a past order's lines to `cart` at today's contracted prices; report what could not be added."""
    requests, unavailable = [], []
    for i, line in enumerate(order_lines):
        if line.quantity <= 0:
            continue
        if line.variant_id is None:
            unavailable.append((line, Problem("NOT_SOLD", f"{line.sku} is no longer in the catalog",
                                              ["order", "lines", str(i)])))
            continue
        requests.append(LineRequest(quantity=line.quantity, variant_id=line.variant_id,
                                    field=["order", "lines", str(i)]))
    added, problems = await add_lines(session, cart, requests, pricer, now, atomic=False)
    for p in problems:
        unavailable.append((order_lines[int(p.field[2])], p))  # type: ignore[index]
    old_price = {line.variant_id: line.unit_price for line in order_lines}
    repriced = [(next(ol for ol in order_lines if ol.variant_id == line.variant_id), line.unit_price)
                for line in added if old_price.get(line.variant_id) != line.unit_price]
    return ReorderReport(added, unavailable, repriced)
