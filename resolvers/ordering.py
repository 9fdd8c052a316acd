"""Placing orders (from a cart or from lines, idempotently), approvals, reorder, changes and cancelling."""
import asyncio
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.models import AccountOrderingSettings, Cart, Order
from db.models.carts import CartStatus
from db.models.ordering import SpendingLimitPeriod
from db.repositories import ordering as repo
from db.repositories.accounts import AccountRepository
from db.repositories.orders import OrderFilter, OrderRepository
from domain import audit, carts, idempotency, ordering
from domain.ordering import LineRequest, OrderingError, Placement, Problem
from resolvers.carts import PriceChangeReport, change_reports, find_cart, new_cart
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.ordering_common import (UserError, error, in_transaction, merchant, pk, principal, require,
                                       user_errors, visible_location)


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
class ReorderLineReport:
    sku: str
    title: str
    quantity: int
    code: Any
    message: str


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
class PlaceRequest:
    idempotency_key: str
    cart_id: str | None = None
    location_id: str | None = None
    lines: list[LineRequest] = field(default_factory=list)
    po_number: str | None = None
    note: str | None = None
    shipping_address_id: str | None = None

    def body(self) -> dict[str, Any]:
        return {"cart": self.cart_id, "location": self.location_id, "po": self.po_number, "note": self.note,
                "address": self.shipping_address_id,
                "lines": [[r.variant_id, r.sku, r.quantity, r.expected_unit_price] for r in self.lines]}


async def visible_order(ctx: Context, session: Any, gid: str, key: str) -> Order:
    order = await OrderRepository(session, ctx.scope("rows:Order")).get(pk(gid, "Order"))
    if order is None:
        raise error("ORDER_NOT_FOUND", "No order with that ID", "input", "orderId")
    require(ctx, key, order.account_id, order.location_id)
    return order


async def order_place(ctx: Context, req: PlaceRequest) -> OrderPlacePayload:
    """Place a cart, or lines at a location. The same idempotency key returns the first order."""
    changes: list[PriceChangeReport] = []
    replayed = False
    key = (req.idempotency_key or "").strip()

    async def work(s: Any) -> Order:
        nonlocal replayed
        if not key or len(key) > idempotency.KEY_MAX:
            raise error("INVALID_IDEMPOTENCY_KEY", f"Give an idempotency key of 1 to {idempotency.KEY_MAX} "
                        "characters, new for each new order", "input", "idempotencyKey")
        try:
            claim = await idempotency.claim(s, principal(ctx), "orderPlace", key, req.body(), ctx.now)
        except idempotency.KeyReused:
            raise error("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for a different order: use a "
                        "new key for a new order", "input", "idempotencyKey") from None
        except idempotency.KeyInFlight:
            raise error("IDEMPOTENCY_KEY_IN_USE", "An order with this idempotency key is being placed: retry "
                        "in a moment", "input", "idempotencyKey") from None
        if claim.replay:
            replayed = True
            found = await OrderRepository(s, ctx.scope("rows:Order")).get(claim.result_id)  # type: ignore[arg-type]
            if found is None:
                raise error("ORDER_NOT_FOUND", "The order of this idempotency key is not visible to you")
            return found
        order = await (_place_cart(ctx, s, req, changes) if req.cart_id is not None else _place_lines(ctx, s, req))
        idempotency.complete(claim, "Order", order.id)  # type: ignore[arg-type]
        return order
    order, errors = await in_transaction(ctx, work, "order.place")
    return OrderPlacePayload(order, replayed, changes, errors)


async def _place_cart(ctx: Context, s: Any, req: PlaceRequest, changes: list[PriceChangeReport]) -> Order:
    if req.location_id is not None or req.lines:
        raise error("INVALID_INPUT", "Give either a cartId, or a locationId with lines", "input")
    cart = await find_cart(ctx, s, req.cart_id, "Mutation.orderPlace")  # type: ignore[arg-type]
    if cart.status is not CartStatus.OPEN:
        raise error("CART_ORDERED", "This cart has been placed as an order already", "input", "cartId")
    priced, price_changes, problems = await carts.reprice(s, cart, ctx.loaders.ordering.pricer_in(s))
    if price_changes:
        changes.extend(change_reports(price_changes))
        raise OrderingError([Problem("PRICE_CHANGED", f"The price of {c.sku} changed from {c.previous_unit_price} "
                                     f"to {c.unit_price} {c.currency}: review the cart (cartPricesRefresh) and "
                                     "place it again", ["input", "cartId"]) for c in changes])
    if problems:
        raise OrderingError(problems)
    location = await repo.location(s, cart.location_id)
    address = cart.shipping_address_id
    if req.shipping_address_id is not None:
        found = await repo.shipping_address(s, cart.location_id, pk(req.shipping_address_id, "Address"))
        if found is None:
            raise error("ADDRESS_NOT_FOUND", "The shipping address is not one of the location's",
                        "input", "shippingAddressId")
        address = found.id
    order = await ordering.place(s, Placement(cart.account_id, location, ctx.caller.user_id, priced,
                                              req.po_number if req.po_number is not None else cart.po_number,
                                              req.note if req.note is not None else cart.note, address,
                                              source="cart"), ctx.now, ctx.actor, merchant(ctx))
    cart.status = CartStatus.ORDERED
    cart.order_id = order.id
    carts.touch(s, cart, ctx.now)
    return order


async def _place_lines(ctx: Context, s: Any, req: PlaceRequest) -> Order:
    if req.location_id is None or not req.lines:
        raise error("INVALID_INPUT", "Give either a cartId, or a locationId with lines", "input")
    if len(req.lines) > ordering.MAX_LINES:
        raise error("TOO_MANY_LINES", f"An order has at most {ordering.MAX_LINES} lines", "input", "lines")
    location = await visible_location(ctx, s, req.location_id, "input", "locationId")
    require(ctx, "Mutation.orderPlace", location.account_id, location.id)
    account = await repo.account(s, location.account_id)
    priced, problems = await ordering.price_lines(s, location.id, account.currency, req.lines,
                                                  ctx.loaders.ordering.pricer_in(s), merge=False)
    if problems:
        raise OrderingError(problems)
    address = None
    if req.shipping_address_id is not None:
        found = await repo.shipping_address(s, location.id, pk(req.shipping_address_id, "Address"))
        if found is None:
            raise error("ADDRESS_NOT_FOUND", "The shipping address is not one of the location's",
                        "input", "shippingAddressId")
        address = found.id
    return await ordering.place(s, Placement(location.account_id, location, ctx.caller.user_id, priced,
                                             req.po_number, req.note, address, source="lines"),
                                ctx.now, ctx.actor, merchant(ctx))


async def order_decide(ctx: Context, order_gid: str, approve: bool, comment: str | None) -> OrderDecisionPayload:
    async def work(s: Any) -> ordering.Decision:
        order = await visible_order(ctx, s, order_gid, "Mutation.orderApprove" if approve else "Mutation.orderReject")
        return await ordering.decide(s, order.id, ctx.caller.user_id, approve, comment or None,  # type: ignore[arg-type]
                                     ctx.now, ctx.actor, merchant(ctx))
    decision, errors = await in_transaction(ctx, work, "order.decide")
    if decision is None:
        return OrderDecisionPayload(None, False, errors)
    return OrderDecisionPayload(decision.order, decision.final, [])


async def approval_queue(ctx: Context, window: Window) -> Connection:
    scope = ctx.scope("rows:ApprovalQueue")
    return await paginate(ctx, lambda s: repo.ApprovalQueueRepository(s, scope, ctx.caller.user_id),
                          OrderFilter(), window)


async def order_reorder(ctx: Context, order_gid: str, cart_gid: str | None) -> OrderReorderPayload:
    unavailable: list[ReorderLineReport] = []
    repriced: list[PriceChangeReport] = []

    async def work(s: Any) -> Cart:
        order = await visible_order(ctx, s, order_gid, "Mutation.orderReorder")
        if cart_gid is not None:
            cart = await find_cart(ctx, s, cart_gid, "Mutation.orderReorder")
            if cart.location_id != order.location_id:
                raise error("INVALID_INPUT", "The cart is for another location than the order", "input", "cartId")
        else:
            cart = await new_cart(ctx, s, await repo.location(s, order.location_id),
                                  name=f"Reorder of {order.number}")
        lines = await repo.order_lines(s, order.id)  # type: ignore[arg-type]
        report = await carts.reorder(s, cart, lines, ctx.loaders.ordering.pricer_in(s), ctx.now)
        for line, problem in report.unavailable:
            err = user_errors([problem])[0]
            unavailable.append(ReorderLineReport(line.sku, line.title, line.quantity, err.code, err.message))
        for line, price in report.repriced:
            repriced.append(PriceChangeReport(line.sku, line.title, line.quantity, line.unit_price, price,
                                              line.currency))
        if not report.lines:
            raise error("EMPTY", "None of the order's lines can be ordered today", "input", "orderId")
        return cart
    cart, errors = await in_transaction(ctx, work, "order.reorder")
    return OrderReorderPayload(cart, unavailable, repriced, errors)


async def order_update(ctx: Context, order_gid: str, changes: list[tuple[str, int]], po_number: str | None,
                       note: str | None) -> OrderPayload:
    async def work(s: Any) -> Order:
        order = await visible_order(ctx, s, order_gid, "Mutation.orderUpdate")
        lines = {line.id: line for line in await repo.order_lines(s, order.id)}  # type: ignore[arg-type]
        line_changes = [ordering.LineChange(pk(gid, "OrderLine"), qty, ["input", "lines", str(i)])
                        for i, (gid, qty) in enumerate(changes)]
        wanted = [lines[c.line_id].variant_id for c in line_changes if c.line_id in lines]
        variants = {v.id: v for v, _ in await repo.variants_for(s, [v for v in wanted if v is not None], [])}
        pricer = ctx.loaders.ordering.pricer_in(s)
        found = await asyncio.gather(*(pricer(order.location_id, v, 1) for v in variants.values()))
        rules = {vid: rule for vid, (_price, rule) in zip(variants, found)}
        return await ordering.change(s, order.id, line_changes, po_number, note, rules, ctx.now, ctx.actor)  # type: ignore[arg-type]
    order, errors = await in_transaction(ctx, work, "order.update")
    return OrderPayload(order, errors)


async def order_cancel(ctx: Context, order_gid: str, reason: str | None) -> OrderCancelPayload:
    async def work(s: Any) -> tuple[Order, bool]:
        order = await visible_order(ctx, s, order_gid, "Mutation.orderCancel")
        return await ordering.cancel(s, order.id, reason or None, ctx.now, ctx.actor)  # type: ignore[arg-type]
    done, errors = await in_transaction(ctx, work, "order.cancel")
    if done is None:
        return OrderCancelPayload(None, False, errors)
    return OrderCancelPayload(done[0], done[1], [])


# Account ordering settings -------------------------------------------------------------------------

@dataclass
class OrderingSettingsView:
    account_id: int
    currency: str
    spending_limit_period: SpendingLimitPeriod
    second_approval_threshold: Decimal | None
    requires_approval: bool


@dataclass
class OrderingSettingsPayload:
    settings: OrderingSettingsView | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def ordering_settings(ctx: Context, account: Any) -> OrderingSettingsView:
    async with ctx.db.session() as s:
        row = await repo.ordering_settings(s, account.id)
    return OrderingSettingsView(account.id, account.currency,
                                row.spending_limit_period if row else SpendingLimitPeriod.MONTH,
                                row.second_approval_threshold if row else None, account.requires_approval)


async def ordering_settings_update(ctx: Context, account_gid: str, period: SpendingLimitPeriod | None,
                                   threshold: Decimal | None, clear_threshold: bool,
                                   requires_approval: bool | None) -> OrderingSettingsPayload:
    async def work(s: Any) -> Any:
        account = await AccountRepository(s, ctx.scope("rows:Account")).get(pk(account_gid, "Account"))
        if account is None:
            raise error("ACCOUNT_NOT_FOUND", "No account with that ID", "input", "accountId")
        require(ctx, "Mutation.accountOrderingSettingsUpdate", account.id)  # type: ignore[arg-type]
        if threshold is not None and (threshold <= 0 or threshold != threshold.quantize(Decimal("0.0001"))):
            raise error("INVALID_INPUT", "The threshold is above zero, with at most 4 decimals", "input",
                        "secondApprovalThreshold")
        row = await repo.ordering_settings(s, account.id) or AccountOrderingSettings(account_id=account.id)  # type: ignore[arg-type]
        if period is not None:
            row.spending_limit_period = period
        if threshold is not None:
            row.second_approval_threshold = threshold.quantize(Decimal("0.0001"))
        if clear_threshold:
            row.second_approval_threshold = None
        row.updated_at = ctx.now
        s.add(row)
        if requires_approval is not None:
            account.requires_approval = requires_approval
            s.add(account)
        audit.record(s, ctx.actor, "account.ordering_settings", ctx.now, account_id=account.id,
                     target_type="Account", target_id=account.id,
                     spending_limit_period=row.spending_limit_period.value,
                     second_approval_threshold=None if row.second_approval_threshold is None
                     else str(row.second_approval_threshold), requires_approval=account.requires_approval)
        await s.flush()
        return OrderingSettingsView(account.id, account.currency, row.spending_limit_period,  # type: ignore[arg-type]
                                    row.second_approval_threshold, account.requires_approval)
    view, errors = await in_transaction(ctx, work, "ordering.settings_update")
    return OrderingSettingsPayload(view, errors)
