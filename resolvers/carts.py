"""Cart mutations and reads: the caller's scope finds the cart (read under lock), the policy table
says who may change it, domain/carts.py decides the rest."""
from dataclasses import dataclass, field
from typing import Any

from db.models import Cart, Location
from db.repositories.accounts import LocationRepository
from db.repositories.carts import CartFilter, CartRepository
from db.repositories.requisitions import RequisitionListRepository
from db.repositories.requisitions import items_of as list_items
from domain import carts
from domain.carts import CartErrorCode as C
from domain.carts import PriceChangeReport, QuickOrderResult
from domain.errors import Rejected, reject
from domain.ordering import LineRequest, OrderErrorCode
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError
from resolvers.globalid import decode_as
from resolvers.mutation import mutation, require, user_errors
from resolvers.rows import find_row


@dataclass
class CartPayload:
    cart: Cart | None = None
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class CartPricesPayload:
    cart: Cart | None = None
    price_changes: list[PriceChangeReport] = field(default_factory=list)
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class QuickOrderPayload:
    cart: Cart | None = None
    results: list[QuickOrderResult] = field(default_factory=list)
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class CartDeletePayload:
    deleted_cart_id: str | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def location_carts(ctx: Context, location: Any, window: Window) -> Connection:
    """Open carts of a location, most recently changed first."""
    scope = ctx.scope("rows:Cart")
    return await paginate(ctx, lambda s: CartRepository(s, scope), CartFilter(location_ids=(location.id,)), window)


async def find_cart(ctx: Context, s: Any, cart_gid: str, key: str) -> Cart:
    """The cart locked for this transaction, if the caller may see it; and the caller may do `key` on it."""
    cart = await find_row(CartRepository(s, ctx.scope("rows:Cart")), cart_gid, "Cart", C.CART_NOT_FOUND,
                          "cartId")
    require(ctx, key, cart.account_id, cart.location_id)
    return cart


async def find_location(ctx: Context, s: Any, location_gid: str, key: str) -> Location:
    """A location the caller sees, where it may do `key`."""
    location = await find_row(LocationRepository(s, ctx.scope("rows:Location")), location_gid, "Location",
                              OrderErrorCode.LOCATION_NOT_FOUND, "locationId", lock=False)
    require(ctx, key, location.account_id, location.id)
    return location


async def open_cart(ctx: Context, s: Any, location: Location, **details: Any) -> Cart:
    """A new cart at the location, for a mutation that makes one on the way (cartCreate rules it)."""
    require(ctx, "Mutation.cartCreate", location.account_id, location.id)
    return await carts.new_cart(s, location, ctx.caller.user_id, ctx.now, **details)


def _address_id(gid: str | None) -> int | None:
    return decode_as(gid, "Address") if gid is not None else None


@mutation("cartCreate", CartPayload, audit="cart.create")
async def cart_create(ctx: Context, s: Any, location_gid: str, name: str | None, po_number: str | None,
                      note: str | None, address_gid: str | None, lines: list[LineRequest]) -> dict[str, Any]:
    location = await find_location(ctx, s, location_gid, "Mutation.cartCreate")
    cart = await open_cart(ctx, s, location, name=name, po_number=po_number, note=note,
                           address_id=_address_id(address_gid))
    if lines:
        await carts.add_lines(s, cart, lines, ctx.loaders.pricing.pricer_in(s), ctx.now)
    return {"cart": cart}


@mutation("cartUpdate", CartPayload, audit="cart.update")
async def cart_update(ctx: Context, s: Any, cart_gid: str, name: str | None, po_number: str | None,
                      note: str | None, address_gid: str | None) -> dict[str, Any]:
    """Given fields change; an empty string clears a text."""
    cart = await find_cart(ctx, s, cart_gid, "Mutation.cartUpdate")
    details = carts.CartDetails(name, po_number, note, _address_id(address_gid))
    return {"cart": await carts.update(s, cart, details, ctx.now)}


@mutation("cartLinesAdd", CartPayload, audit="cart.lines_add")
async def cart_lines_add(ctx: Context, s: Any, cart_gid: str, lines: list[LineRequest]) -> dict[str, Any]:
    cart = await find_cart(ctx, s, cart_gid, "Mutation.cartLinesAdd")
    return {"cart": await carts.add_requested(s, cart, lines, ctx.loaders.pricing.pricer_in(s), ctx.now)}


@mutation("requisitionListAddToCart", CartPayload, audit="cart.requisition_list_add")
async def requisition_list_add_to_cart(ctx: Context, s: Any, list_gid: str, cart_gid: str) -> dict[str, Any]:
    """A saved list's items into a cart at today's contracted prices. Items no longer sold, or now off
    their quantity rules, are left out and reported in userErrors; the others are added."""
    cart = await find_cart(ctx, s, cart_gid, "Mutation.requisitionListAddToCart")
    lists = RequisitionListRepository(s, ctx.scope("rows:RequisitionList"))
    lst = await lists.get(decode_as(list_gid, "RequisitionList"))
    if lst is None or lst.account_id != cart.account_id:
        raise reject(C.LIST_NOT_FOUND, "No requisition list with that ID", "input", "requisitionListId")
    skipped = await carts.add_saved_items(s, cart, await list_items(s, lst.id), ctx.loaders.pricing.pricer_in(s),  # type: ignore[arg-type]
                                          ctx.now)
    return {"cart": cart, "user_errors": user_errors(Rejected(*skipped))}


@mutation("cartLinesUpdate", CartPayload, audit="cart.lines_update")
async def cart_lines_update(ctx: Context, s: Any, cart_gid: str, changes: list[tuple[str, int]]) -> dict[str, Any]:
    cart = await find_cart(ctx, s, cart_gid, "Mutation.cartLinesUpdate")
    wanted = [carts.QuantityChange(decode_as(gid, "CartLine"), qty, ["input", "lines", str(i)])
              for i, (gid, qty) in enumerate(changes)]
    return {"cart": await carts.set_quantities(s, cart, wanted, ctx.loaders.pricing.pricer_in(s), ctx.now)}


@mutation("cartDelete", CartDeletePayload, audit="cart.delete")
async def cart_delete(ctx: Context, s: Any, cart_gid: str) -> dict[str, Any]:
    cart = await find_cart(ctx, s, cart_gid, "Mutation.cartDelete")
    await carts.delete(s, cart)
    return {"deleted_cart_id": cart_gid}


@mutation("cartLinesRemove", CartPayload, audit="cart.lines_remove")
async def cart_lines_remove(ctx: Context, s: Any, cart_gid: str, line_gids: list[str]) -> dict[str, Any]:
    cart = await find_cart(ctx, s, cart_gid, "Mutation.cartLinesRemove")
    return {"cart": await carts.remove_lines(s, cart, [decode_as(g, "CartLine") for g in line_gids], ctx.now)}


@mutation("cartPricesRefresh", CartPricesPayload, audit="cart.prices_refresh")
async def cart_prices_refresh(ctx: Context, s: Any, cart_gid: str) -> dict[str, Any]:
    """Take today's contracted prices into the cart, reporting each change."""
    cart = await find_cart(ctx, s, cart_gid, "Mutation.cartPricesRefresh")
    changes = await carts.refresh_prices(s, cart, ctx.loaders.pricing.pricer_in(s), ctx.now)
    return {"cart": cart, "price_changes": changes}


@mutation("cartQuickOrder", QuickOrderPayload, audit="cart.quick_order")
async def cart_quick_order(ctx: Context, s: Any, cart_gid: str | None, location_gid: str | None,
                           pairs: list[tuple[str, int]], csv_text: str | None, atomic: bool,
                           csv_file: bytes | None = None) -> dict[str, Any]:
    """SKU and quantity pairs and/or CSV rows (as text or an uploaded file) into a cart (a new one at
    `location` without a cart), with a result per row."""
    if (cart_gid is None) == (location_gid is None):
        raise reject(OrderErrorCode.INVALID_INPUT, "Give either a cartId or a locationId (for a new cart)", "input")
    text = carts.csv_text(csv_text, csv_file)
    if cart_gid is not None:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.cartQuickOrder")
    else:
        cart = await open_cart(ctx, s, await find_location(ctx, s, location_gid, "Mutation.cartQuickOrder"))  # type: ignore[arg-type]
    cart, results = await carts.quick_order(s, cart, cart_gid is None, pairs, text,
                                            ctx.loaders.pricing.pricer_in(s), ctx.now, atomic)
    return {"cart": cart, "results": results}
