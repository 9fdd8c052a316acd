"""Invoices as documents for the PDF routes: the rows the caller may see (an invoice of another
account, or one a BUYER or VIEWER asks for, is missing, exactly like one that does not exist),
each in the locale asked for or the reader's."""
from dataclasses import dataclass

from graphql import GraphQLError

from db.repositories import documents as repo
from db.repositories.billing import InvoiceRepository
from domain.documents import InvoiceDocument, Seller, documents_of_invoices
from i18n.documents import DocumentLocale, document_locale
from resolvers.context import Context
from resolvers.globalid import decode_as


@dataclass(frozen=True)
class Printable:
    document: InvoiceDocument
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
