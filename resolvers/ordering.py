"""Placing orders (from a cart or from lines, idempotently), approvals, reorder, changes and
cancelling: the order is read under lock through the caller's scope, the policy checked on its
account and location, and domain/ordering.py decides."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import Cart, Order
from db.models.ordering import SpendingLimitPeriod
from db.repositories import ordering as repo
from db.repositories.accounts import AccountRepository
from db.repositories.orders import OrderFilter, OrderRepository
from domain import carts, idempotency, ordering
from domain.carts import PriceChangeReport, ReorderLineReport
from domain.checkout import Checkout
from domain.errors import Problem, reject
from domain.ordering import LineRequest, OrderErrorCode as E, OrderingSettingsView
from resolvers.carts import find_cart, find_location
from resolvers.rows import find_row
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError
from resolvers.globalid import decode, decode_as
from resolvers.mutation import mutation, require


@dataclass
class OrderPayload:
    order: Order | None = None
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class OrderPlacePayload:
    order: Order | None = None
    replayed: bool = False
    price_changes: list[PriceChangeReport] = field(default_factory=list)
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class OrderDecisionPayload:
    order: Order | None = None
    approval_complete: bool = False
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class OrderReorderPayload:
    cart: Cart | None = None
    unavailable_lines: list[ReorderLineReport] = field(default_factory=list)
    repriced_lines: list[PriceChangeReport] = field(default_factory=list)
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class OrderCancelPayload:
    order: Order | None = None
    cancelled_whole_order: bool = False
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class OrderingSettingsPayload:
    settings: OrderingSettingsView | None = None
    user_errors: list[UserError] = field(default_factory=list)


@dataclass
class PlaceRequest:
    idempotency_key: str
    cart_id: str | None = None
    location_id: str | None = None
    lines: list[LineRequest] = field(default_factory=list)
    po_number: str | None = None
    note: str | None = None
    shipping_address_id: str | None = None
    payment_method_id: str | None = None

    def body(self) -> dict[str, Any]:
        return {"cart": self.cart_id, "location": self.location_id, "po": self.po_number, "note": self.note,
                "address": self.shipping_address_id, "method": self.payment_method_id,
                "lines": [[r.variant_id, r.sku, r.quantity, r.expected_unit_price] for r in self.lines]}


async def find_order(ctx: Context, s: Any, gid: str, key: str) -> Order:
    """The order locked for this transaction, if the caller sees it and may do `key` on it. Locked
    before anything else of it is read, so two decisions on one order run one after the other."""
    order = await find_row(OrderRepository(s, ctx.scope("rows:Order")), gid, "Order", E.ORDER_NOT_FOUND,
                           "orderId")
    require(ctx, key, order.account_id, order.location_id)
    return order


def ship_to(gid: str | None) -> tuple[int | None, int | None]:
    """(a location's Address, an address of the caller's own book (UserAddress)) named by the ID."""
    if gid is None:
        return None, None
    kind, pk = decode(gid)
    if kind == "UserAddress":
        return None, pk
    return decode_as(gid, "Address"), None


def owner(ctx: Context) -> str:
    return idempotency.principal(ctx.caller.user_id, ctx.caller.session_id)


@mutation("orderPlace", OrderPlacePayload, audit="order.place")
async def order_place(ctx: Context, s: Any, req: PlaceRequest) -> dict[str, Any]:
    """Place a cart, or lines at a location. The same idempotency key returns the first order."""
    async def place() -> Order:
        address, book_address = ship_to(req.shipping_address_id)
        pricer = ctx.loaders.pricing.pricer_in(s)
        method = decode_as(req.payment_method_id, "PaymentMethod") if req.payment_method_id is not None else None
        pay = Checkout(ctx.gateway, method, f"{owner(ctx)}:{req.idempotency_key.strip()}")
        if req.cart_id is not None and req.location_id is None and not req.lines:
            cart = await find_cart(ctx, s, req.cart_id, "Mutation.orderPlace")
            return await carts.place(s, cart, pricer, ctx.caller.user_id, req.po_number, req.note, address,
                                     ctx.now, ctx.actor, ctx.merchant, pay, book_address)
        if req.cart_id is None and req.location_id is not None and req.lines:
            location = await find_location(ctx, s, req.location_id, "Mutation.orderPlace")
            return await ordering.place_lines(s, location, req.lines, pricer, ctx.caller.user_id, req.po_number,
                                              req.note, address, ctx.now, ctx.actor, ctx.merchant, pay, book_address)
        raise reject(E.INVALID_INPUT, "Give either a cartId, or a locationId with lines", "input")

    async def replay(order_id: int) -> Order:
        found = await OrderRepository(s, ctx.scope("rows:Order")).get(order_id)
        if found is None:
            raise reject(E.ORDER_NOT_FOUND, "The order of this idempotency key is not visible to you")
        return found
    order, replayed = await idempotency.once(s, owner(ctx), "orderPlace", req.idempotency_key, req.body(), ctx.now,
                                             place, replay)
    return {"order": order, "replayed": replayed}


async def _decide(ctx: Context, s: Any, order_gid: str, approve: bool, comment: str | None) -> dict[str, Any]:
    order = await find_order(ctx, s, order_gid, "Mutation.orderApprove" if approve else "Mutation.orderReject")
    decision = await ordering.decide(s, order, ctx.caller.user_id, approve, comment or None, ctx.now, ctx.actor,
                                     ctx.merchant, ctx.gateway)
    return {"order": decision.order, "approval_complete": decision.final}


# Should a decision ever miss the order's lock, the database's one invoice per order stops the
# second one: it is answered as the decision it lost to.
DECIDED = Problem(E.NOT_PENDING_APPROVAL, "Another approver decided on this order a moment ago", ("input", "orderId"))


@mutation("orderApprove", OrderDecisionPayload, audit="order.approve", on_conflict=DECIDED)
async def order_approve(ctx: Context, s: Any, order_gid: str, comment: str | None) -> dict[str, Any]:
    return await _decide(ctx, s, order_gid, True, comment)


@mutation("orderReject", OrderDecisionPayload, audit="order.reject")
async def order_reject(ctx: Context, s: Any, order_gid: str, comment: str | None) -> dict[str, Any]:
    return await _decide(ctx, s, order_gid, False, comment)


async def approval_queue(ctx: Context, window: Window) -> Connection:
    scope = ctx.scope("rows:ApprovalQueue")
    return await paginate(ctx, lambda s: repo.ApprovalQueueRepository(s, scope, ctx.caller.user_id),
                          OrderFilter(), window)


@mutation("orderReorder", OrderReorderPayload, audit="order.reorder")
async def order_reorder(ctx: Context, s: Any, order_gid: str, cart_gid: str | None) -> dict[str, Any]:
    order = await find_row(OrderRepository(s, ctx.scope("rows:Order")), order_gid, "Order",
                           E.ORDER_NOT_FOUND, "orderId", lock=False)
    require(ctx, "Mutation.orderReorder", order.account_id, order.location_id)
    if cart_gid is not None:
        cart = await find_cart(ctx, s, cart_gid, "Mutation.orderReorder")
    else:
        require(ctx, "Mutation.cartCreate", order.account_id, order.location_id)
        cart = None
    cart, unavailable, repriced = await carts.reorder(s, order, cart, ctx.caller.user_id,
                                                      ctx.loaders.pricing.pricer_in(s), ctx.now)
    return {"cart": cart, "unavailable_lines": unavailable, "repriced_lines": repriced}


@mutation("orderUpdate", OrderPayload, audit="order.update")
async def order_update(ctx: Context, s: Any, order_gid: str, changes: list[tuple[str, int]], po_number: str | None,
                       note: str | None) -> dict[str, Any]:
    order = await find_order(ctx, s, order_gid, "Mutation.orderUpdate")
    line_changes = [ordering.LineChange(decode_as(gid, "OrderLine"), qty, ["input", "lines", str(i)])
                    for i, (gid, qty) in enumerate(changes)]
    return {"order": await ordering.change(s, order, line_changes, po_number, note, ctx.loaders.pricing.pricer_in(s),
                                           ctx.now, ctx.actor, ctx.merchant)}


@mutation("orderCancel", OrderCancelPayload, audit="order.cancel")
async def order_cancel(ctx: Context, s: Any, order_gid: str, reason: str | None) -> dict[str, Any]:
    order = await find_order(ctx, s, order_gid, "Mutation.orderCancel")
    order, whole = await ordering.cancel(s, order, reason or None, ctx.now, ctx.actor, ctx.merchant)
    return {"order": order, "cancelled_whole_order": whole}


async def ordering_settings(ctx: Context, account: Any) -> OrderingSettingsView:
    async with ctx.db.session() as s:
        return ordering.settings_view(account, await repo.ordering_settings(s, account.id))


@mutation("accountOrderingSettingsUpdate", OrderingSettingsPayload, audit="account.ordering_settings")
async def ordering_settings_update(ctx: Context, s: Any, account_gid: str, period: SpendingLimitPeriod | None,
                                   threshold: Decimal | None, clear_threshold: bool,
                                   requires_approval: bool | None) -> dict[str, Any]:
    account = await find_row(AccountRepository(s, ctx.scope("rows:Account")), account_gid, "Account",
                             E.ACCOUNT_NOT_FOUND, "accountId")
    require(ctx, "Mutation.accountOrderingSettingsUpdate", account.id)  # type: ignore[arg-type]
    return {"settings": await ordering.update_settings(s, account, period, threshold, clear_threshold,
                                                       requires_approval, ctx.now, ctx.actor)}
