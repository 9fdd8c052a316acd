"""The reads and writes of invoice emails: who pays an account's invoices, which open invoices are
due a reminder, and the marker that makes each reminder happen once."""
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.util import identity_key
from sqlmodel import select

from db.enums import InvoiceReminderKind, InvoiceStatus, Role
from db.models import Account, Invoice, InvoiceReminder, Membership, MembershipRole, User


class Payer(NamedTuple):
    """A member who may receive an account's invoice emails, by one of their roles."""
    account: Account
    user: User
    role: Role
    location_id: int | None  # None: the role is account-wide


_HELD = "payers_held"  # session.info key: the payers of a worker batch's accounts, read once


async def hold_payers(session: Any, account_ids: Iterable[int]) -> None:
    """Read the payers of these accounts once for the rest of the transaction: a worker batch that
    mails several times per account (invoice issued, receipt) does not read them again each time."""
    wanted = sorted(set(account_ids))
    found = await payers(session, wanted)
    session.info[_HELD] = {a: [p for p in found if p.account.id == a] for a in wanted}


async def payers(session: Any, account_ids: Iterable[int]) -> list[Payer]:
    """The ACCOUNTS_PAYABLE and ADMIN members of the accounts, with their accounts (for the locale)."""
    wanted = sorted(set(account_ids))
    held = session.info.get(_HELD)
    if held is not None and all(a in held for a in wanted):
        return [p for a in wanted for p in held[a]]
    stmt = (select(Account, User, MembershipRole.role, MembershipRole.location_id)
            .join(Membership, Membership.account_id == Account.id)
            .join(User, User.id == Membership.user_id)
            .join(MembershipRole, MembershipRole.membership_id == Membership.id)
            .where(Account.id.in_(wanted),
                   MembershipRole.role.in_([Role.ACCOUNTS_PAYABLE, Role.ADMIN]))
            .order_by(Account.id, User.id))
    return [Payer(*row) for row in (await session.exec(stmt)).all()]


async def reminder_candidates(session: Any, kind: InvoiceReminderKind, today: date, horizon: date,
                              limit: int) -> list[Invoice]:
    """Open invoices with something due that have not had this reminder: due between today and
    `horizon` (DUE_SOON) or before today (OVERDUE), earliest due first.

    On PostgreSQL they are locked and another worker skips them (SKIP LOCKED), so two workers take
    different invoices; the marker's unique key still decides if both reach one."""
    reminded = (select(InvoiceReminder.id)
                .where(InvoiceReminder.invoice_id == Invoice.id, InvoiceReminder.kind == kind).exists())
    due = (Invoice.due_date < today if kind is InvoiceReminderKind.OVERDUE
           else Invoice.due_date.between(today, horizon))  # type: ignore[attr-defined]
    stmt = (select(Invoice).where(Invoice.status == InvoiceStatus.OPEN, due, Invoice.amount_due > 0, ~reminded)
            .order_by(Invoice.due_date, Invoice.id).limit(limit))
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Invoice)
    return list((await session.exec(stmt)).all())


async def mark_reminded(session: Any, kind: InvoiceReminderKind, recipients: dict[int, int],
                        now: datetime) -> set[int]:
    """Write the markers {invoice id: emails}; the ids whose marker this call wrote. One that
    exists already (another worker's, committed or about to be) is left alone and not returned."""
    if not recipients:
        return set()
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(InvoiceReminder)
            .values([{"invoice_id": invoice_id, "kind": kind, "recipients": count, "created_at": now}
                     for invoice_id, count in recipients.items()])
            .on_conflict_do_nothing(index_elements=["invoice_id", "kind"])
            .returning(InvoiceReminder.invoice_id))
    return set((await session.exec(stmt)).scalars().all())


async def invoice_numbers(session: Any, invoice_ids: Iterable[int]) -> list[str]:
    """The numbers of the invoices, in number order (not read again when the session holds them)."""
    ids = list(invoice_ids)
    held = [session.identity_map.get(identity_key(Invoice, i)) for i in ids]
    if all(inv is not None and "number" not in inspect(inv).unloaded and inv.number for inv in held):
        return sorted(inv.number for inv in held)  # type: ignore[union-attr]
    stmt = select(Invoice.number).where(Invoice.id.in_(ids)).order_by(Invoice.number)  # type: ignore[union-attr]
    return [n for n in (await session.exec(stmt)).all() if n]
