"""Support tickets as the caller may see them: a buyer the tickets of its locations (and those it
opened), an ADMIN all of its account's, staff all (the queue)."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import SupportAttachment, SupportMessage, SupportTicket
from db.models.support import TicketPriority, TicketStatus
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


@dataclass(frozen=True)
class TicketFilter:
    statuses: tuple[TicketStatus, ...] = ()
    priorities: tuple[TicketPriority, ...] = ()
    account_ids: tuple[int, ...] = ()
    escalated: bool | None = None


class TicketRepository(ScopedRepository[SupportTicket]):
    model = SupportTicket

    def visible(self) -> Select:
        return select(SupportTicket).where(self.scope.where(SupportTicket.account_id, SupportTicket.location_id,
                                                            SupportTicket.opened_by_user_id))

    def filtered(self, f: TicketFilter) -> Select:
        stmt = self.visible()
        if f.statuses:
            stmt = stmt.where(SupportTicket.status.in_(f.statuses))
        if f.priorities:
            stmt = stmt.where(SupportTicket.priority.in_(f.priorities))
        if f.account_ids:
            stmt = stmt.where(SupportTicket.account_id.in_(f.account_ids))
        if f.escalated is not None:
            stmt = stmt.where(SupportTicket.escalated_at.is_not(None) if f.escalated
                              else SupportTicket.escalated_at.is_(None))
        return stmt

    async def page(self, f: TicketFilter, **window: Any) -> Page[SupportTicket]:
        return await keyset_page(self.session, self.filtered(f), [SupportTicket.updated_at, SupportTicket.id],
                                 **window)

    async def count(self, f: TicketFilter) -> int:
        return await count_rows(self.session, self.filtered(f))

    async def attachment(self, attachment_id: int) -> tuple[SupportAttachment, SupportTicket] | None:
        """An attachment with its ticket, if the caller may see the ticket; files of internal
        notes only for staff (an EVERYTHING scope)."""
        stmt = (select(SupportAttachment, SupportTicket)
                .join(SupportMessage, SupportMessage.id == SupportAttachment.message_id)
                .join(SupportTicket, SupportTicket.id == SupportAttachment.ticket_id)
                .where(SupportAttachment.id == attachment_id,
                       self.scope.where(SupportTicket.account_id, SupportTicket.location_id,
                                        SupportTicket.opened_by_user_id)))
        if not self.scope.everything:
            stmt = stmt.where(SupportMessage.internal.is_(False))
        row = (await self.session.exec(stmt)).first()
        return (row[0], row[1]) if row else None


async def opened_count(session: AsyncSession, since: datetime | None, until: datetime | None,
                       with_offers: bool = False) -> int:
    """Tickets opened in the window; `with_offers`: only those opened after articles were offered."""
    stmt = select(func.count()).select_from(SupportTicket)
    if since is not None:
        stmt = stmt.where(SupportTicket.created_at >= since)
    if until is not None:
        stmt = stmt.where(SupportTicket.created_at < until)
    if with_offers:
        stmt = stmt.where(SupportTicket.offered_article_ids != "")
    return int((await session.exec(stmt)).one())
