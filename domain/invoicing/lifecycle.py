"""An invoice's life: written for an order (a DRAFT, or finalised at once), finalised (numbered now,
due after the account's terms), then PAID, VOID or UNCOLLECTIBLE. Partial payments keep it OPEN.
An issued invoice never changes: a later change of its order is a credit note (a decrease) or a
further invoice for the difference (an increase), as Stripe bills a subscription's change."""
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from db.enums import PAYABLE_INVOICE_STATUSES, AccountCreditKind, CreditNoteReason, InvoiceStatus
from db.models import Account, AccountCreditTransaction, Invoice, InvoiceLine, Order, OrderLine
from db.repositories import billing as repo
from db.repositories import ordering as order_repo
from domain import billing_details, invoice_mail, tax
from domain.errors import Rejected, reject
from domain.invoicing import credit_notes, numbering
from domain.webhooks import outbox as webhooks
from domain.invoicing.amounts import FOUR_PLACES, ZERO, charged, settle, shown
from domain.invoicing.codes import InvoicingErrorCode as E
from domain.invoicing.settings import InvoiceOn, MerchantSettings, Series


def due_date(now: datetime, terms_days: int) -> date:
    return (now + timedelta(days=max(terms_days, 0))).date()


@dataclass(frozen=True)
class Billed:
    """What one invoice line bills: an order line (or part of one), or a line copied on reissue."""

    order_line_id: int | None
    variant_id: int | None
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal  # as priced: the gross when the price included tax
    currency: str
    # The line's tax as the order line was taxed (domain/tax.py).
    tax_percent: Decimal = ZERO
    tax_amount: Decimal = ZERO
    tax_label: str | None = None
    tax_jurisdiction: str | None = None
    tax_reason: str | None = None
    tax_included: bool = False


def billed(line: OrderLine, quantity: int | None = None) -> Billed:
    """All of an order line, or `quantity` of it taxed again at the rate it was sold at."""
    about = {"tax_percent": line.tax_percent, "tax_label": line.tax_label, "tax_jurisdiction": line.tax_jurisdiction,
             "tax_reason": line.tax_reason, "tax_included": line.tax_included}
    if quantity is None:
        return Billed(line.id, line.variant_id, line.title, line.quantity, line.unit_price, line.total, line.currency,
                      tax_amount=line.tax_amount, **about)
    amount = charged(line.unit_price * quantity, line.currency)
    vat, _ = tax.retaxed(amount, line.tax_percent, line.tax_included, line.tax_reason, line.currency)
    return Billed(line.id, line.variant_id, line.title, quantity, line.unit_price, amount, line.currency,
                  tax_amount=vat, **about)


def copied(line: InvoiceLine) -> Billed:
    """An invoice line as a reissue bills it again."""
    return Billed(line.order_line_id, line.variant_id, line.description, line.quantity, line.unit_price, line.amount,
                  line.currency, line.tax_percent, line.tax_amount, line.tax_label, line.tax_jurisdiction,
                  line.tax_reason, line.tax_included)


def _write_lines(session: Any, invoice: Invoice, lines: list[Billed]) -> None:
    """The one place invoice lines are written."""
    for position, line in enumerate(lines):
        session.add(InvoiceLine(invoice_id=invoice.id, order_line_id=line.order_line_id,  # type: ignore[arg-type]
                                variant_id=line.variant_id, description=line.description, quantity=line.quantity,
                                unit_price=line.unit_price, amount=line.amount, currency=line.currency,
                                position=position, tax_percent=line.tax_percent, tax_amount=line.tax_amount,
                                tax_label=line.tax_label, tax_jurisdiction=line.tax_jurisdiction,
                                tax_reason=line.tax_reason, tax_included=line.tax_included))


async def snapshot(session: Any, account: Account, location_id: int | None, tax_note: str | None) -> dict[str, Any]:
    """The billing details an invoice keeps as issued (a tax-exempt location's exemption included),
    with what it must say about its tax."""
    location = await order_repo.location(session, location_id) if location_id is not None else None
    return {**billing_details.of_account(account, location).snapshot(), "tax_note": tax_note}


async def _new_invoice(session: Any, account: Account, order: Order | None, lines: list[Billed], currency: str,
                       totals: tuple[Decimal, Decimal, Decimal], now: datetime, *, sequence: int = 0,
                       location_id: int | None = None, po_number: str | None = None,
                       reissued_from_id: int | None = None) -> Invoice:
    """A DRAFT with its lines: no number yet; its dates are provisional until finalisation."""
    subtotal, vat, total = totals
    location_id = order.location_id if order else location_id
    invoice = Invoice(account_id=account.id, location_id=location_id,  # type: ignore[arg-type]
                      order_id=order.id if order else None, order_sequence=sequence, status=InvoiceStatus.DRAFT,
                      currency=currency, subtotal=subtotal, tax=vat, total=total, amount_paid=ZERO,
                      amount_due=total, po_number=order.po_number if order else po_number, issued_at=now,
                      due_date=due_date(now, account.payment_terms_days),
                      billing_details=await snapshot(session, account, location_id, tax.note(lines)),
                      reissued_from_id=reissued_from_id, created_at=now)
    session.add(invoice)
    await session.flush()
    _write_lines(session, invoice, lines)
    return invoice


def _totals(lines: list[Billed]) -> tuple[Decimal, Decimal, Decimal]:
    """The sums of the lines as printed: their net amounts and their own rounded tax."""
    found = tax.line_totals(lines)
    return found.subtotal, found.tax, found.total.quantize(FOUR_PLACES)


async def invoice_order(session: Any, order: Order, account: Account, now: datetime,
                        merchant: MerchantSettings | None = None) -> Invoice:
    """The invoice of the whole order (its `order_sequence` 0), finalised now unless the merchant
    starts invoices as drafts. The database holds one such invoice per order: a second one cannot
    be written."""
    merchant = merchant or MerchantSettings()
    lines = [billed(line) for line in await order_repo.order_lines(session, order.id) if line.quantity > 0]  # type: ignore[arg-type]
    invoice = await _new_invoice(session, account, order, lines, order.currency,
                                 (order.subtotal, order.tax, order.total), now)
    if not merchant.invoice_drafts:
        await finalize(session, invoice, merchant, now, account)
    return invoice


async def invoice_billed(session: Any, account: Account, location_id: int | None, lines: list[Billed], currency: str,
                        merchant: MerchantSettings, now: datetime) -> Invoice:
    """An invoice of lines that belong to no order (a subscription's prorated change), finalised
    at once: it is charged or sent as soon as it is written."""
    invoice = await _new_invoice(session, account, None, lines, currency, _totals(lines), now, location_id=location_id)
    return await finalize(session, invoice, merchant, now, account)


async def invoice_when_accepted(session: Any, order: Order, account: Account, merchant: MerchantSettings,
                                now: datetime) -> Invoice | None:
    """An order placed or approved: invoiced now, if the merchant invoices at placement."""
    if merchant.invoice_on is not InvoiceOn.PLACEMENT:
        return None
    return await invoice_order(session, order, account, now, merchant)


async def invoice_at_fulfilment(session: Any, order: Order, merchant: MerchantSettings, now: datetime) -> Invoice | None:
    """When the merchant invoices at fulfilment: the order's invoice, at its first shipment."""
    if merchant.invoice_on is not InvoiceOn.FULFILMENT or await repo.has_invoice(session, order.id):  # type: ignore[arg-type]
        return None
    account = await order_repo.account(session, order.account_id)
    return await invoice_order(session, order, account, now, merchant)


async def finalize(session: Any, invoice: Invoice, merchant: MerchantSettings, now: datetime,
                   account: Account | None = None) -> Invoice:
    """DRAFT → OPEN: the number is taken now (gapless), the invoice is dated now, due after the
    account's terms, with the account's billing details as they are now. One with nothing to pay
    is PAID at once."""
    if invoice.status is not InvoiceStatus.DRAFT:
        raise reject(E.NOT_DRAFT, f"Invoice {invoice.number} is {invoice.status.value}: only a draft is "
                     "finalised", "input", "id")
    account = account or await order_repo.account(session, invoice.account_id)
    invoice.number = await numbering.next_number(session, Series.INVOICE, merchant.numbering, now)
    invoice.status = InvoiceStatus.OPEN
    invoice.issued_at = invoice.finalized_at = now
    invoice.due_date = due_date(now, account.payment_terms_days)
    if invoice.created_at != now:  # a draft written earlier: the billing details may have changed since
        invoice.billing_details = await snapshot(session, account, invoice.location_id,
                                                 (invoice.billing_details or {}).get("tax_note"))
    settle(invoice, now, session)
    session.add(invoice)
    await session.flush()
    webhooks.note(session, "invoice.issued", invoice.id, now, account_id=invoice.account_id)
    await invoice_mail.issued(session, invoice, merchant, now)
    return invoice


async def void(session: Any, invoice: Invoice, now: datetime) -> Invoice:
    """An invoice with nothing paid or credited on it is cancelled: VOID, nothing due. Its number
    stays used (gapless means every number is accounted for)."""
    if invoice.status not in (InvoiceStatus.DRAFT, *PAYABLE_INVOICE_STATUSES):
        raise reject(E.NOT_VOIDABLE, f"Invoice {invoice.number} is {invoice.status.value} and cannot be voided",
                     "input", "id")
    if invoice.amount_paid > 0:
        raise reject(E.HAS_PAYMENTS, f"Invoice {invoice.number} has payments: issue a credit note instead",
                     "input", "id")
    if invoice.amount_credited > 0:
        raise reject(E.HAS_CREDIT_NOTES, f"Invoice {invoice.number} has credit notes: credit the rest instead",
                     "input", "id")
    invoice.status, invoice.voided_at, invoice.amount_due = InvoiceStatus.VOID, now, ZERO
    session.add(invoice)
    webhooks.note(session, "invoice.voided", invoice.id, now, account_id=invoice.account_id)
    return invoice


async def mark_uncollectible(session: Any, invoice: Invoice, now: datetime) -> Invoice:
    """An open invoice the merchant no longer expects paid (a bad debt). It can still be paid."""
    if invoice.status is not InvoiceStatus.OPEN:
        raise reject(E.NOT_OPEN, f"Invoice {invoice.number} is {invoice.status.value}: only an open invoice is "
                     "marked uncollectible", "input", "id")
    invoice.status, invoice.uncollectible_at = InvoiceStatus.UNCOLLECTIBLE, now
    session.add(invoice)
    return invoice


async def apply_payment(session: Any, invoice: Invoice, amount: Decimal, now: datetime) -> Invoice:
    """A payment of an invoice read under lock: the rest stays OPEN (amount paid and due), all of
    it makes it PAID. The payments domain writes the Payment row and calls this."""
    if invoice.status not in PAYABLE_INVOICE_STATUSES:
        raise reject(E.NOT_OPEN, f"Invoice {invoice.number} is {invoice.status.value} and takes no payment",
                     "input", "invoiceId")
    if amount <= 0 or charged(amount, invoice.currency) != amount:
        raise reject(E.INVALID_AMOUNT, "Pay a positive amount in the currency's minor unit", "input", "amount")
    if amount > invoice.amount_due:
        raise reject(E.OVERPAYMENT, f"At most {shown(invoice.amount_due, invoice.currency)} is due", "input", "amount")
    invoice.amount_paid = (invoice.amount_paid + amount).quantize(FOUR_PLACES)
    settle(invoice, now, session)
    session.add(invoice)
    return invoice


async def apply_account_credit(session: Any, invoice: Invoice, now: datetime, amount: Decimal | None = None,
                               user_id: int | None = None) -> Decimal:
    """Pay an invoice read under lock from its account's credit balance (in its currency): `amount`,
    or as much as is due and available. Returns what was applied."""
    await order_repo.lock_account(session, invoice.account_id)  # one use of a balance at a time
    available = await repo.credit_balance(session, invoice.account_id, invoice.currency)
    wanted = invoice.amount_due if amount is None else amount
    use = min(available, wanted)
    if amount is not None and amount > available:
        raise reject(E.NO_ACCOUNT_CREDIT, f"The account has {shown(available, invoice.currency)} of credit",
                     "input", "amount")
    if use <= 0:
        raise reject(E.NO_ACCOUNT_CREDIT, f"The account has no {invoice.currency} credit to apply", "input")
    await apply_payment(session, invoice, use, now)
    invoice.amount_from_credit = (invoice.amount_from_credit + use).quantize(FOUR_PLACES)
    session.add(AccountCreditTransaction(account_id=invoice.account_id, currency=invoice.currency, amount=-use,
                                         kind=AccountCreditKind.APPLIED_TO_INVOICE, invoice_id=invoice.id,
                                         created_by_user_id=user_id, created_at=now))
    return use


# When the order changes after it was invoiced ---------------------------------------------------

async def follow_order(session: Any, order: Order, lines: list[OrderLine], now: datetime,
                       merchant: MerchantSettings, user_id: int | None = None) -> None:
    """A draft is still the merchant's: the order's only invoice, it is rewritten to the order. What
    issued invoices bill stays: a quantity below what they bill is credited (a credit note per invoice, ORDER_CHANGE),
    one above it is billed on a further invoice for the difference."""
    invoices = await repo.invoices_of(session, order.id)  # type: ignore[arg-type]
    drafts = [i for i in invoices if i.status is InvoiceStatus.DRAFT]
    if not any(i.status not in (InvoiceStatus.DRAFT, InvoiceStatus.VOID) for i in invoices):
        for draft in drafts:
            await _rewrite_draft(session, draft, order, lines)
        return
    # A draft for an earlier difference is superseded by the one worked out below.
    for draft in drafts:
        await void(session, draft, now)
    issued = await repo.lines_of_order_lines(session, [line.id for line in lines])  # type: ignore[misc]
    credited = await repo.credited_quantities(session, [il.id for _, il in issued])  # type: ignore[misc]
    billed_qty: dict[int, int] = {}
    for _, il in issued:
        billed_qty[il.order_line_id] = billed_qty.get(il.order_line_id, 0) + il.quantity - credited.get(il.id, 0)  # type: ignore[index,arg-type]
    decreases: dict[int, list[credit_notes.CreditLine]] = {}
    increases: list[Billed] = []
    for line in lines:
        delta = line.quantity - billed_qty.get(line.id, 0)  # type: ignore[arg-type]
        if delta > 0:
            increases.append(billed(line, delta))
        for invoice, il in issued:
            if delta >= 0:
                break
            if il.order_line_id != line.id:
                continue
            take = min(il.quantity - credited.get(il.id, 0), -delta)  # type: ignore[arg-type]
            if take > 0:
                decreases.setdefault(invoice.id, []).append(credit_notes.CreditLine(il.id, take))  # type: ignore[arg-type]
                delta += take
    by_id = {invoice.id: invoice for invoice, _ in issued}
    # Tax is the order's, taxed as a whole: what stays billed after the credit must be the order's tax.
    tax_left = None if increases else await _billed_tax(session, invoices) - order.tax
    for n, (invoice_id, credit_lines) in enumerate(decreases.items(), 1):
        invoice = await repo.lock_invoice(session, invoice_id) or by_id[invoice_id]
        memo = f"Order {order.number} changed"
        ask = credit_notes.CreditAsk(CreditNoteReason.ORDER_CHANGE, memo, lines=credit_lines,
                                     tax=tax_left if n == len(decreases) else None)
        try:
            note = await credit_notes.issue(session, invoice, ask, merchant, now, user_id)
        except Rejected:
            # Other credit notes (goodwill) already took off more than these lines leave: credit what is left.
            left = credit_notes.creditable(invoice)
            if left <= 0:
                continue
            note = await credit_notes.issue(session, invoice, credit_notes.CreditAsk(
                CreditNoteReason.ORDER_CHANGE, memo, amount=left), merchant, now, user_id)
        if tax_left is not None:
            tax_left -= note.tax
    if increases:
        account = await order_repo.account(session, order.account_id)
        # The order's tax less what its invoices bill of it: together they bill the order's tax
        # exactly (each line was taxed on its own quantity; the cent a split rounds off goes on the
        # last line, so the further invoice's lines still add up to its tax).
        rest = order.tax - await _billed_tax(session, await repo.invoices_of(session, order.id))  # type: ignore[arg-type]
        drift = rest - sum((line.tax_amount for line in increases), ZERO)
        if rest >= 0 and drift:
            increases[-1] = replace(increases[-1], tax_amount=max(increases[-1].tax_amount + drift, ZERO))
        invoice = await _new_invoice(session, account, order, increases, order.currency, _totals(increases), now,
                                     sequence=await repo.next_order_sequence(session, order.id))  # type: ignore[arg-type]
        if not merchant.invoice_drafts:
            await finalize(session, invoice, merchant, now, account)


async def _billed_tax(session: Any, invoices: list[Invoice]) -> Decimal:
    """Tax of an order's issued invoices less what credit notes took back."""
    issued = [i for i in invoices if i.status not in (InvoiceStatus.DRAFT, InvoiceStatus.VOID)]
    return sum((i.tax for i in issued), ZERO) - await repo.credited_tax(session, [i.id for i in issued])  # type: ignore[misc]


async def _rewrite_draft(session: Any, invoice: Invoice, order: Order, lines: list[OrderLine]) -> None:
    for old in await repo.invoice_lines(session, invoice.id):  # type: ignore[arg-type]
        await session.delete(old)
    await session.flush()
    _write_lines(session, invoice, [billed(line) for line in lines if line.quantity > 0])
    invoice.subtotal, invoice.tax, invoice.total = order.subtotal, order.tax, order.total
    invoice.amount_due = order.total
    session.add(invoice)


async def void_for_cancelled(session: Any, order: Order, now: datetime, merchant: MerchantSettings,
                             user_id: int | None = None) -> None:
    """An order cancelled as a whole: its invoices with nothing paid or credited become VOID; of
    one with payments or credit notes the rest is credited (ORDER_CANCELLED), what was paid
    becoming account credit."""
    for listed in await repo.invoices_of(session, order.id):  # type: ignore[arg-type]
        invoice = await repo.lock_invoice(session, listed.id) or listed  # type: ignore[arg-type]
        if invoice.status is InvoiceStatus.VOID:
            continue
        if invoice.status is InvoiceStatus.DRAFT or (invoice.amount_paid == 0 and invoice.amount_credited == 0
                                                     and invoice.status in PAYABLE_INVOICE_STATUSES):
            await void(session, invoice, now)
            continue
        rest = invoice.total - invoice.amount_credited
        if rest > 0:
            await credit_notes.issue(session, invoice, credit_notes.CreditAsk(
                CreditNoteReason.ORDER_CANCELLED, f"Order {order.number} cancelled", amount=rest), merchant, now,
                user_id)


# Reissue with corrected billing details ---------------------------------------------------------

async def reissue(session: Any, invoice: Invoice, merchant: MerchantSettings, now: datetime,
                  user_id: int | None = None) -> tuple[Invoice, Any]:
    """Replace an issued invoice, once, by one with the account's current billing details: a credit
    note for the whole old invoice (REISSUE) and a new invoice of the same lines. What was paid on
    the old one becomes account credit and is applied to the new one."""
    if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.PAID):
        raise reject(E.NOT_REISSUABLE, f"Invoice {invoice.number or 'draft'} is {invoice.status.value}: only an "
                     "open or paid invoice is reissued", "input", "id")
    if invoice.reissued_from_id is not None or await repo.replacement_of(session, invoice.id) is not None:  # type: ignore[arg-type]
        raise reject(E.ALREADY_REISSUED, f"Invoice {invoice.number} has been reissued once already", "input", "id")
    if invoice.amount_credited > 0:
        raise reject(E.HAS_CREDIT_NOTES, f"Invoice {invoice.number} has credit notes: ask the merchant to "
                     "correct it", "input", "id")
    account = await order_repo.account(session, invoice.account_id)
    old_lines = await repo.invoice_lines(session, invoice.id)  # type: ignore[arg-type]
    note = await credit_notes.issue(session, invoice, credit_notes.CreditAsk(
        CreditNoteReason.REISSUE, "Replaced by a reissued invoice with corrected billing details",
        amount=invoice.total), merchant, now, user_id)
    order = await order_repo.order(session, invoice.order_id) if invoice.order_id else None
    lines = [copied(il) for il in old_lines]
    sequence = await repo.next_order_sequence(session, order.id) if order else 0  # type: ignore[arg-type]
    new = await _new_invoice(session, account, order, lines, invoice.currency,
                             (invoice.subtotal, invoice.tax, invoice.total), now, sequence=sequence,
                             location_id=invoice.location_id, po_number=invoice.po_number,
                             reissued_from_id=invoice.id)
    new.subscription_id = invoice.subscription_id
    await finalize(session, new, merchant, now, account)
    if note.amount_credited > 0:
        await apply_account_credit(session, new, now, note.amount_credited, user_id)
    return new, note
