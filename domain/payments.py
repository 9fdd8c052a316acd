"""Payment methods through a payment gateway: saving a card from a token or a SetupIntent, setting
the default, updating the expiry, removing one; and the gateway's interface, which the adapters in
integrations/ implement (the built-in test gateway, Stripe).

Only what a person needs to tell cards apart is stored (brand, last four digits, expiry) with the
gateway's token; the card itself stays with the gateway. A gateway call is made outside any lock
(reads first, on their own session), so a slow gateway holds no row: the account's row is locked
only once the gateway has answered, and then every change of the account's methods is decided on
what the last writer committed (the last-method rule cannot be raced past by two removals)."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from db.enums import CollectionMethod, PaymentMethodKind, PaymentStatus, SubscriptionStatus
from db.models import Account, Invoice, Payment, PaymentMethod
from db.repositories import payments as repo
from db.repositories.accounts import AccountRepository
from db.repositories.base import lock_row
from db.repositories.payments import PaymentMethodRepository
from db.scope import RowScope
from domain import audit
from domain.audit import Actor
from domain.errors import reject
from domain.invoicing import apply_payment
from domain.invoicing.numbering import next_number as numbering_next
from domain.invoicing.settings import NumberFormat, Series
from domain.money import minor_unit, round_to_minor

EXPIRES_SOON_DAYS = 30
# Subscriptions that still bill: while one of them is charged automatically, the account keeps a method.
LIVE_SUBSCRIPTIONS = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE)
CHARGED = CollectionMethod.CHARGE_AUTOMATICALLY


class PaymentErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"                      # no such account or method among the caller's
    SETUP_NOT_FOUND = "SETUP_NOT_FOUND"          # a setup the gateway does not know, or another account's
    TOKEN_OR_SETUP_REQUIRED = "TOKEN_OR_SETUP_REQUIRED"
    ALREADY_SAVED = "ALREADY_SAVED"
    CARD_DECLINED = "CARD_DECLINED"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    EXPIRED_CARD = "EXPIRED_CARD"                # the gateway says the card has expired
    REQUIRES_ACTION = "REQUIRES_ACTION"          # the customer must confirm (3-D Secure) first
    GATEWAY_ERROR = "GATEWAY_ERROR"
    METHOD_EXPIRED = "METHOD_EXPIRED"            # a saved method past its expiry
    INVALID_EXPIRY = "INVALID_EXPIRY"
    LAST_METHOD_IN_USE = "LAST_METHOD_IN_USE"
    # Paying invoices (domain/invoice_payments.py)
    NO_INVOICES = "NO_INVOICES"
    DUPLICATE_INVOICE = "DUPLICATE_INVOICE"
    METHOD_OR_CREDIT_REQUIRED = "METHOD_OR_CREDIT_REQUIRED"   # a paymentMethodId or useAccountCredit, one
    INVOICE_NOT_FOUND = "INVOICE_NOT_FOUND"                    # none such among the account's
    NOT_OPEN = "NOT_OPEN"                                      # paid, void, draft or uncollectible
    INVALID_AMOUNT = "INVALID_AMOUNT"                          # <= 0 or finer than the currency's minor unit
    OVERPAYMENT = "OVERPAYMENT"                                # more than the invoice has due
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"                    # invoices of several currencies
    NO_ACCOUNT_CREDIT = "NO_ACCOUNT_CREDIT"                    # the balance does not cover it
    INVOICE_CHANGED = "INVOICE_CHANGED"                        # paid meanwhile: the charge was refunded


E = PaymentErrorCode


# The gateway's interface -------------------------------------------------------------------------

class Outcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"                        # declined; `decline_code` says why (generic_decline, ...)
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    EXPIRED_CARD = "EXPIRED_CARD"
    REQUIRES_ACTION = "REQUIRES_ACTION"          # the customer must act; `client_secret` lets the page do it
    PENDING = "PENDING"                          # a setup not yet confirmed by the customer
    ERROR = "ERROR"                              # the gateway failed or could not be reached


@dataclass(frozen=True)
class Card:
    """A card saved at the gateway: its token there and what a person needs to tell it apart."""
    method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class SetupResult:
    """A SetupIntent's state: SUCCEEDED with the saved card, or why not."""
    outcome: Outcome
    setup_id: str | None = None
    client_secret: str | None = None
    card: Card | None = None
    customer_id: str | None = None
    account_ref: str | None = None   # the account the setup was started for (its metadata)
    decline_code: str | None = None
    message: str = ""


@dataclass(frozen=True)
class ChargeResult:
    """An off-session charge (a PaymentIntent) and how it went."""
    outcome: Outcome
    charge_id: str | None = None
    amount: Decimal = Decimal(0)
    currency: str = ""
    client_secret: str | None = None
    decline_code: str | None = None
    message: str = ""


@dataclass(frozen=True)
class RefundResult:
    outcome: Outcome
    refund_id: str | None = None
    amount: Decimal = Decimal(0)
    currency: str = ""
    message: str = ""


class PaymentGateway(Protocol):
    """A card payment gateway. No method raises for a card's or the gateway's failure: each answers
    with its Outcome (ERROR when the gateway could not be reached)."""
    name: str

    async def create_customer(self, account_ref: str, name: str) -> str:
        """The gateway's customer for an account (saved cards are attached to it); raises
        GatewayUnavailable when it cannot."""

    async def start_setup(self, customer_id: str, account_ref: str) -> SetupResult:
        """A SetupIntent for the customer to confirm on the page (PENDING with its client secret)."""

    async def save_token(self, customer_id: str, account_ref: str, token: str) -> SetupResult:
        """Save the card of a token made on the page (a SetupIntent confirmed with it, for
        off-session use): SUCCEEDED with the card, REQUIRES_ACTION, or the decline."""

    async def finish_setup(self, setup_id: str) -> SetupResult:
        """A SetupIntent's state after the customer confirmed it (SUCCEEDED with the card)."""

    async def update_card(self, method_id: str, exp_month: int, exp_year: int) -> SetupResult:
        """Change a saved card's expiry (the bank sent a new card with the same number)."""

    async def detach(self, method_id: str) -> SetupResult:
        """Forget a saved card: it can no longer be charged."""

    async def charge(self, customer_id: str, method_id: str, amount: Decimal, currency: str,
                     idempotency_key: str, description: str = "") -> ChargeResult:
        """Charge a saved card off-session. The same idempotency key gives the first result, never
        a second charge."""

    async def retrieve(self, charge_id: str) -> ChargeResult:
        """A charge's current state (after the customer completed an action, or to reconcile)."""

    async def refund(self, charge_id: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult:
        """Give back (part of) a charge."""


# The decline code of an answer about a setup, card or charge the gateway does not know (Stripe's).
MISSING = "resource_missing"


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed; nothing is known to have happened there."""


def minor_units(amount: Decimal, currency: str) -> int:
    """What gateways take: the amount in the currency's minor unit (cents), rounded there."""
    return int(round_to_minor(amount, currency) / minor_unit(currency))


def from_minor_units(value: int, currency: str) -> Decimal:
    return Decimal(value) * minor_unit(currency)


# Rules --------------------------------------------------------------------------------------------

def expires_at(exp_month: int, exp_year: int) -> datetime:
    """The instant a card stops working: the start of the month after its expiry month (UTC)."""
    year, month = (exp_year + 1, 1) if exp_month == 12 else (exp_year, exp_month + 1)
    return datetime(year, month, 1, tzinfo=timezone.utc)


def is_expired(method: PaymentMethod, now: datetime) -> bool:
    return expires_at(method.exp_month, method.exp_year) <= now


def expires_soon(method: PaymentMethod, now: datetime) -> bool:
    """Still valid, but not 30 days from now: time to ask the customer for the new card."""
    return not is_expired(method, now) and expires_at(method.exp_month, method.exp_year) <= now + timedelta(
        days=EXPIRES_SOON_DAYS)


def account_ref(account_id: int) -> str:
    """How the gateway knows an account (metadata on its customer and setups)."""
    return f"account:{account_id}"


# The caller's policy check on the account whose methods change: raises when it may not.
Guard = Callable[[int], None]

_DECLINES = {Outcome.DECLINED: (E.CARD_DECLINED, "The card was declined"),
             Outcome.INSUFFICIENT_FUNDS: (E.INSUFFICIENT_FUNDS, "The card was declined for insufficient funds"),
             Outcome.EXPIRED_CARD: (E.EXPIRED_CARD, "The card has expired"),
             Outcome.ERROR: (E.GATEWAY_ERROR, "The payment gateway could not save the card: try again later")}


@dataclass(frozen=True)
class Wanted:
    """A card to save: from a token made on the page, or a SetupIntent the customer confirmed."""
    account_id: int
    token: str | None = None
    setup_id: str | None = None
    make_default: bool = False


@dataclass(frozen=True)
class Added:
    method: PaymentMethod | None
    # When the customer must act first (3-D Secure): the setup to complete on the page.
    setup: SetupResult | None = None


async def _payable_account(r: Any, scope: RowScope, guard: Guard, account_id: int) -> Account:
    account = await AccountRepository(r, scope).get(account_id)
    if account is None:
        raise reject(E.NOT_FOUND, "No account with that ID", "input", "accountId")
    guard(account.id)
    return account


async def _customer(r: Any, gateway: PaymentGateway, account: Account) -> str:
    found = await repo.customer_of(r, account.id, gateway.name)
    if found:
        return found
    try:
        return await gateway.create_customer(account_ref(account.id), account.name)
    except GatewayUnavailable:
        raise reject(E.GATEWAY_ERROR, "The payment gateway could not be reached: try again later") from None


async def start_setup(db: Any, s: Any, gateway: PaymentGateway, actor: Actor, now: datetime, scope: RowScope,
                      guard: Guard, account_id: int, throttle: Callable[[int], Any]) -> SetupResult:
    """A SetupIntent the customer confirms on the page (with the gateway's script), then saves with
    `add(setup_id=...)`. Nothing is stored until then."""
    async with db.session() as r:
        account = await _payable_account(r, scope, guard, account_id)
        await throttle(account.id)
        customer = await _customer(r, gateway, account)
    setup = await gateway.start_setup(customer, account_ref(account.id))
    if setup.outcome is Outcome.ERROR or not setup.setup_id:
        raise reject(E.GATEWAY_ERROR, "The payment gateway could not start saving a card: try again later")
    audit.record(s, actor, "payment_method.setup_start", now, account_id=account.id, gateway=gateway.name)
    return setup


async def add(db: Any, s: Any, gateway: PaymentGateway, actor: Actor, now: datetime, scope: RowScope,
              guard: Guard, wanted: Wanted, throttle: Callable[[int], Any]) -> Added:
    """Save a card from a token or a confirmed setup. A decline, a card that needs the customer's
    action, or another account's setup is a userError with nothing saved; the account's first
    method becomes its default."""
    if bool(wanted.token) == bool(wanted.setup_id):
        raise reject(E.TOKEN_OR_SETUP_REQUIRED, "Give either the card's token or the ID of the confirmed setup",
                     "input", "token" if not wanted.token else "setupId", attempted=False)
    async with db.session() as r:
        account = await _payable_account(r, scope, guard, wanted.account_id)
        if wanted.token:  # card testing: each card tried counts, whatever the answer (a setup counted at its start)
            await throttle(account.id)
        customer = await _customer(r, gateway, account) if wanted.token else None
    ref = account_ref(account.id)
    if wanted.token:
        result = await gateway.save_token(customer, ref, wanted.token.strip())  # type: ignore[arg-type]
    else:
        result = await gateway.finish_setup(wanted.setup_id.strip())  # type: ignore[union-attr]
        if result.decline_code == MISSING or result.account_ref not in (None, ref):
            raise reject(E.SETUP_NOT_FOUND, "No card setup with that ID for this account", "input", "setupId")
    _check_saved(result, "setupId" if wanted.setup_id else "token", account_id=account.id)
    card = result.card
    assert card is not None
    # Only now, with the gateway's answer, the account's methods are changed under its lock.
    await lock_row(s, Account, account.id)
    if await repo.method_by_gateway_id(s, gateway.name, card.method_id) is not None:
        raise reject(E.ALREADY_SAVED, "This card is saved already", "input", "token" if wanted.token else "setupId")
    methods = await repo.methods_of(s, account.id)
    default = wanted.make_default or not methods
    if default:
        await repo.clear_default(s, account.id)
    method = PaymentMethod(account_id=account.id, gateway=gateway.name, gateway_method_id=card.method_id,
                           gateway_customer_id=result.customer_id or customer, brand=card.brand, last4=card.last4,
                           exp_month=card.exp_month, exp_year=card.exp_year, is_default=default, created_at=now)
    s.add(method)
    await s.flush()
    audit.record(s, actor, "payment_method.add", now, account_id=account.id, target_type="PaymentMethod",
                 target_id=method.id, brand=card.brand, last4=card.last4, default=default)
    return Added(method)


def _check_saved(result: SetupResult, field: str, **facts: Any) -> None:
    """Nothing more to do when the gateway saved the card; else its userError. `facts` go into the
    failure's audit event (a run of declines is what card testing looks like)."""
    if result.outcome is Outcome.SUCCEEDED and result.card is not None:
        return
    if result.outcome in (Outcome.REQUIRES_ACTION, Outcome.PENDING):
        raise reject(E.REQUIRES_ACTION, "The card needs the customer's confirmation (3-D Secure): complete the setup "
                     "on the page with its client secret, then add it with its setup ID", "input", field,
                     answer={"setup": result}, **facts)
    code, message = _DECLINES.get(result.outcome, _DECLINES[Outcome.DECLINED])
    detail = f" ({result.decline_code})" if result.decline_code else ""
    raise reject(code, f"{message}{detail}", "input", field, answer={"decline_code": result.decline_code},
                 decline_code=result.decline_code, **facts)


async def _changeable(db: Any, s: Any, scope: RowScope, guard: Guard, method_id: int) -> PaymentMethod:
    """The method among the caller's, checked, then read again under its account's lock."""
    async with db.session() as r:
        seen = await PaymentMethodRepository(r, scope).get(method_id)
        if seen is None:
            raise reject(E.NOT_FOUND, "No payment method with that ID", "input", "id")
        guard(seen.account_id)
    await lock_row(s, Account, seen.account_id)
    method = await PaymentMethodRepository(s, scope).get(method_id)
    if method is None:  # removed meanwhile
        raise reject(E.NOT_FOUND, "No payment method with that ID", "input", "id")
    return method


async def set_default(db: Any, s: Any, actor: Actor, now: datetime, scope: RowScope, guard: Guard,
                      method_id: int) -> PaymentMethod:
    method = await _changeable(db, s, scope, guard, method_id)
    if is_expired(method, now):
        raise reject(E.METHOD_EXPIRED, f"The {method.brand} card ending {method.last4} has expired: update its "
                     "expiry or add the new card", "input", "id")
    if not method.is_default:
        await repo.clear_default(s, method.account_id)
        method.is_default = True
        s.add(method)
    audit.record(s, actor, "payment_method.set_default", now, account_id=method.account_id,
                 target_type="PaymentMethod", target_id=method.id)
    return method


async def update_expiry(db: Any, s: Any, gateway: PaymentGateway, actor: Actor, now: datetime, scope: RowScope,
                        guard: Guard, method_id: int, exp_month: int, exp_year: int) -> PaymentMethod:
    if not 1 <= exp_month <= 12:
        raise reject(E.INVALID_EXPIRY, "The month goes from 1 to 12", "input", "expMonth")
    if exp_year < 100:
        exp_year += 2000  # "27" as printed on the card
    if expires_at(exp_month, exp_year) <= now or exp_year > now.year + 50:
        raise reject(E.INVALID_EXPIRY, "Give the expiry printed on the card: a month to come", "input", "expYear")
    method = await _changeable(db, s, scope, guard, method_id)
    method.exp_month, method.exp_year = exp_month, exp_year
    s.add(method)
    await s.flush()
    result = await gateway.update_card(method.gateway_method_id, exp_month, exp_year)
    if result.outcome is not Outcome.SUCCEEDED:  # the gateway said no: nothing changes here either
        _check_saved(result, "expYear")
    audit.record(s, actor, "payment_method.update_expiry", now, account_id=method.account_id,
                 target_type="PaymentMethod", target_id=method.id, exp=f"{exp_month:02d}/{exp_year}")
    return method


async def remove(db: Any, s: Any, gateway: PaymentGateway, actor: Actor, now: datetime, scope: RowScope,
                 guard: Guard, method_id: int) -> PaymentMethod:
    """Forget a method; never the account's last while one of its live subscriptions is charged
    automatically. When the default goes, the newest other method becomes the default."""
    method = await _changeable(db, s, scope, guard, method_id)
    others = [m for m in await repo.methods_of(s, method.account_id) if m.id != method.id]
    if not others and await repo.charged_subscriptions(s, method.account_id, LIVE_SUBSCRIPTIONS, CHARGED):
        raise reject(E.LAST_METHOD_IN_USE, "A subscription of the account is charged to this card: add another "
                     "payment method (or change how the subscription is paid) before removing it", "input", "id")
    await s.delete(method)
    if method.is_default and others:
        successor = max(others, key=lambda m: (m.created_at, m.id))
        successor.is_default = True
        s.add(successor)
    await s.flush()
    if method.gateway == gateway.name:
        result = await gateway.detach(method.gateway_method_id)
        if result.outcome is Outcome.ERROR:
            raise reject(E.GATEWAY_ERROR, "The payment gateway could not be reached: try again later", "input", "id")
    audit.record(s, actor, "payment_method.remove", now, account_id=method.account_id,
                 target_type="PaymentMethod", target_id=method.id, brand=method.brand, last4=method.last4)
    return method


async def charge(gateway: PaymentGateway, method: PaymentMethod, amount: Decimal, currency: str,
                 idempotency_key: str, now: datetime, description: str = "") -> ChargeResult:
    """Charge a saved method off-session: what paying an invoice calls. The amount is rounded to the
    currency's minor unit; the same idempotency key never charges twice (the gateway's promise).
    An expired method, or one saved with another gateway, is refused before the gateway is asked;
    a decline is the result's Outcome (to be recorded as a failed payment), not an exception."""
    if method.gateway != gateway.name:
        raise reject(E.GATEWAY_ERROR, f"This card was saved with the {method.gateway} gateway, which is not in use: "
                     "add it again", "input", "paymentMethodId")
    if is_expired(method, now):
        raise reject(E.METHOD_EXPIRED, f"The {method.brand} card ending {method.last4} has expired", "input",
                     "paymentMethodId")
    return await gateway.charge(method.gateway_customer_id or "", method.gateway_method_id,
                                round_to_minor(amount, currency), currency, idempotency_key, description)


# Recording what was paid --------------------------------------------------------------------------

async def record_charge(session: Any, paid: list[tuple[Invoice, Decimal]], charge_result: ChargeResult,
                        method: PaymentMethod, group_key: str, now: datetime, numbering: NumberFormat
                        ) -> list[Payment]:
    """A SUCCEEDED gateway charge on invoices read under lock (in id order): each invoice takes its
    part (`apply_payment`: the rest stays OPEN, all of it makes it PAID), and gets a SUCCEEDED CARD
    `Payment` row; the rows share `group_key` (the charge's idempotency key), the charge's ID and one
    receipt number (series RECEIPT). Used by invoicePay and by a charge at order placement."""
    receipt = await numbering_next(session, Series.RECEIPT, numbering, now)
    payments = []
    for invoice, amount in paid:
        await apply_payment(session, invoice, amount, now)
        payments.append(Payment(invoice_id=invoice.id, account_id=invoice.account_id, amount=amount,  # type: ignore[arg-type]
                                currency=invoice.currency, method=PaymentMethodKind.CARD,
                                status=PaymentStatus.SUCCEEDED, reference=charge_result.charge_id,
                                group_key=group_key, card_brand=method.brand, card_last4=method.last4,
                                receipt_number=receipt, created_at=now))
    session.add_all(payments)
    await session.flush()
    return payments


def failed_payments(paid: list[tuple[Invoice, Decimal]], charge_result: ChargeResult, method: PaymentMethod,
                    group_key: str, now: datetime) -> list[Payment]:
    """The FAILED rows of a declined charge (one per invoice it was for), with the decline code."""
    return [Payment(invoice_id=invoice.id, account_id=invoice.account_id, amount=amount,  # type: ignore[arg-type]
                    currency=invoice.currency, method=PaymentMethodKind.CARD, status=PaymentStatus.FAILED,
                    reference=charge_result.charge_id, group_key=group_key,
                    decline_code=charge_result.decline_code or charge_result.outcome.value.lower(),
                    card_brand=method.brand, card_last4=method.last4, created_at=now)
            for invoice, amount in paid]
