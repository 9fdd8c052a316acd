"""Carts: lines priced at the location's contracted prices when added, quick order and CSV lines,
reorder of a past order, and the re-check of prices before a cart becomes an order. The cart
functions work on a cart their caller read under lock (CartRepository.get_locked)."""
import csv
import io
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from db.models import Cart, CartLine, Location, Order
from db.models.carts import CartStatus
from db.repositories import ordering as order_repo
from db.repositories.carts import cart_lines, delete_cart, delete_lines, next_line_position
from domain.audit import Actor
from domain.checkout import Checkout
from domain.errors import Problem, Rejected, reject
from domain.invoicing import MerchantSettings
from domain.ordering import (LineRequest, OrderErrorCode, Placement, PricedLine, Pricer, check_quantity,
                             check_texts, place as place_order, price_lines, problem)

CSV_MAX_BYTES = 512 * 1024
QUICK_ORDER_MAX = 500
NAME_MAX = 200


class CartErrorCode(StrEnum):
    CART_NOT_FOUND = "CART_NOT_FOUND"
    LIST_NOT_FOUND = "LIST_NOT_FOUND"
    CART_ORDERED = "CART_ORDERED"
    NAME_TOO_LONG = "NAME_TOO_LONG"
    CSV_TOO_LARGE = "CSV_TOO_LARGE"
    CSV_NOT_TEXT = "CSV_NOT_TEXT"


C = CartErrorCode
OE = OrderErrorCode  # the line codes carts share with orders


def check_open(cart: Cart) -> None:
    if cart.status is not CartStatus.OPEN:
        raise reject(C.CART_ORDERED, "This cart has been placed as an order already", "input", "cartId")


def check_details(name: str | None, po_number: str | None, note: str | None) -> None:
    problems = check_texts(po_number, note, ["input"])
    if name is not None and len(name) > NAME_MAX:
        problems.append(problem(C.NAME_TOO_LONG, f"A name has at most {NAME_MAX} characters", "input", "name"))
    if problems:
        raise Rejected(*problems)


async def new_cart(session: Any, location: Location, user_id: int | None, now: datetime, name: str | None = None,
                   po_number: str | None = None, note: str | None = None, address_id: int | None = None) -> Cart:
    """An empty open cart of the location, in the account's currency."""
    check_details(name, po_number, note)
    if address_id is not None:
        address = await order_repo.shipping_address(session, location.id, address_id)  # type: ignore[arg-type]
        if address is None:
            raise reject(OE.ADDRESS_NOT_FOUND, "The shipping address is not one of the location's",
                         "input", "shippingAddressId")
    account = await order_repo.account(session, location.account_id)
    cart = Cart(account_id=location.account_id, location_id=location.id, created_by_user_id=user_id,  # type: ignore[arg-type]
                name=name or None, currency=account.currency, po_number=po_number or None, note=note or None,
                shipping_address_id=address_id, created_at=now, updated_at=now)
    session.add(cart)
    await session.flush()
    return cart


@dataclass
class CartDetails:
    """Given fields change; an empty string clears a text."""

    name: str | None = None
    po_number: str | None = None
    note: str | None = None
    address_id: int | None = None


async def update(session: Any, cart: Cart, d: CartDetails, now: datetime) -> Cart:
    check_open(cart)
    check_details(d.name, d.po_number, d.note)
    if d.name is not None:
        cart.name = d.name or None
    if d.po_number is not None:
        cart.po_number = d.po_number or None
    if d.note is not None:
        cart.note = d.note or None
    if d.address_id is not None:
        address = await order_repo.shipping_address(session, cart.location_id, d.address_id)
        if address is None:
            raise reject(OE.ADDRESS_NOT_FOUND, "The shipping address is not one of the location's",
                         "input", "shippingAddressId")
        cart.shipping_address_id = address.id
    touch(session, cart, now)
    return cart


async def add_lines(session: Any, cart: Cart, requests: list[LineRequest], pricer: Pricer, now: Any,
                    *, atomic: bool = True) -> tuple[list[CartLine], list[Problem]]:
    """Add requested lines (to existing lines of the same variant). With `atomic`, any problem adds nothing
    (Rejected); otherwise the good lines are added and the problems returned."""
    check_open(cart)
    if len(requests) > QUICK_ORDER_MAX:
        raise reject(OE.TOO_MANY_LINES, f"At most {QUICK_ORDER_MAX} lines at once", "input", "lines")
    existing = {line.variant_id: line for line in await cart_lines(session, cart.id)}  # type: ignore[arg-type]
    priced, problems = await price_lines(session, cart.location_id, cart.currency, requests, pricer,
                                         base={vid: line.quantity for vid, line in existing.items()})
    if problems and atomic:
        raise Rejected(*problems)
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


async def add_requested(session: Any, cart: Cart, requests: list[LineRequest], pricer: Pricer, now: Any) -> Cart:
    """cartLinesAdd: every line or none."""
    if not requests:
        raise reject(OE.EMPTY, "Give at least one line", "input", "lines")
    await add_lines(session, cart, requests, pricer, now)
    return cart


async def add_saved_items(session: Any, cart: Cart, items: list[Any], pricer: Pricer, now: Any) -> list[Problem]:
    """A requisition list's items at today's prices. Items no longer sold, or now off their quantity
    rules, are left out and returned as problems; the others are added (and stay added)."""
    if not items:
        raise reject(OE.EMPTY, "The list has no items", "input", "requisitionListId")
    requests = [LineRequest(quantity=i.quantity, variant_id=i.variant_id, field=["input", "items", str(n)])
                for n, i in enumerate(items)]
    _added, problems = await add_lines(session, cart, requests, pricer, now, atomic=False)
    return problems


@dataclass
class QuantityChange:
    line_id: int
    quantity: int
    field: list[str] = field(default_factory=list)


async def set_quantities(session: Any, cart: Cart, changes: list[QuantityChange], pricer: Pricer, now: Any) -> Cart:
    """New quantities for existing lines, re-priced at the new quantity (price breaks)."""
    check_open(cart)
    lines = {line.id: line for line in await cart_lines(session, cart.id)}  # type: ignore[arg-type]
    problems: list[Problem] = []
    variants = {v.id: v for v, _ in await order_repo.variants_for(session, [line.variant_id for line in lines.values()], [])}
    for c in changes:
        line = lines.get(c.line_id)
        if line is None:
            problems.append(problem(OE.LINE_NOT_FOUND, "No such line in this cart", *c.field, "lineId"))
            continue
        price, rule = await pricer(cart.location_id, variants[line.variant_id], max(c.quantity, 1))
        off = check_quantity(c.quantity, rule, c.field + ["quantity"])
        if off:
            problems.append(replace(off, message=f"{line.sku}: {off.message}"))
            continue
        line.quantity, line.unit_price = c.quantity, price.amount
        session.add(line)
    if problems:
        raise Rejected(*problems)
    touch(session, cart, now)
    return cart


async def remove_lines(session: Any, cart: Cart, line_ids: list[int], now: Any) -> Cart:
    check_open(cart)
    lines = {line.id: line for line in await cart_lines(session, cart.id)}  # type: ignore[arg-type]
    missing = [i for i, lid in enumerate(line_ids) if lid not in lines]
    if missing:
        raise Rejected(*(problem(OE.LINE_NOT_FOUND, "No such line in this cart", "input", "lineIds", str(i))
                         for i in missing))
    await delete_lines(session, [lines[lid] for lid in line_ids])
    touch(session, cart, now)
    return cart


async def delete(session: Any, cart: Cart) -> None:
    """An open cart goes away with its lines; an ordered one stays, as the record of its order."""
    check_open(cart)
    await delete_cart(session, cart)


def touch(session: Any, cart: Cart, now: Any) -> None:
    cart.updated_at = now
    session.add(cart)


# Prices ------------------------------------------------------------------------------------------

@dataclass
class PriceChangeReport:
    """A line whose contracted price today differs from the one it was added (or ordered) at."""

    sku: str
    title: str
    quantity: int
    previous_unit_price: Decimal
    unit_price: Decimal
    currency: str


@dataclass
class PriceChange:
    line: CartLine
    current: Decimal

    def report(self) -> PriceChangeReport:
        return PriceChangeReport(self.line.sku, self.line.title, self.line.quantity, self.line.unit_price,
                                 self.current, self.line.currency)


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


async def refresh_prices(session: Any, cart: Cart, pricer: Pricer, now: Any) -> list[PriceChangeReport]:
    """Take today's contracted prices into the cart; each change reported."""
    check_open(cart)
    _priced, changes, _problems = await reprice(session, cart, pricer)
    reports = [c.report() for c in changes]
    for c in changes:
        c.line.unit_price = c.current
        session.add(c.line)
    touch(session, cart, now)
    return reports


async def place(session: Any, cart: Cart, pricer: Pricer, user_id: int | None, po_number: str | None,
                note: str | None, address_id: int | None, now: datetime, actor: Actor,
                merchant: MerchantSettings, pay: Checkout | None = None, book_address_id: int | None = None) -> Order:
    """The cart becomes an order at today's prices. A changed price places nothing and is reported
    (answer price_changes), so it is never silently charged."""
    check_open(cart)
    priced, changes, problems = await reprice(session, cart, pricer)
    if changes:
        reports = [c.report() for c in changes]
        raise Rejected(*(problem(OE.PRICE_CHANGED, f"The price of {c.sku} changed from {c.previous_unit_price} "
                                 f"to {c.unit_price} {c.currency}: review the cart (cartPricesRefresh) and "
                                 "place it again", "input", "cartId") for c in reports),
                       answer={"price_changes": reports})
    if problems:
        raise Rejected(*problems)
    location = await order_repo.location(session, cart.location_id)
    order = await place_order(session, Placement(cart.account_id, location, user_id, priced,
                                                 po_number if po_number is not None else cart.po_number,
                                                 note if note is not None else cart.note,
                                                 address_id if address_id is not None else cart.shipping_address_id,
                                                 source="cart", pay=pay, book_address_id=book_address_id),
                                 now, actor, merchant)
    cart.status = CartStatus.ORDERED
    cart.order_id = order.id
    touch(session, cart, now)
    return order


# Quick order -------------------------------------------------------------------------------------

@dataclass
class QuickRow:
    sku: str
    quantity: int | None
    row: int  # 1-based line of the CSV, or the index in the list
    problem: Problem | None = None


@dataclass
class QuickOrderResult:
    row: int
    sku: str
    quantity: int | None
    added: bool
    code: Any = None
    message: str | None = None


def csv_text(text: str | None, upload: bytes | None) -> str | None:
    """The CSV as text, given inline or as an uploaded file (not both)."""
    if upload is None:
        return text
    if text is not None:
        raise reject(OE.INVALID_INPUT, "Give csv or csvFile, not both", "input")
    if len(upload) > CSV_MAX_BYTES:
        raise reject(C.CSV_TOO_LARGE, f"The CSV is over {CSV_MAX_BYTES // 1024} KB", "input", "csvFile")
    try:
        return upload.decode("utf-8-sig")  # spreadsheet programs often write a BOM
    except UnicodeDecodeError:
        raise reject(C.CSV_NOT_TEXT, "The CSV file is not UTF-8 text", "input", "csvFile") from None


def parse_csv(text: str) -> list[QuickRow]:
    """SKU and quantity per row; a header row (sku,quantity) is skipped; `;` or tab also separate."""
    if len(text.encode()) > CSV_MAX_BYTES:
        raise reject(C.CSV_TOO_LARGE, f"The CSV is over {CSV_MAX_BYTES // 1024} KB", "input", "csv")
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
        try:
            qty = int(raw)
        except ValueError:
            rows.append(QuickRow(sku, None, n, problem(OE.INVALID_QUANTITY, f"Row {n}: {raw!r} is not a whole number",
                                                       "input", "csv", str(n))))
            continue
        rows.append(QuickRow(sku, qty, n))
    if len(rows) > QUICK_ORDER_MAX:
        raise reject(OE.TOO_MANY_LINES, f"At most {QUICK_ORDER_MAX} rows at once", "input", "csv")
    return rows


async def quick_order(session: Any, cart: Cart, new: bool, pairs: list[tuple[str, int]], text: str | None,
                      pricer: Pricer, now: Any, atomic: bool) -> tuple[Cart, list[QuickOrderResult]]:
    """SKU and quantity pairs and/or CSV rows into a cart (`new`: made for this request), with a result
    per row. Rows that fail are reported; unless `atomic`, the others are added."""
    rows = [QuickRow(sku.strip(), qty, i + 1) for i, (sku, qty) in enumerate(pairs)]
    fields = [["input", "lines", str(i)] for i in range(len(pairs))]
    if text is not None:
        parsed = parse_csv(text)
        rows += parsed
        fields += [["input", "csv", str(r.row)] for r in parsed]
    if not rows:
        raise reject(OE.EMPTY, "Give at least one SKU and quantity", "input")
    problems: dict[tuple[str, ...], Problem] = {}
    requests = []
    for r, f in zip(rows, fields):
        if r.problem is not None:
            problems[tuple(f)] = r.problem
        elif not r.sku:
            problems[tuple(f)] = problem(OE.MISSING_VARIANT, "The SKU is empty", *f)
        else:
            requests.append(LineRequest(quantity=r.quantity or 0, sku=r.sku, field=f))
    added, found = await add_lines(session, cart, requests, pricer, now, atomic=False)
    for p in found:
        problems.setdefault(tuple((p.field or ())[:3]), p)
    failed = bool(problems)
    results = []
    for r, f in zip(rows, fields):
        p = problems.get(tuple(f))
        results.append(QuickOrderResult(r.row, r.sku, r.quantity, added=p is None and not (atomic and failed),
                                        code=p.code if p else None, message=p.message if p else None))
    if atomic and failed:
        raise reject(OE.INVALID_INPUT, f"{len(problems)} of {len(rows)} rows could not be added, so none was "
                     "(atomic)", "input", answer={"results": results})
    if not added and new:  # no empty cart left behind
        for result in results:
            result.added = False
        raise reject(OE.EMPTY, "No row could be added", "input", answer={"results": results})
    return cart, results


# Reorder -----------------------------------------------------------------------------------------

@dataclass
class ReorderLineReport:
    sku: str
    title: str
    quantity: int
    code: Any
    message: str


async def reorder(session: Any, order: Order, cart: Cart | None, user_id: int | None, pricer: Pricer,
                  now: Any) -> tuple[Cart, list[ReorderLineReport], list[PriceChangeReport]]:
    """A past order's lines into `cart` (or a new cart of its location) at today's contracted prices:
    the cart, the lines that could not be added, and those added at another price than the order's."""
    if cart is None:
        cart = await new_cart(session, await order_repo.location(session, order.location_id), user_id, now,
                              name=f"Reorder of {order.number}")
    elif cart.location_id != order.location_id:
        raise reject(OE.INVALID_INPUT, "The cart is for another location than the order", "input", "cartId")
    order_lines = await order_repo.order_lines(session, order.id)  # type: ignore[arg-type]
    requests, unavailable = [], []
    for i, line in enumerate(order_lines):
        if line.quantity <= 0:
            continue
        if line.variant_id is None:
            unavailable.append(ReorderLineReport(line.sku, line.title, line.quantity, OE.NOT_SOLD,
                                                 f"{line.sku} is no longer in the catalog"))
            continue
        requests.append(LineRequest(quantity=line.quantity, variant_id=line.variant_id,
                                    field=["order", "lines", str(i)]))
    added, problems = await add_lines(session, cart, requests, pricer, now, atomic=False)
    for p in problems:
        line = order_lines[int(p.field[2])]  # type: ignore[index]
        unavailable.append(ReorderLineReport(line.sku, line.title, line.quantity, p.code, p.message))
    by_variant: dict[Any, Any] = {}
    for line in order_lines:
        by_variant.setdefault(line.variant_id, line)
    repriced = [PriceChangeReport(old.sku, old.title, old.quantity, old.unit_price, line.unit_price, old.currency)
                for line in added if (old := by_variant[line.variant_id]).unit_price != line.unit_price]
    if not added:
        raise reject(OE.EMPTY, "None of the order's lines can be ordered today", "input", "orderId",
                     answer={"unavailable_lines": unavailable, "repriced_lines": repriced})
    return cart, unavailable, repriced
