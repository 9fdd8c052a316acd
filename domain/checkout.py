"""Card payment at placement: an account without net terms (or one the merchant sets to "card
required") pays its order with a saved card when it is placed, or when it is approved if it waits
for an approval (charged then, not authorised at placement: an approval may take longer than a
card authorisation holds, as Stripe's 7 days).

The charge is made after the order's checks pass and before anything is written, with the
account's row locked (two orders of one account are charged one after the other; other accounts
are not held up). Its gateway idempotency key comes from the orderPlace key (whose claim row
serialises retries, domain/idempotency.py), so a retry never charges twice. A declined charge
writes nothing but an audit event; a charge whose transaction then fails to commit is refunded
(domain/rollback.py). A successful charge pays the order's invoice at once."""
import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from db.models import Account, Invoice, Order, PaymentMethod
from db.repositories import payments as payments_repo
from domain import audit, invoicing, payments
from domain.audit import Actor
from domain.errors import Problem, Rejected, reject
from domain.invoicing import MerchantSettings
from domain.payments import ChargeResult, Outcome, PaymentErrorCode, PaymentGateway
from domain.rollback import on_rollback


class CheckoutErrorCode(StrEnum):
    """Why an order paid by card was not placed (or approved); the card's codes are the payments'."""
    PAYMENT_METHOD_REQUIRED = "PAYMENT_METHOD_REQUIRED"   # the account pays when it orders and has no card
    PAYMENT_METHOD_NOT_FOUND = "PAYMENT_METHOD_NOT_FOUND"  # not a method of the order's account
    METHOD_EXPIRED = PaymentErrorCode.METHOD_EXPIRED.value
    CARD_DECLINED = PaymentErrorCode.CARD_DECLINED.value
    INSUFFICIENT_FUNDS = PaymentErrorCode.INSUFFICIENT_FUNDS.value
    EXPIRED_CARD = PaymentErrorCode.EXPIRED_CARD.value
    REQUIRES_ACTION = PaymentErrorCode.REQUIRES_ACTION.value
    GATEWAY_ERROR = PaymentErrorCode.GATEWAY_ERROR.value


E = CheckoutErrorCode


@dataclass(frozen=True)
class Checkout:
    """How an order is to be paid: with the gateway, the method asked for (None: the account's
    default when it pays at placement) and the key its charge is made under."""
    gateway: PaymentGateway
    method_id: int | None
    key: str


def pays_at_placement(account: Account) -> bool:
    return account.payment_terms_days <= 0 or account.card_required


async def method_for(session: Any, account: Account, method_id: int | None) -> PaymentMethod | None:
    """The card an order of the account is paid with: the one asked for (any account may pay by
    card), else the default of an account that pays at placement; None when it is invoiced."""
    methods = await payments_repo.methods_of(session, account.id)  # type: ignore[arg-type]
    if method_id is not None:
        found = next((m for m in methods if m.id == method_id), None)
        if found is None:
            raise reject(E.PAYMENT_METHOD_NOT_FOUND, "No payment method with that ID on the order's account",
                         "input", "paymentMethodId")
        return found
    if not pays_at_placement(account):
        return None
    default = next((m for m in methods if m.is_default), None)
    if default is None:
        raise reject(E.PAYMENT_METHOD_REQUIRED, "This account pays its orders by card when they are placed: add a "
                     "payment method or give one", "input", "paymentMethodId")
    return default


def gateway_key(key: str, method: PaymentMethod, amount: Decimal, currency: str) -> str:
    """The charge's key at the gateway: the same request charges once; another amount or card is
    another charge."""
    digest = hashlib.sha256(f"{key}|{method.id}|{amount}|{currency}".encode()).hexdigest()[:32]
    return f"order:{digest}"


@dataclass(frozen=True)
class Charged:
    """A successful charge: its result, the card, and its key at the gateway (the payments' group key)."""
    result: ChargeResult
    method: PaymentMethod
    key: str


_FAILED = {Outcome.DECLINED: (E.CARD_DECLINED, "The card was declined"),
           Outcome.INSUFFICIENT_FUNDS: (E.INSUFFICIENT_FUNDS, "The card was declined for insufficient funds"),
           Outcome.EXPIRED_CARD: (E.EXPIRED_CARD, "The card has expired"),
           Outcome.REQUIRES_ACTION: (E.REQUIRES_ACTION, "The card's bank asks for the customer's confirmation "
                                     "(3-D Secure) of this payment, which an order cannot wait for (use another card)"),
           Outcome.ERROR: (E.GATEWAY_ERROR, "The payment gateway could not be reached: try again later")}


async def charge(session: Any, gateway: PaymentGateway, method: PaymentMethod, amount: Decimal, currency: str,
                 key: str, now: datetime, actor: Actor, what: str, failure: str = "the order was not placed",
                 field: str = "paymentMethodId") -> Charged:
    """Charge the card, or a userError with the decline code (nothing written but the audit event
    of the failed attempt). A success is refunded should its transaction not commit."""
    at_gateway = gateway_key(key, method, amount, currency)
    try:
        result = await payments.charge(gateway, method, amount, currency, at_gateway, now, what)
    except Rejected as r:  # an expired card or another gateway's, refused before the gateway is asked
        raise Rejected(*(Problem(E(p.code.value), p.message, p.field) for p in r.problems)) from None
    if result.outcome is Outcome.SUCCEEDED and result.charge_id:
        charge_id = result.charge_id

        async def refund() -> None:
            await gateway.refund(charge_id, result.amount or amount, currency, f"{charge_id}:rollback")
        on_rollback(session, refund)
        return Charged(result, method, at_gateway)
    code, message = _FAILED.get(result.outcome, _FAILED[Outcome.DECLINED])
    detail = f" ({result.decline_code})" if result.decline_code else ""
    account_id, method_id = method.account_id, method.id  # read now: the session is gone when the event is written

    async def failed(s: Any) -> None:
        audit.record(s, actor, "order.payment_failed", now, account_id=account_id,
                     target_type="PaymentMethod", target_id=method_id, code=code.value,
                     decline_code=result.decline_code, amount=str(amount), currency=currency, what=what)
    raise reject(code, f"{message}{detail}: {failure}", "input", field,
                 effects=[failed], attempted=False)


async def pay_invoice(session: Any, order: Order, account: Account, merchant: MerchantSettings, charged: Charged,
                      now: datetime) -> Invoice:
    """The paid order's invoice, written now whatever the merchant's invoicing moment (it is paid),
    finalised, with the charge as its payment (and receipt)."""
    invoice = await invoicing.invoice_order(session, order, account, now,
                                            dataclasses.replace(merchant, invoice_drafts=False))
    await payments.record_charge(session, [(invoice, invoice.amount_due)], charged.result, charged.method,
                                 charged.key, now, merchant.numbering)
    return invoice
