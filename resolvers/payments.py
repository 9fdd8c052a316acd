"""Saved payment methods: start a card setup, save a card, choose the default, update the expiry, remove."""
from dataclasses import dataclass, field
from typing import Any

from decimal import Decimal

from db.models import Payment, PaymentMethod
from domain import idempotency, invoice_payments, payments
from domain.invoice_payments import Part, PayRequest
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


@dataclass
class InvoicePayPayload:
    payments: list[Payment] = field(default_factory=list)
    replayed: bool = False
    decline_code: str | None = None
    client_secret: str | None = None  # REQUIRES_ACTION: for the gateway's script on the page
    user_errors: list[UserError] = field(default_factory=list)

    @property
    def invoice_ids(self) -> list[int]:
        return [p.invoice_id for p in self.payments]


@mutation("invoicePay", InvoicePayPayload, audit="invoice.pay", failed_audit="invoice.pay_failed")
async def invoice_pay(ctx: Context, s: Any, account_id: str, parts: list[tuple[str, Decimal | None]],
                      method_id: str | None, use_account_credit: bool, idempotency_key: str) -> dict[str, Any]:
    aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
    decoded = [Part(decode_or_reject(gid, "Invoice", E.INVOICE_NOT_FOUND, "input", "invoices", str(n), "invoiceId"),
                    amount) for n, (gid, amount) in enumerate(parts)]
    mid = _method_id(method_id) if method_id else None
    req = PayRequest(aid, decoded, mid, use_account_credit, idempotency_key)
    paid = await invoice_payments.pay(
        ctx.db, s, ctx.gateway, ctx.actor, ctx.now, ctx.scope("rows:Invoice"), ctx.scope("rows:PaymentMethod"),
        lambda account, location: require(ctx, "Mutation.invoicePay", account, location), req,
        idempotency.principal(ctx.caller.user_id, ctx.caller.session_id), ctx.merchant, ctx.caller.user_id)
    return {"payments": paid.payments, "replayed": paid.replayed}
