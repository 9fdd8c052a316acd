"""Paying open invoices (invoicePay): one or several invoices of one account in one currency, each
in full or in part, with a saved card (one gateway charge for the total) or from account credit.

The charge happens once, without holding invoice locks:
1. the request's idempotency key is claimed first (domain.idempotency: a row under a unique index,
   in this transaction), so concurrent retries with the key wait for this one, then replay it;
2. the invoices are read and checked without a lock, and the card is charged with an idempotency
   key derived from the request's (`group_key`): a retry after a crash (when the claim rolled back)
   gets the gateway's first answer, never a second charge;
3. then the invoices are locked in id order (no deadlock between two payments) and checked again:
   one that changed meanwhile (paid by someone else) gets its charge refunded and the request is
   refused (INVOICE_CHANGED); else `payments.record_charge` pays them.
A declined card leaves FAILED payment rows with the decline code, committed although the request
fails (Rejected effects)."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from db.enums import InvoiceStatus, PaymentMethodKind, PaymentStatus
from db.models import Invoice, Payment, PaymentMethod
from db.repositories import billing as invoice_repo
from db.repositories import ordering as order_repo
from db.repositories.billing import InvoiceRepository
from db.repositories.payments import PaymentMethodRepository, payments_of_group
from db.scope import RowScope
from domain import audit, idempotency, invoice_mail
from domain.audit import Actor
from domain.errors import Rejected, reject
from domain.invoicing import apply_account_credit
from domain.invoicing.amounts import charged, shown
from domain.invoicing.numbering import next_number
from domain.invoicing.settings import MerchantSettings, Series
from domain.payments import Outcome, PaymentErrorCode as E, PaymentGateway, charge, failed_payments, record_charge

MAX_INVOICES = 50
# The caller's policy check on an invoice's account and location: raises when it may not pay it.
Guard = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Part:
    invoice_id: int
    amount: Decimal | None = None  # None: all that is due


@dataclass(frozen=True)
class PayRequest:
    account_id: int
    parts: list[Part]
    method_id: int | None
    use_account_credit: bool
    idempotency_key: str

    def body(self) -> dict[str, Any]:
        return {"account": self.account_id, "method": self.method_id, "credit": self.use_account_credit,
                "parts": [[p.invoice_id, None if p.amount is None else str(p.amount)] for p in self.parts]}


@dataclass
class Paid:
    payments: list[Payment]
    replayed: bool = False

    @property
    def id(self) -> int:  # what the idempotency key remembers: the first row of the payment
        return self.payments[0].id  # type: ignore[return-value]


def _check(invoice: Invoice, part: Part, field: list[str]) -> Decimal:
    """What the part pays of the invoice, or its userError."""
    if invoice.status is not InvoiceStatus.OPEN:
        raise reject(E.NOT_OPEN, f"Invoice {invoice.number or 'draft'} is {invoice.status.value}: only an open "
                     "invoice is paid", *field, "invoiceId")
    amount = invoice.amount_due if part.amount is None else part.amount
    if amount <= 0 or charged(amount, invoice.currency) != amount:
        raise reject(E.INVALID_AMOUNT, f"Pay a positive amount in whole {invoice.currency} minor units", *field,
                     "amount")
    if amount > invoice.amount_due:
        raise reject(E.OVERPAYMENT, f"At most {shown(invoice.amount_due, invoice.currency)} is due on invoice "
                     f"{invoice.number}", *field, "amount")
    return amount


async def _checked(db: Any, scope: RowScope, guard: Guard, req: PayRequest) -> list[tuple[Invoice, Decimal]]:
    """The invoices and amounts, checked on what is committed (no lock)."""
    if not req.parts or len(req.parts) > MAX_INVOICES:
        raise reject(E.NO_INVOICES, f"Give 1 to {MAX_INVOICES} invoices to pay", "input", "invoices")
    if len({p.invoice_id for p in req.parts}) != len(req.parts):
        raise reject(E.DUPLICATE_INVOICE, "Each invoice once", "input", "invoices")
    if (req.method_id is None) == (not req.use_account_credit):
        raise reject(E.METHOD_OR_CREDIT_REQUIRED, "Pay with a paymentMethodId or with useAccountCredit, one of them",
                     "input", "paymentMethodId")
    async with db.session() as r:
        found = await InvoiceRepository(r, scope).get_many([p.invoice_id for p in req.parts])
    paid = []
    for n, part in enumerate(req.parts):
        field = ["input", "invoices", str(n)]
        invoice = found.get(part.invoice_id)
        if invoice is None or invoice.account_id != req.account_id:
            raise reject(E.INVOICE_NOT_FOUND, "No invoice with that ID among the account's", *field, "invoiceId")
        guard(invoice.account_id, invoice.location_id)
        paid.append((invoice, _check(invoice, part, field)))
    if len({invoice.currency for invoice, _ in paid}) > 1:
        raise reject(E.CURRENCY_MISMATCH, "Pay invoices of one currency at a time", "input", "invoices")
    return paid


async def _locked(s: Any, req: PayRequest) -> list[tuple[Invoice, Decimal]]:
    """The invoices read again under lock, in id order (two payments never wait on each other)."""
    parts = {p.invoice_id: (n, p) for n, p in enumerate(req.parts)}
    out = []
    for invoice_id in sorted(parts):
        n, part = parts[invoice_id]
        invoice = await invoice_repo.lock_invoice(s, invoice_id)
        assert invoice is not None
        out.append((invoice, _check(invoice, part, ["input", "invoices", str(n)])))
    return out


def group_key(owner: str, key: str) -> str:
    """The gateway's idempotency key of a request's charge: the rows of the payment share it."""
    return f"invoicepay:{owner}:{key.strip()}"


async def pay(db: Any, s: Any, gateway: PaymentGateway, actor: Actor, now: datetime, invoices: RowScope,
              methods: RowScope, guard: Guard, req: PayRequest, owner: str, merchant: MerchantSettings,
              user_id: int | None) -> Paid:
    """Pay the request's invoices once per idempotency key (see the module's docstring)."""
    async def work() -> Paid:
        paid = await _checked(db, invoices, guard, req)
        key = group_key(owner, req.idempotency_key)
        if req.use_account_credit:
            return Paid(await _from_credit(s, req, key, now, merchant, user_id))
        return Paid(await _by_card(db, s, gateway, methods, req, paid, key, now, merchant))

    async def replay(payment_id: int) -> Paid:
        first = await s.get(Payment, payment_id)
        return Paid(await payments_of_group(s, first.group_key), replayed=True)

    result, _ = await idempotency.once(s, owner, "invoicePay", req.idempotency_key, req.body(), now, work, replay)
    if not result.replayed:
        p = result.payments
        audit.record(s, actor, "invoice.pay", now, account_id=req.account_id, target_type="Payment",
                     target_id=p[0].id, invoices=len(p), amount=str(sum(x.amount for x in p)),
                     currency=p[0].currency, method=p[0].method.value, receipt=p[0].receipt_number)
        await invoice_mail.receipt(s, p, merchant, now)
    return result


async def _by_card(db: Any, s: Any, gateway: PaymentGateway, scope: RowScope, req: PayRequest,
                   paid: list[tuple[Invoice, Decimal]], key: str, now: datetime,
                   merchant: MerchantSettings) -> list[Payment]:
    async with db.session() as r:
        method = await PaymentMethodRepository(r, scope).get(req.method_id)  # type: ignore[arg-type]
    if method is None or method.account_id != req.account_id:
        raise reject(E.NOT_FOUND, "No payment method with that ID among the account's", "input", "paymentMethodId")
    total = sum((amount for _, amount in paid), Decimal(0))
    currency = paid[0][0].currency
    numbers = ", ".join(i.number or "" for i, _ in paid)
    result = await charge(gateway, method, total, currency, key, now, f"Invoices {numbers}"[:200])
    if result.outcome is not Outcome.SUCCEEDED:
        _refused(result, paid, method, key, now)
    try:
        locked = await _locked(s, req)
    except Rejected:
        # Paid or changed by someone else while the card was charged: the money goes back.
        await gateway.refund(result.charge_id or "", result.amount, currency, f"{key}:refund")
        raise reject(E.INVOICE_CHANGED, "An invoice changed while the card was charged; the charge was refunded: "
                     "look at the invoices again", "input", "invoices") from None
    return await record_charge(s, locked, result, method, key, now, merchant.numbering)


_DECLINED = {Outcome.DECLINED: E.CARD_DECLINED, Outcome.INSUFFICIENT_FUNDS: E.INSUFFICIENT_FUNDS,
             Outcome.EXPIRED_CARD: E.EXPIRED_CARD}


def _refused(result: Any, paid: list[tuple[Invoice, Decimal]], method: PaymentMethod, key: str,
             now: datetime) -> None:
    if result.outcome is Outcome.REQUIRES_ACTION:
        raise reject(E.REQUIRES_ACTION, "The card needs the customer's confirmation (3-D Secure): nothing was paid",
                     "input", "paymentMethodId", answer={"client_secret": result.client_secret})
    if result.outcome not in _DECLINED:
        raise reject(E.GATEWAY_ERROR, "The payment gateway could not charge the card: try again later", "input",
                     "paymentMethodId")
    rows = failed_payments(paid, result, method, key, now)

    async def record(session: Any) -> None:
        if not await payments_of_group(session, key):  # a retry of a declined request: recorded once
            session.add_all(rows)
    raise reject(_DECLINED[result.outcome], f"The card was declined ({rows[0].decline_code})", "input",
                 "paymentMethodId", effects=[record], answer={"decline_code": rows[0].decline_code},
                 decline_code=rows[0].decline_code, account_id=paid[0][0].account_id)


async def _from_credit(s: Any, req: PayRequest, key: str, now: datetime, merchant: MerchantSettings,
                       user_id: int | None) -> list[Payment]:
    """Pay from the account's credit balance: the account first (the balance), then the invoices."""
    await order_repo.lock_account(s, req.account_id)
    locked = await _locked(s, req)
    receipt = await next_number(s, Series.RECEIPT, merchant.numbering, now)
    payments = []
    for invoice, amount in locked:
        try:
            await apply_account_credit(s, invoice, now, amount, user_id)
        except Rejected:
            raise reject(E.NO_ACCOUNT_CREDIT, "The account's credit balance does not cover "
                         f"{shown(sum(a for _, a in locked), invoice.currency)}", "input", "useAccountCredit") from None
        payments.append(Payment(invoice_id=invoice.id, account_id=invoice.account_id, amount=amount,  # type: ignore[arg-type]
                                currency=invoice.currency, method=PaymentMethodKind.ACCOUNT_CREDIT,
                                status=PaymentStatus.SUCCEEDED, group_key=key, receipt_number=receipt, created_at=now))
    s.add_all(payments)
    await s.flush()
    return payments
