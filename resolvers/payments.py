"""Saved payment methods: start a card setup, save a card, choose the default, update the expiry, remove."""
from dataclasses import dataclass, field
from typing import Any

from db.models import PaymentMethod
from domain import payments
from domain.payments import PaymentErrorCode as E, SetupResult, Wanted
from resolvers.context import Context
from resolvers.errors import UserError
from resolvers.globalid import decode_or_reject
from resolvers.identity import throttle
from resolvers.mutation import mutation, require


@dataclass
class PaymentMethodPayload:
    payment_method: PaymentMethod | None = None
    # A card that needs the customer's confirmation (3-D Secure), or a setup just started.
    setup: SetupResult | None = None
    decline_code: str | None = None
    user_errors: list[UserError] = field(default_factory=list)


def _guard(ctx: Context, name: str) -> payments.Guard:
    return lambda account_id: require(ctx, f"Mutation.{name}", account_id)


def _throttle(ctx: Context) -> Any:
    async def hit(account_id: int) -> None:
        await throttle(ctx, "payment_method_add", f"account:{account_id}")
    return hit


@mutation("paymentMethodSetupStart", PaymentMethodPayload, audit="payment_method.setup_start")
async def setup_start(ctx: Context, s: Any, account_id: str) -> dict[str, Any]:
    aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
    setup = await payments.start_setup(ctx.db, s, ctx.gateway, ctx.actor, ctx.now, ctx.scope("rows:Account"),
                                       _guard(ctx, "paymentMethodSetupStart"), aid, _throttle(ctx))
    return {"setup": setup}


@mutation("paymentMethodAdd", PaymentMethodPayload, audit="payment_method.add", failed_audit="payment_method.add_failed")
async def add(ctx: Context, s: Any, account_id: str, token: str | None, setup_id: str | None,
              make_default: bool) -> dict[str, Any]:
    aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
    added = await payments.add(ctx.db, s, ctx.gateway, ctx.actor, ctx.now, ctx.scope("rows:Account"),
                               _guard(ctx, "paymentMethodAdd"), Wanted(aid, token, setup_id, make_default),
                               _throttle(ctx))
    return {"payment_method": added.method}


def _method_id(gid: str) -> int:
    return decode_or_reject(gid, "PaymentMethod", E.NOT_FOUND, "input", "id")


@mutation("paymentMethodSetDefault", PaymentMethodPayload, audit="payment_method.set_default")
async def set_default(ctx: Context, s: Any, method_id: str) -> dict[str, Any]:
    method = await payments.set_default(ctx.db, s, ctx.actor, ctx.now, ctx.scope("rows:PaymentMethod"),
                                        _guard(ctx, "paymentMethodSetDefault"), _method_id(method_id))
    return {"payment_method": method}


@mutation("paymentMethodUpdateExpiry", PaymentMethodPayload, audit="payment_method.update_expiry")
async def update_expiry(ctx: Context, s: Any, method_id: str, exp_month: int, exp_year: int) -> dict[str, Any]:
    method = await payments.update_expiry(ctx.db, s, ctx.gateway, ctx.actor, ctx.now, ctx.scope("rows:PaymentMethod"),
                                          _guard(ctx, "paymentMethodUpdateExpiry"), _method_id(method_id),
                                          exp_month, exp_year)
    return {"payment_method": method}


@dataclass
class PaymentMethodRemovePayload:
    removed_id: str | None = None
    user_errors: list[UserError] = field(default_factory=list)


@mutation("paymentMethodRemove", PaymentMethodRemovePayload, audit="payment_method.remove")
async def remove(ctx: Context, s: Any, method_id: str) -> dict[str, Any]:
    await payments.remove(ctx.db, s, ctx.gateway, ctx.actor, ctx.now, ctx.scope("rows:PaymentMethod"),
                          _guard(ctx, "paymentMethodRemove"), _method_id(method_id))
    return {"removed_id": method_id}
