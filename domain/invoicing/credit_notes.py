"""Credit notes: how an issued invoice is reduced (a correction, goodwill, a return's refund, an
order's change or cancellation, a reissue). A credit note first lowers what the invoice has due;
what it credits beyond that goes to the account's credit balance, or is recorded as refunded."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from db.enums import PAYABLE_INVOICE_STATUSES, AccountCreditKind, CreditNoteReason, CreditNoteStatus, InvoiceStatus
from db.models import AccountCreditTransaction, CreditNote, CreditNoteLine, Invoice, InvoiceLine, Order, ReturnRequest
from db.repositories import billing as repo
from domain import invoice_mail, tax
from domain.errors import Problem, Rejected, reject
from domain.invoicing import numbering
from domain.invoicing.codes import CreditNoteErrorCode as E
from domain.invoicing.amounts import FOUR_PLACES, ZERO, charged, settle, shown
from domain.invoicing.settings import MerchantSettings, Series
from domain.webhooks import outbox as webhooks

MEMO_MAX = 2000


@dataclass(frozen=True)
class CreditLine:
    invoice_line_id: int
    quantity: int
    field: tuple[str, ...] = ()


@dataclass
class CreditAsk:
    """Lines of the invoice with quantities, or an amount (tax included), not both."""

    reason: CreditNoteReason
    memo: str | None = None
    lines: list[CreditLine] = field(default_factory=list)
    amount: Decimal | None = None
    # What is credited beyond the amount due: refunded (money back) instead of account credit.
    refund: bool = False
    return_id: int | None = None
    # The tax to credit in all, when it must match what stays billed of an order's tax (an order's
    # change, each line taxed on its own quantity): the cent of difference goes on the last line.
    tax: Decimal | None = None


def creditable(invoice: Invoice) -> Decimal:
    """What credit notes may still take off the invoice."""
    return max(invoice.total - invoice.amount_credited, ZERO)


async def issue(session: Any, invoice: Invoice, ask: CreditAsk, merchant: MerchantSettings, now: datetime,
                user_id: int | None = None) -> CreditNote:
    """A credit note against an invoice read under lock, numbered from its own series now."""
    if invoice.status is InvoiceStatus.DRAFT:
        raise reject(E.INVOICE_NOT_FINALIZED, "A draft is not credited: void it or let it be corrected before "
                     "it is finalised", "input", "invoiceId")
    if invoice.status is InvoiceStatus.VOID:
        raise reject(E.INVOICE_VOID, f"Invoice {invoice.number} is void", "input", "invoiceId")
    if ask.memo is not None and len(ask.memo) > MEMO_MAX:
        raise reject(E.MEMO_TOO_LONG, f"A memo has at most {MEMO_MAX} characters", "input", "memo")
    if bool(ask.lines) == (ask.amount is not None):
        raise reject(E.LINES_OR_AMOUNT, "Credit lines of the invoice or an amount, one of them", "input")
    lines = await _lines(session, invoice, ask) if ask.lines else _amount_line(invoice, ask)
    if ask.tax is not None and lines:
        lines[-1].tax = max(lines[-1].tax + ask.tax - sum((line.tax for line in lines), ZERO), ZERO)
    subtotal = sum((line.amount for line in lines), ZERO)
    tax = sum((line.tax for line in lines), ZERO)
    total = (subtotal + tax).quantize(FOUR_PLACES)
    left = creditable(invoice)
    if total > left:
        raise reject(E.EXCEEDS_CREDITABLE, f"At most {shown(left, invoice.currency)} of invoice {invoice.number} "
                     f"can still be credited; this credit note is {shown(total, invoice.currency)}", "input",
                     "amount" if ask.amount is not None else "lines")
    applied = min(total, invoice.amount_due) if invoice.status in PAYABLE_INVOICE_STATUSES else ZERO
    beyond = total - applied
    note = CreditNote(number=await numbering.next_number(session, Series.CREDIT_NOTE, merchant.numbering, now),
                      invoice_id=invoice.id, account_id=invoice.account_id, location_id=invoice.location_id,  # type: ignore[arg-type]
                      return_id=ask.return_id, status=CreditNoteStatus.ISSUED, reason=ask.reason, memo=ask.memo,
                      currency=invoice.currency, subtotal=subtotal, tax=tax, total=total, amount_applied=applied,
                      amount_credited=ZERO if ask.refund else beyond, amount_refunded=beyond if ask.refund else ZERO,
                      created_by_user_id=user_id, issued_at=now, created_at=now)
    session.add(note)
    await session.flush()
    webhooks.note(session, "credit_note.issued", note.id, now, account_id=note.account_id)
    for position, line in enumerate(lines):
        line.credit_note_id, line.position = note.id, position  # type: ignore[assignment]
        session.add(line)
    if note.amount_credited > 0:
        session.add(AccountCreditTransaction(account_id=invoice.account_id, currency=invoice.currency,
                                             amount=note.amount_credited, kind=AccountCreditKind.CREDIT_NOTE,
                                             credit_note_id=note.id, invoice_id=invoice.id,
                                             created_by_user_id=user_id, created_at=now))
    invoice.amount_credited = (invoice.amount_credited + total).quantize(FOUR_PLACES)
    settle(invoice, now, session)
    session.add(invoice)
    await invoice_mail.credit_note_issued(session, note, invoice, merchant, now)
    return note


def _credited(il: InvoiceLine, quantity: int) -> tuple[Decimal, Decimal]:
    """(net, tax) credited with `quantity` of an invoice line: all of it is what it billed; part of
    it is taxed again at the line's own rate (its tax taken out of a gross price)."""
    if quantity == il.quantity:
        return il.amount - (il.tax_amount if il.tax_included else ZERO), il.tax_amount
    vat, net = tax.retaxed(charged(il.unit_price * quantity, il.currency), il.tax_percent, il.tax_included,
                           il.tax_reason, il.currency)
    return net, vat


async def _lines(session: Any, invoice: Invoice, ask: CreditAsk) -> list[CreditNoteLine]:
    own = {il.id: il for il in await repo.invoice_lines(session, invoice.id)}  # type: ignore[arg-type]
    done = await repo.credited_quantities(session, list(own))  # type: ignore[arg-type]
    problems, out = [], []
    for i, c in enumerate(ask.lines):
        where = c.field or ("input", "lines", str(i))
        il = own.get(c.invoice_line_id)
        if il is None:
            problems.append(Problem(E.LINE_NOT_ON_INVOICE, "No such line on this invoice", (*where, "invoiceLineId")))
            continue
        if c.quantity <= 0:
            problems.append(Problem(E.INVALID_QUANTITY, "Credit a positive quantity", (*where, "quantity")))
            continue
        left = il.quantity - done.get(il.id, 0)  # type: ignore[arg-type]
        if c.quantity > left:
            problems.append(Problem(E.QUANTITY_EXCEEDS_INVOICED, f"{il.description}: at most {left} can still "
                                    "be credited", (*where, "quantity")))
            continue
        done[il.id] = done.get(il.id, 0) + c.quantity  # type: ignore[index]
        net, vat = _credited(il, c.quantity)
        out.append(CreditNoteLine(invoice_line_id=il.id, description=il.description, quantity=c.quantity,
                                  unit_price=il.unit_price, amount=net, tax=vat, currency=il.currency))
    if problems:
        raise Rejected(*problems)
    return out


def _amount_line(invoice: Invoice, ask: CreditAsk) -> list[CreditNoteLine]:
    """An amount credited as one line, its tax the invoice's share of tax in its total."""
    amount = ask.amount
    if amount is None or amount <= 0 or charged(amount, invoice.currency) != amount:
        raise reject(E.INVALID_AMOUNT, "Credit a positive amount in the currency's minor unit", "input", "amount")
    tax = charged(amount * invoice.tax / invoice.total, invoice.currency) if invoice.total else ZERO
    net = (amount - tax).quantize(FOUR_PLACES)
    return [CreditNoteLine(description=ask.memo or ask.reason.value.replace("_", " ").capitalize(), quantity=1,
                           unit_price=net, amount=net, tax=tax, currency=invoice.currency)]


async def credit_for_return(session: Any, order: Order, ret: ReturnRequest, amount: Decimal,
                            merchant: MerchantSettings, now: datetime, user_id: int | None = None) -> CreditNote | None:
    """A return's refund on an invoiced order: a credit note (RETURN) against its invoice, of the
    returned lines when they make up the refund, else of the amount; beyond what is due it is
    refunded. None when the order has no issued invoice (it is billed without one)."""
    invoices = [i for i in await repo.invoices_of(session, order.id)  # type: ignore[arg-type]
                if i.status not in (InvoiceStatus.DRAFT, InvoiceStatus.VOID) and creditable(i) > 0]
    if not invoices:
        return None
    invoice = await repo.lock_invoice(session, invoices[0].id) or invoices[0]  # type: ignore[arg-type]
    amount = min(amount, creditable(invoice))
    memo = f"Refund of return {ret.number}"
    returned = await repo.returned_invoice_lines(session, ret.id, invoice.id)  # type: ignore[arg-type]
    ask = CreditAsk(CreditNoteReason.RETURN, memo, amount=amount, refund=True, return_id=ret.id)
    if returned:
        by_lines = CreditAsk(CreditNoteReason.RETURN, memo, lines=[CreditLine(i, q) for i, q in returned],
                             refund=True, return_id=ret.id)
        try:
            lines = await _lines(session, invoice, by_lines)
        except Rejected:
            lines = []
        if lines and sum((line.amount + line.tax for line in lines), ZERO) == amount:
            ask = by_lines
    return await issue(session, invoice, ask, merchant, now, user_id)
