"""An invoice's life in the domain: finalised with a number and due date, paid in parts, voided or
written off, credited by credit notes (over-credit refused), and account credit used. Each refused
step comes first and leaves everything as it was."""
import inspect
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlmodel import select

from db.enums import AccountCreditKind, CreditNoteReason, InvoiceStatus
from db.models import Account, AccountCreditTransaction, CreditNote, Invoice, InvoiceLine
from db.repositories.billing import credit_balance, lock_invoice
from domain import invoicing
from domain.errors import Rejected
from domain.invoicing import MerchantSettings, NumberFormat, credit_notes
from domain.invoicing.credit_notes import CreditAsk, CreditLine

NOW = datetime(2031, 5, 4, 10, 0, tzinfo=timezone.utc)
MERCHANT = MerchantSettings()


def codes(e: pytest.ExceptionInfo) -> list[str]:
    return [str(p.code) for p in e.value.problems]


async def _draft(db, *, quantity: int = 4, unit: str = "25.00") -> int:
    """A draft of Acme's: one line of `quantity` × `unit`, taxed at 7.25 %."""
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        subtotal = Decimal(unit) * quantity
        tax = (subtotal * Decimal("0.0725")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        invoice = Invoice(account_id=acme.id, status=InvoiceStatus.DRAFT, currency="USD", subtotal=subtotal, tax=tax,
                          total=subtotal + tax, amount_due=subtotal + tax, issued_at=NOW, due_date=NOW.date())
        s.add(invoice)
        await s.flush()
        s.add(InvoiceLine(invoice_id=invoice.id, description="Hex Bolt / M8", quantity=quantity,
                          unit_price=Decimal(unit), amount=subtotal, currency="USD", tax_percent=Decimal("7.25"),
                          tax_amount=tax, tax_label="Illinois"))
        return invoice.id


async def _read(db, invoice_id: int) -> Invoice:
    async with db.session() as s:
        return (await s.exec(select(Invoice).where(Invoice.id == invoice_id))).one()


async def _do(db, invoice_id: int, step):
    async with db.transaction() as s:
        invoice = await lock_invoice(s, invoice_id)
        result = step(s, invoice)
        return await result if inspect.isawaitable(result) else result


async def _finalised(db, **kw) -> Invoice:
    iid = await _draft(db, **kw)

    async def step(s, invoice):
        return await invoicing.finalize(s, invoice, MERCHANT, NOW)
    await _do(db, iid, step)
    return await _read(db, iid)


async def test_finalising_numbers_a_draft_now_and_dates_it_from_the_account_terms(db):
    iid = await _draft(db)
    draft = await _read(db, iid)
    assert draft.number is None and draft.finalized_at is None

    async def step(s, invoice):
        return await invoicing.finalize(s, invoice, MerchantSettings(numbering=NumberFormat("BILL", "CR", False, 4)),
                                        NOW)
    await _do(db, iid, step)
    invoice = await _read(db, iid)
    assert invoice.status is InvoiceStatus.OPEN and invoice.number == "BILL-0001"
    assert invoice.finalized_at == NOW and invoice.due_date == (NOW + timedelta(days=30)).date()  # Acme: net 30
    with pytest.raises(Rejected) as e:
        await _do(db, iid, step)
    assert codes(e) == ["NOT_DRAFT"]
    assert (await _read(db, iid)).number == "BILL-0001"


async def test_partial_payments_keep_it_open_until_paid_in_full(db):
    invoice = await _finalised(db)  # 107.25
    for amount, code in ((Decimal("200"), "OVERPAYMENT"), (Decimal("0"), "INVALID_AMOUNT"),
                         (Decimal("1.001"), "INVALID_AMOUNT")):
        with pytest.raises(Rejected) as e:
            await _do(db, invoice.id, lambda s, i, a=amount: invoicing.apply_payment(s, i, a, NOW))
        assert codes(e) == [code]
    assert (await _read(db, invoice.id)).amount_paid == 0
    await _do(db, invoice.id, lambda s, i: invoicing.apply_payment(s, i, Decimal("50.00"), NOW))
    partly = await _read(db, invoice.id)
    assert (partly.status, partly.amount_paid, partly.amount_due) == (InvoiceStatus.OPEN, Decimal("50"),
                                                                      Decimal("57.25"))
    await _do(db, invoice.id, lambda s, i: invoicing.apply_payment(s, i, Decimal("57.25"), NOW))
    paid = await _read(db, invoice.id)
    assert paid.status is InvoiceStatus.PAID and paid.amount_due == 0 and paid.paid_at == NOW


async def test_void_only_without_payments_and_uncollectible_can_still_be_paid(db):
    invoice = await _finalised(db)
    await _do(db, invoice.id, lambda s, i: invoicing.apply_payment(s, i, Decimal("10.00"), NOW))
    with pytest.raises(Rejected) as e:
        await _do(db, invoice.id, lambda s, i: invoicing.void(s, i, NOW))
    assert codes(e) == ["HAS_PAYMENTS"] and (await _read(db, invoice.id)).status is InvoiceStatus.OPEN
    await _do(db, invoice.id, lambda s, i: invoicing.mark_uncollectible(s, i, NOW))
    with pytest.raises(Rejected) as e:
        await _do(db, invoice.id, lambda s, i: invoicing.mark_uncollectible(s, i, NOW))
    assert codes(e) == ["NOT_OPEN"]
    await _do(db, invoice.id, lambda s, i: invoicing.apply_payment(s, i, Decimal("97.25"), NOW))
    assert (await _read(db, invoice.id)).status is InvoiceStatus.PAID

    other = await _finalised(db)
    await _do(db, other.id, lambda s, i: invoicing.void(s, i, NOW))
    voided = await _read(db, other.id)
    assert (voided.status, voided.amount_due, voided.voided_at) == (InvoiceStatus.VOID, 0, NOW)
    assert voided.number is not None  # a voided invoice keeps its number: the series has no gap
    with pytest.raises(Rejected) as e:
        await _do(db, other.id, lambda s, i: invoicing.void(s, i, NOW))
    assert codes(e) == ["NOT_VOIDABLE"]


async def test_a_correction_credits_lines_and_more_than_is_creditable_is_refused(db):
    invoice = await _finalised(db)  # 4 × 25.00 + 7.25 tax
    async with db.session() as s:
        [line] = (await s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id))).all()
    refused = [(CreditAsk(CreditNoteReason.CORRECTION, lines=[CreditLine(line.id, 5)]), "QUANTITY_EXCEEDS_INVOICED"),
               (CreditAsk(CreditNoteReason.CORRECTION, amount=Decimal("107.26")), "EXCEEDS_CREDITABLE"),
               (CreditAsk(CreditNoteReason.CORRECTION, amount=Decimal("1"), lines=[CreditLine(line.id, 1)]),
                "LINES_OR_AMOUNT"),
               (CreditAsk(CreditNoteReason.CORRECTION, lines=[CreditLine(line.id + 999, 1)]), "LINE_NOT_ON_INVOICE")]
    for ask, code in refused:
        with pytest.raises(Rejected) as e:
            await _do(db, invoice.id, lambda s, i, a=ask: credit_notes.issue(s, i, a, MERCHANT, NOW))
        assert codes(e) == [code]
    unchanged = await _read(db, invoice.id)
    assert (unchanged.amount_credited, unchanged.amount_due) == (0, Decimal("107.25"))
    async with db.session() as s:
        assert (await s.exec(select(CreditNote).where(CreditNote.invoice_id == invoice.id))).all() == []

    note = await _do(db, invoice.id, lambda s, i: credit_notes.issue(
        s, i, CreditAsk(CreditNoteReason.CORRECTION, "Billed one too many", lines=[CreditLine(line.id, 1)]),
        MERCHANT, NOW))
    assert note.number == "CN-2031-000001"
    assert (note.subtotal, note.tax, note.total, note.amount_applied) == (Decimal("25"), Decimal("1.81"),
                                                                          Decimal("26.81"), Decimal("26.81"))
    credited = await _read(db, invoice.id)
    assert (credited.status, credited.amount_credited, credited.amount_due) == (InvoiceStatus.OPEN, Decimal("26.81"),
                                                                                Decimal("80.44"))
    # Three more units are all that is left of the line.
    with pytest.raises(Rejected) as e:
        await _do(db, invoice.id, lambda s, i: credit_notes.issue(
            s, i, CreditAsk(CreditNoteReason.CORRECTION, lines=[CreditLine(line.id, 4)]), MERCHANT, NOW))
    assert codes(e) == ["QUANTITY_EXCEEDS_INVOICED"]


async def test_credit_beyond_what_is_due_becomes_account_credit_that_pays_another_invoice(db):
    paid = await _finalised(db)
    await _do(db, paid.id, lambda s, i: invoicing.apply_payment(s, i, Decimal("107.25"), NOW))
    async with db.session() as s:
        before = await credit_balance(s, paid.account_id, "USD")
    note = await _do(db, paid.id, lambda s, i: credit_notes.issue(
        s, i, CreditAsk(CreditNoteReason.GOODWILL, "Late delivery", amount=Decimal("30.00")), MERCHANT, NOW))
    assert (note.amount_applied, note.amount_credited, note.amount_refunded) == (0, Decimal("30"), 0)
    async with db.session() as s:
        assert await credit_balance(s, paid.account_id, "USD") == before + Decimal("30")
    assert (await _read(db, paid.id)).status is InvoiceStatus.PAID

    other = await _finalised(db, quantity=1, unit="10.00")  # 10.73
    used = await _do(db, other.id, lambda s, i: invoicing.apply_account_credit(s, i, NOW))
    assert used == Decimal("10.73")
    settled = await _read(db, other.id)
    assert (settled.status, settled.amount_paid, settled.amount_from_credit) == (InvoiceStatus.PAID, Decimal("10.73"),
                                                                                 Decimal("10.73"))
    async with db.session() as s:
        assert await credit_balance(s, paid.account_id, "USD") == before + Decimal("19.27")
        kinds = [t.kind for t in (await s.exec(select(AccountCreditTransaction).where(
            AccountCreditTransaction.invoice_id.in_([paid.id, other.id])).order_by(AccountCreditTransaction.id))).all()]
    assert kinds == [AccountCreditKind.CREDIT_NOTE, AccountCreditKind.APPLIED_TO_INVOICE]


async def test_drafts_and_void_invoices_are_not_credited(db):
    iid = await _draft(db)
    ask = CreditAsk(CreditNoteReason.GOODWILL, amount=Decimal("1.00"))
    with pytest.raises(Rejected) as e:
        await _do(db, iid, lambda s, i: credit_notes.issue(s, i, ask, MERCHANT, NOW))
    assert codes(e) == ["INVOICE_NOT_FINALIZED"]
    invoice = await _finalised(db)
    await _do(db, invoice.id, lambda s, i: invoicing.void(s, i, NOW))
    with pytest.raises(Rejected) as e:
        await _do(db, invoice.id, lambda s, i: credit_notes.issue(s, i, ask, MERCHANT, NOW))
    assert codes(e) == ["INVOICE_VOID"]



async def test_an_order_reduced_after_goodwill_credits_only_what_is_left_of_its_invoice(db):
    from db.models import Order, OrderLine  # noqa: PLC0415
    from domain.invoicing import follow_order  # noqa: PLC0415

    async with db.session() as s:
        invoice = (await s.exec(select(Invoice).where(Invoice.status == InvoiceStatus.OPEN,
                                                      Invoice.amount_credited == 0, Invoice.order_id.is_not(None))
                                .order_by(Invoice.id))).first()
    almost = invoice.total - Decimal("1.00")
    await _do(db, invoice.id, lambda s, i: credit_notes.issue(
        s, i, CreditAsk(CreditNoteReason.GOODWILL, amount=almost), MERCHANT, NOW))
    async with db.transaction() as s:
        order = (await s.exec(select(Order).where(Order.id == invoice.order_id))).one()
        lines = list((await s.exec(select(OrderLine).where(OrderLine.order_id == order.id)
                                   .order_by(OrderLine.position))).all())
        lines[0].quantity = 0
        s.add(lines[0])
        await follow_order(s, order, lines, NOW, MERCHANT)
    after = await _read(db, invoice.id)
    assert after.amount_credited == after.total and after.status is InvoiceStatus.PAID
    async with db.session() as s:
        reasons = [n.reason for n in (await s.exec(select(CreditNote).where(CreditNote.invoice_id == invoice.id)
                                                   .order_by(CreditNote.id))).all()]
    assert reasons == [CreditNoteReason.GOODWILL, CreditNoteReason.ORDER_CHANGE]
