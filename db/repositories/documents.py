"""What printing documents reads besides the documents' own rows (which come through their scoped
repositories): the lines of many invoices, their orders' numbers, a credit note's lines and what
it credits, and the locales people chose."""
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlmodel import select

from db.models import Account, CreditNote, CreditNoteLine, Invoice, InvoiceLine, Order, User


async def invoice_lines(session: Any, invoice_ids: Iterable[int]) -> dict[int, list[InvoiceLine]]:
    ids = sorted(set(invoice_ids))
    out: dict[int, list[InvoiceLine]] = defaultdict(list)
    if ids:
        stmt = select(InvoiceLine).where(InvoiceLine.invoice_id.in_(ids)).order_by(InvoiceLine.position,
                                                                                    InvoiceLine.id)
        for line in (await session.exec(stmt)).all():
            out[line.invoice_id].append(line)
    return out


async def order_numbers(session: Any, order_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({i for i in order_ids if i is not None})
    if not ids:
        return {}
    return dict((await session.exec(select(Order.id, Order.number).where(Order.id.in_(ids)))).all())


async def credit_note_parts(session: Any, note: CreditNote) -> tuple[list[CreditNoteLine], Invoice,
                                                                    dict[int, InvoiceLine]]:
    """A credit note's lines, the invoice it credits and the invoice lines they credit (by id):
    three statements."""
    lines = list((await session.exec(select(CreditNoteLine).where(CreditNoteLine.credit_note_id == note.id)
                                     .order_by(CreditNoteLine.position, CreditNoteLine.id))).all())
    invoice = await session.get(Invoice, note.invoice_id)
    ids = sorted({line.invoice_line_id for line in lines if line.invoice_line_id is not None})
    credited = {il.id: il for il in (await session.exec(select(InvoiceLine).where(InvoiceLine.id.in_(ids)))).all()} \
        if ids else {}
    return lines, invoice, credited


async def locales(session: Any, user_id: int | None, account_ids: Iterable[int]) -> tuple[str | None, dict[int, str]]:
    """(the user's locale, each account's locale): who reads a document chose how it is written."""
    user_locale = None
    if user_id is not None:
        user_locale = (await session.exec(select(User.locale).where(User.id == user_id))).first()
    ids = sorted(set(account_ids))
    accounts = dict((await session.exec(select(Account.id, Account.locale).where(Account.id.in_(ids)))).all()) if ids else {}
    return user_locale, accounts
