"""The audit log as the caller may read it: its accounts' events (ADMIN), everything (staff)."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import select

from db.models import AuditEvent
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


@dataclass(frozen=True)
class AuditFilter:
    actions: tuple[str, ...] = ()
    action_prefix: str | None = None
    account_ids: tuple[int, ...] = ()
    actor_user_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    after: datetime | None = None
    before: datetime | None = None


class AuditRepository(ScopedRepository[AuditEvent]):
    model = AuditEvent

    def visible(self) -> Select:
        return select(AuditEvent).where(self.scope.where(AuditEvent.account_id))

    def filtered(self, f: AuditFilter) -> Select:
        stmt = self.visible()
        if f.actions:
            stmt = stmt.where(AuditEvent.action.in_(f.actions))
        if f.action_prefix:
            stmt = stmt.where(AuditEvent.action.like(f.action_prefix.replace("%", "").replace("_", "\\_") + "%",
                                                     escape="\\"))
        if f.account_ids:
            stmt = stmt.where(AuditEvent.account_id.in_(f.account_ids))
        if f.actor_user_id is not None:
            stmt = stmt.where(AuditEvent.actor_user_id == f.actor_user_id)
        if f.target_type:
            stmt = stmt.where(AuditEvent.target_type == f.target_type)
        if f.target_id is not None:
            stmt = stmt.where(AuditEvent.target_id == f.target_id)
        if f.after:
            stmt = stmt.where(AuditEvent.at >= f.after)
        if f.before:
            stmt = stmt.where(AuditEvent.at < f.before)
        return stmt

    async def page(self, f: AuditFilter, **window: Any) -> Page[AuditEvent]:
        return await keyset_page(self.session, self.filtered(f), [AuditEvent.at, AuditEvent.id], **window)

    async def count(self, f: AuditFilter) -> int:
        return await count_rows(self.session, self.filtered(f))
