"""Invoices as documents for the PDF routes: the rows the caller may see (an invoice of another
account, or one a BUYER or VIEWER asks for, is missing, exactly like one that does not exist),
each in the locale asked for or the reader's."""
from dataclasses import dataclass

from graphql import GraphQLError

from db.repositories import documents as repo
from db.repositories.billing import InvoiceRepository
from db.enums import PaymentStatus
from db.repositories.payments import PaymentRepository, paid_before, payments_of_group
from domain.documents import InvoiceDocument, ReceiptDocument, Seller, documents_of_invoices, receipt_document
from i18n.documents import DocumentLocale, document_locale
from resolvers.context import Context
from resolvers.globalid import decode_as


@dataclass(frozen=True)
class Printable:
    document: InvoiceDocument | ReceiptDocument
    locale: DocumentLocale


def invoice_pk(global_id: str) -> int | None:
    """The invoice's primary key, or None for an ID that is malformed or of something else."""
    try:
        return decode_as(global_id, "Invoice")
    except GraphQLError:  # malformed, or of another type: a missing invoice here
        return None


async def invoice_documents(ctx: Context, global_ids: list[str], locale: str | None,
                            seller: Seller) -> list[Printable]:
    """The visible invoices among `global_ids`, in their order, as documents, each with its locale:
    five statements however many (invoices, lines, order numbers, the user's and accounts' locales)."""
    pks = [pk for pk in (invoice_pk(g) for g in global_ids) if pk is not None]
    if not pks:
        return []
    async with ctx.db.session() as s:
        invoices = await InvoiceRepository(s, ctx.scope("rows:Invoice")).get_many(pks)
        if not invoices:
            return []
        printed = await documents_of_invoices(s, list(invoices.values()), seller)
        user_locale, account_locales = await repo.locales(s, ctx.caller.user_id,
                                                          (i.account_id for i in invoices.values()))
    return [Printable(printed[pk], document_locale(locale, user_locale, account_locales.get(invoices[pk].account_id)))
            for pk in dict.fromkeys(pks) if pk in invoices]


async def receipt_printable(ctx: Context, global_id: str, locale: str | None, seller: Seller) -> Printable | None:
    """The receipt of a successful payment the caller may see (as its invoice: ADMIN and
    ACCOUNTS_PAYABLE, invoices:read), with all the invoices the payment paid; else None."""
    try:
        pk = decode_as(global_id, "Payment")
    except GraphQLError:
        return None
    async with ctx.db.session() as s:
        repo_ = PaymentRepository(s, ctx.scope("rows:Invoice"))
        payment = await repo_.get(pk)
        if payment is None or payment.status is not PaymentStatus.SUCCEEDED:
            return None
        rows = await payments_of_group(s, payment.group_key) if payment.group_key else [payment]
        invoices = await InvoiceRepository(s, ctx.scope("rows:Invoice")).get_many(p.invoice_id for p in rows)
        rows = [p for p in rows if p.invoice_id in invoices and p.status is PaymentStatus.SUCCEEDED]
        before = await paid_before(s, rows)
        user_locale, account_locales = await repo.locales(s, ctx.caller.user_id, [payment.account_id])
    return Printable(receipt_document(rows, invoices, seller, before),
                     document_locale(locale, user_locale, account_locales.get(payment.account_id)))
