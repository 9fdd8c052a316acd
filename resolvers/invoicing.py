"""Invoicing mutations: staff finalise, void, mark uncollectible and credit invoices; accounts
payable reissue one with corrected billing details."""
from decimal import Decimal
from typing import Any

from db.enums import CreditNoteReason
from db.repositories.billing import InvoiceRepository
from domain import invoicing
from domain.invoicing import credit_notes
from domain.errors import Problem
from domain.invoicing.codes import CreditNoteErrorCode, InvoicingErrorCode
from resolvers.context import Context
from resolvers.globalid import decode_or_reject
from resolvers.mutation import mutation, require
from resolvers.rows import find_row


async def _invoice(ctx: Context, s: Any, gid: str, code: Any = InvoicingErrorCode.NOT_FOUND,
                   field: str = "id") -> Any:
    return await find_row(InvoiceRepository(s, ctx.scope("rows:Invoice")), gid, "Invoice", code, field)


@mutation("staffInvoiceFinalize", audit="invoice.finalize")
async def staff_invoice_finalize(ctx: Context, s: Any, invoice_id: str) -> dict[str, Any]:
    invoice = await _invoice(ctx, s, invoice_id)
    return {"invoice": await invoicing.finalize(s, invoice, ctx.merchant, ctx.now)}


@mutation("staffInvoiceVoid", audit="invoice.void")
async def staff_invoice_void(ctx: Context, s: Any, invoice_id: str) -> dict[str, Any]:
    return {"invoice": await invoicing.void(s, await _invoice(ctx, s, invoice_id), ctx.now)}


@mutation("staffInvoiceMarkUncollectible", audit="invoice.mark_uncollectible")
async def staff_invoice_mark_uncollectible(ctx: Context, s: Any, invoice_id: str) -> dict[str, Any]:
    return {"invoice": await invoicing.mark_uncollectible(s, await _invoice(ctx, s, invoice_id), ctx.now)}


@mutation("staffCreditNoteCreate", audit="credit_note.create")
async def staff_credit_note_create(ctx: Context, s: Any, invoice_id: str, reason: CreditNoteReason,
                                   memo: str | None, lines: list[tuple[str, int]], amount: Decimal | None,
                                   refund: bool) -> dict[str, Any]:
    E = CreditNoteErrorCode
    invoice = await _invoice(ctx, s, invoice_id, E.NOT_FOUND, "invoiceId")
    wanted = [credit_notes.CreditLine(decode_or_reject(gid, "InvoiceLine", E.LINE_NOT_ON_INVOICE, "input", "lines",
                                                       str(i), "invoiceLineId"), quantity,
                                      ("input", "lines", str(i)))
              for i, (gid, quantity) in enumerate(lines)]
    note = await credit_notes.issue(s, invoice, credit_notes.CreditAsk(reason, memo or None, wanted, amount, refund),
                                    ctx.merchant, ctx.now, ctx.caller.user_id)
    return {"credit_note": note, "invoice": invoice}


# The database holds one replacement per invoice: a reissue that missed the lock cannot make two.
REISSUED = Problem(InvoicingErrorCode.ALREADY_REISSUED, "This invoice was reissued a moment ago", ("input", "id"))


@mutation("invoiceReissue", audit="invoice.reissue", on_conflict=REISSUED)
async def invoice_reissue(ctx: Context, s: Any, invoice_id: str) -> dict[str, Any]:
    invoice = await _invoice(ctx, s, invoice_id)
    require(ctx, "Mutation.invoiceReissue", invoice.account_id, invoice.location_id)
    new, note = await invoicing.reissue(s, invoice, ctx.merchant, ctx.now, ctx.caller.user_id)
    return {"invoice": new, "replaced": invoice, "credit_note": note}
