"""Cart mutations and reads: the caller's scope finds the cart, the policy table says who may change it."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import Cart
from db.repositories import ordering as repo
from db.repositories.carts import CartFilter, CartRepository
from db.repositories.requisitions import RequisitionListRepository
from db.repositories.requisitions import items_of as list_items
from domain import carts
from domain.ordering import LineRequest, OrderingError, Problem
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.ordering_common import (UserError, error, in_transaction, pk, require, user_errors,
                                       visible_location)


@dataclass
class CartPayload:
    cart: Cart | None = None
    user_errors: list[UserError] = field(default_factory=list)


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
class CartPricesPayload:
    cart: Cart | None = None
    price_changes: list[PriceChangeReport] = field(default_factory=list)
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class QuickOrderResult:
    row: int
    sku: str
    quantity: int | None
    added: bool
    code: Any = None
    message: str | None = None


@dataclass
class QuickOrderPayload:
    cart: Cart | None = None
    results: list[QuickOrderResult] = field(default_factory=list)
    user_errors: list[UserError] = field(default_factory=list)


async def location_carts(ctx: Context, location: Any, window: Window) -> Connection:
    """Open carts of a location, most recently changed first."""
    scope = ctx.scope("rows:Cart")
    return await paginate(ctx, lambda s: CartRepository(s, scope), CartFilter(location_ids=(location.id,)), window)


async def find_cart(ctx: Context, session: Any, cart_gid: str, key: str) -> Cart:
    """The cart locked for this transaction, if the caller may see it; and the caller may do `key` on it."""
    cart = await CartRepository(session, ctx.scope("rows:Cart")).get_for_update(pk(cart_gid, "Cart"))
    if cart is None:
        raise error("CART_NOT_FOUND", "No cart with that ID", "input", "cartId")
    require(ctx, key, cart.account_id, cart.location_id)
    return cart


async def _address_id(session: Any, location_id: int, gid: str | None) -> int | None:
    if gid is None:
        return None
    address = await repo.shipping_address(session, location_id, pk(gid, "Address"))
    if address is None:
        raise error("ADDRESS_NOT_FOUND", "The shipping address is not one of the location's",
                    "input", "shippingAddressId")
    return address.id


async def new_cart(ctx: Context, session: Any, location: Any, name: str | None = None, po_number: str | None = None,
                   note: str | None = None, address_id: int | None = None) -> Cart:
    require(ctx, "Mutation.cartCreate", location.account_id, location.id)
    carts.check_details(name, po_number, note)
    account = await repo.account(session, location.account_id)
    cart = Cart(account_id=location.account_id, location_id=location.id, created_by_user_id=ctx.caller.user_id,
                name=name or None, currency=account.currency, po_number=po_number or None, note=note or None,
                shipping_address_id=address_id, created_at=ctx.now, updated_at=ctx.now)
    session.add(cart)
    await session.flush()
    return cart


async def cart_create(ctx: Context, location_gid: str, name: str | None, po_number: str | None, note: str | None,
                      address_gid: str | None, lines: list[LineRequest]) -> CartPayload:
    async def work(s: Any) -> Cart:
        location = await visible_location(ctx, s, location_gid, "input", "locationId")
        require(ctx, "Mutation.cartCreate", location.account_id, location.id)
        cart = await new_cart(ctx, s, location, name, po_number, note,
                              await _address_id(s, location.id, address_gid))
        if lines:
            await carts.add_lines(s, cart, lines, ctx.loaders.ordering.pricer_in(s), ctx.now)
        return cart
    cart, errors = await in_transaction(ctx, work, "cart.create")
    return CartPayload(cart, errors)


_UNSET: Any = object()


async def cart_update(ctx: Context, cart_gid: str, name: str | None, po_number: str | None, note: str | None,
                      address_gid: str | None) -> CartPayload:
    """Given fields change; an empty string clears a text."""
    async def work(s: Any) -> Cart:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.cartUpdate")
        carts.check_open(cart)
        carts.check_details(name, po_number, note)
        if name is not None:
            cart.name = name or None
        if po_number is not None:
            cart.po_number = po_number or None
        if note is not None:
            cart.note = note or None
        if address_gid is not None:
            cart.shipping_address_id = await _address_id(s, cart.location_id, address_gid)
        carts.touch(s, cart, ctx.now)
        return cart
    cart, errors = await in_transaction(ctx, work, "cart.update")
    return CartPayload(cart, errors)


async def cart_lines_add(ctx: Context, cart_gid: str, lines: list[LineRequest]) -> CartPayload:
    async def work(s: Any) -> Cart:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.cartLinesAdd")
        if not lines:
            raise error("EMPTY", "Give at least one line", "input", "lines")
        await carts.add_lines(s, cart, lines, ctx.loaders.ordering.pricer_in(s), ctx.now)
        return cart
    cart, errors = await in_transaction(ctx, work, "cart.lines_add")
    return CartPayload(cart, errors)


async def requisition_list_add_to_cart(ctx: Context, list_gid: str, cart_gid: str) -> CartPayload:
    """A saved list's items into a cart at today's contracted prices. Items no longer sold, or now off
    their quantity rules, are left out and reported in userErrors; the others are added."""
    skipped: list[Problem] = []

    async def work(s: Any) -> Cart:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.requisitionListAddToCart")
        lst = await RequisitionListRepository(s, ctx.scope("rows:RequisitionList")).get(pk(list_gid, "RequisitionList"))
        if lst is None or lst.account_id != cart.account_id:
            raise error("LIST_NOT_FOUND", "No requisition list with that ID", "input", "requisitionListId")
        items = await list_items(s, lst.id)  # type: ignore[arg-type]
        if not items:
            raise error("EMPTY", "The list has no items", "input", "requisitionListId")
        requests = [LineRequest(quantity=i.quantity, variant_id=i.variant_id, field=["input", "items", str(n)])
                    for n, i in enumerate(items)]
        _added, problems = await carts.add_lines(s, cart, requests, ctx.loaders.ordering.pricer_in(s), ctx.now,
                                                 atomic=False)
        skipped.extend(problems)
        return cart
    cart, errors = await in_transaction(ctx, work, "cart.requisition_list_add")
    return CartPayload(cart, errors or user_errors(skipped))


async def cart_lines_update(ctx: Context, cart_gid: str, changes: list[tuple[str, int]]) -> CartPayload:
    async def work(s: Any) -> Cart:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.cartLinesUpdate")
        await carts.set_quantities(s, cart, [carts.QuantityChange(pk(gid, "CartLine"), qty, ["input", "lines", str(i)])
                                             for i, (gid, qty) in enumerate(changes)],
                                   ctx.loaders.ordering.pricer_in(s), ctx.now)
        return cart
    cart, errors = await in_transaction(ctx, work, "cart.lines_update")
    return CartPayload(cart, errors)


@dataclass
class CartDeletePayload:
    deleted_cart_id: str | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def cart_delete(ctx: Context, cart_gid: str) -> CartDeletePayload:
    async def work(s: Any) -> str:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.cartDelete")
        await carts.delete(s, cart)
        return cart_gid
    deleted, errors = await in_transaction(ctx, work, "cart.delete")
    return CartDeletePayload(deleted, errors)


async def cart_lines_remove(ctx: Context, cart_gid: str, line_gids: list[str]) -> CartPayload:
    async def work(s: Any) -> Cart:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.cartLinesRemove")
        await carts.remove_lines(s, cart, [pk(g, "CartLine") for g in line_gids], ctx.now)
        return cart
    cart, errors = await in_transaction(ctx, work, "cart.lines_remove")
    return CartPayload(cart, errors)


def change_reports(changes: list[carts.PriceChange]) -> list[PriceChangeReport]:
    return [PriceChangeReport(c.line.sku, c.line.title, c.line.quantity, c.line.unit_price, c.current,
                              c.line.currency) for c in changes]


async def cart_prices_refresh(ctx: Context, cart_gid: str) -> CartPricesPayload:
    """Take today's contracted prices into the cart, reporting each change."""
    reports: list[PriceChangeReport] = []

    async def work(s: Any) -> Cart:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.cartPricesRefresh")
        carts.check_open(cart)
        _priced, changes, _problems = await carts.reprice(s, cart, ctx.loaders.ordering.pricer_in(s))
        reports.extend(change_reports(changes))
        carts.accept_prices(s, changes)
        carts.touch(s, cart, ctx.now)
        return cart
    cart, errors = await in_transaction(ctx, work, "cart.prices_refresh")
    return CartPricesPayload(cart, reports if cart else [], errors)


async def cart_quick_order(ctx: Context, cart_gid: str | None, location_gid: str | None,
                           pairs: list[tuple[str, int]], csv_text: str | None, atomic: bool,
                           csv_file: bytes | None = None) -> QuickOrderPayload:
    """SKU and quantity pairs and/or CSV rows (as text or an uploaded file) into a cart (a new one at
    `location` without a cart), with a result per row. Rows that fail are reported; unless `atomic`,
    the others are added."""
    results: list[QuickOrderResult] = []

    async def work(s: Any) -> Cart:
        nonlocal csv_text
        if (cart_gid is None) == (location_gid is None):
            raise error("INVALID_INPUT", "Give either a cartId or a locationId (for a new cart)", "input")
        if csv_file is not None:
            if csv_text is not None:
                raise error("INVALID_INPUT", "Give csv or csvFile, not both", "input")
            if len(csv_file) > carts.CSV_MAX_BYTES:
                raise error("CSV_TOO_LARGE", f"The CSV is over {carts.CSV_MAX_BYTES // 1024} KB", "input", "csvFile")
            try:
                csv_text = csv_file.decode("utf-8-sig")  # spreadsheet programs often write a BOM
            except UnicodeDecodeError:
                raise error("CSV_NOT_TEXT", "The CSV file is not UTF-8 text", "input", "csvFile") from None
        if cart_gid is not None:
            cart = await find_cart(ctx, s, cart_gid, "Mutation.cartQuickOrder")
        else:
            location = await visible_location(ctx, s, location_gid, "input", "locationId")  # type: ignore[arg-type]
            require(ctx, "Mutation.cartQuickOrder", location.account_id, location.id)
            cart = await new_cart(ctx, s, location)
        rows = [carts.QuickRow(sku.strip(), qty, i + 1) for i, (sku, qty) in enumerate(pairs)]
        fields = [["input", "lines", str(i)] for i in range(len(pairs))]
        if csv_text is not None:
            parsed = carts.parse_csv(csv_text)
            rows += parsed
            fields += [["input", "csv", str(r.row)] for r in parsed]
        if not rows:
            raise error("EMPTY", "Give at least one SKU and quantity", "input")
        problems: dict[tuple[str, ...], Problem] = {}
        requests = []
        for r, f in zip(rows, fields):
            if r.problem is not None:
                problems[tuple(f)] = r.problem
            elif not r.sku:
                problems[tuple(f)] = Problem("MISSING_VARIANT", "The SKU is empty", f)
            else:
                requests.append(LineRequest(quantity=r.quantity or 0, sku=r.sku, field=f))
        added, found = await carts.add_lines(s, cart, requests, ctx.loaders.ordering.pricer_in(s), ctx.now, atomic=False)
        for p in found:
            problems.setdefault(tuple((p.field or [])[:3]), p)
        failed = bool(problems)
        for r, f in zip(rows, fields):
            p = problems.get(tuple(f))
            errs = user_errors([p]) if p else []
            results.append(QuickOrderResult(r.row, r.sku, r.quantity, added=p is None and not (atomic and failed),
                                            code=errs[0].code if errs else None,
                                            message=errs[0].message if errs else None))
        if atomic and failed:
            raise OrderingError([Problem("INVALID_INPUT", f"{len(problems)} of {len(rows)} rows could not be "
                                         "added, so none was (atomic)", ["input"])])
        if not added and cart_gid is None:  # no empty cart left behind
            for r in results:
                r.added = False
            raise OrderingError([Problem("EMPTY", "No row could be added", ["input"])])
        return cart
    cart, errors = await in_transaction(ctx, work, "cart.quick_order")
    return QuickOrderPayload(cart, results, errors)
