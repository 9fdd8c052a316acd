"""Quotes as the caller may see them: the buyer who asked, ADMIN of the account, and staff."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import and_, or_, select

from db.models import Quote, QuoteLine
from db.models.quotes import QuoteStatus
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


@dataclass(frozen=True)
class QuoteFilter:
    # Stored statuses, plus "EXPIRED" (quoted and past its expiry at `now`; then QUOTED means unexpired).
    statuses: tuple[str, ...] = ()
    now: datetime | None = None
    account_ids: tuple[int, ...] = ()


class QuoteRepository(ScopedRepository[Quote]):
    model = Quote

    def visible(self) -> Select:
        return select(Quote).where(self.scope.where(Quote.account_id, Quote.location_id, Quote.requested_by_user_id))

    def filtered(self, f: QuoteFilter) -> Select:
        stmt = self.visible()
        if f.statuses:
            conds = []
            for status in f.statuses:
                if status == "EXPIRED" and f.now is not None:
                    conds.append(and_(Quote.status == QuoteStatus.QUOTED, Quote.expires_at <= f.now))
                elif status == QuoteStatus.QUOTED and f.now is not None:
                    conds.append(and_(Quote.status == QuoteStatus.QUOTED,
                                      or_(Quote.expires_at.is_(None), Quote.expires_at > f.now)))
                elif status in QuoteStatus.__members__:
                    conds.append(Quote.status == QuoteStatus(status))
            stmt = stmt.where(or_(*conds))
        if f.account_ids:
            stmt = stmt.where(Quote.account_id.in_(f.account_ids))
        return stmt

    async def page(self, f: QuoteFilter, **window: Any) -> Page[Quote]:
        return await keyset_page(self.session, self.filtered(f), [Quote.created_at, Quote.id], **window)

    async def count(self, f: QuoteFilter) -> int:
        return await count_rows(self.session, self.filtered(f))


async def quote_lines(session: Any, quote_id: int) -> list[QuoteLine]:
    stmt = select(QuoteLine).where(QuoteLine.quote_id == quote_id).order_by(QuoteLine.position, QuoteLine.id)
    return list((await session.exec(stmt)).all())


