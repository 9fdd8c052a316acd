"""Invoices, credit notes and statements as documents for the PDF routes: the rows the caller may
see (an invoice of another account, or one a BUYER or VIEWER asks for, is missing, exactly like
one that does not exist), each in the locale asked for or the reader's."""
from dataclasses import dataclass

from graphql import GraphQLError

from db.repositories import documents as repo
from db.enums import PaymentStatus
from db.models import Account
from db.repositories.billing import CreditNoteRepository, InvoiceRepository
from db.repositories.payments import PaymentRepository, paid_before, payments_of_group
from domain.documents import (CreditNoteDocument, InvoiceDocument, ReceiptDocument, Seller, StatementDocument,
                              credit_note_document, documents_of_invoices, receipt_document, statement_document)
from domain.statements import Period
from i18n.documents import DocumentLocale, document_locale
from resolvers.billing import statement
from resolvers.context import Context
from resolvers.globalid import decode_as


@dataclass(frozen=True)
class Printable:
    document: InvoiceDocument | CreditNoteDocument | ReceiptDocument | StatementDocument
    locale: DocumentLocale


def _pk(global_id: str, type_name: str) -> int | None:
    """The row's primary key, or None for an ID that is malformed or of something else."""
    try:
        return decode_as(global_id, type_name)
    except GraphQLError:  # malformed, or of another type: a missing row here
        return None


def invoice_pk(global_id: str) -> int | None:
    return _pk(global_id, "Invoice")


async def credit_note_printable(ctx: Context, global_id: str, locale: str | None, seller: Seller) -> Printable | None:
    """The credit note as a document, if the caller may see it (rows:CreditNote): five statements."""
    pk = _pk(global_id, "CreditNote")
    if pk is None:
        return None
    async with ctx.db.session() as s:
        note = await CreditNoteRepository(s, ctx.scope("rows:CreditNote")).get(pk)
        if note is None:
            return None
        lines, invoice, credited = await repo.credit_note_parts(s, note)
        user_locale, account_locales = await repo.locales(s, ctx.caller.user_id, [note.account_id])
    return Printable(credit_note_document(note, lines, invoice, credited, seller),
                     document_locale(locale, user_locale, account_locales.get(note.account_id)))


async def statement_printable(ctx: Context, account: Account, span: Period, currency: str, locale: str | None,
                              seller: Seller) -> Printable:
    """The account's statement (`Account.statement`'s figures) as a document; the caller is one who
    may read it (resolvers.billing.may_read_statement)."""
    found = await statement(ctx, account, span, currency)
    async with ctx.db.session() as s:
        user_locale, _ = await repo.locales(s, ctx.caller.user_id, ())
    return Printable(statement_document(found, account, seller), document_locale(locale, user_locale, account.locale))


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
