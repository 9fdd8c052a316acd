"""The audit log."""
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from db.repositories.audit import AuditFilter as AuditFilterData
from resolvers.globalid import decode_as, encode
from schema.relations import relation
from schema.common import Connection

if TYPE_CHECKING:
    from schema.accounts import Account, Person


@strawberry.type(description="Who did what to which object, from where, and when.")
class AuditEvent:
    id: strawberry.ID = strawberry.field(resolver=lambda root: strawberry.ID(encode("AuditEvent", root.id)))
    at: datetime
    action: str = strawberry.field(description="e.g. auth.sign_in, auth.sign_in_failed, invitation.create")
    actor_kind: str = strawberry.field(description="ANONYMOUS, CUSTOMER, STAFF, INTEGRATION, API_KEY or SYSTEM")
    target_type: str | None
    target_id: strawberry.ID | None = strawberry.field(
        resolver=lambda root: strawberry.ID(encode(root.target_type, root.target_id))
        if root.target_type and root.target_id is not None else None)
    ip: str | None
    user_agent: str | None
    data: JSON

    actor = relation(Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user", "actor_user_id")
    account = relation(Annotated["Account", strawberry.lazy("schema.accounts")] | None, "accounts.account", "account_id")


AuditEventConnection = Connection[AuditEvent]


@strawberry.input
class AuditEventFilter:
    actions: list[str] | None = None
    action_prefix: str | None = strawberry.field(default=None, description="e.g. 'auth.' for every sign-in event")
    account_ids: list[strawberry.ID] | None = None
    at_after: datetime | None = None
    at_before: datetime | None = None

    def to_data(self) -> AuditFilterData:
        return AuditFilterData(actions=tuple(a[:64] for a in (self.actions or [])[:50]),
                               action_prefix=(self.action_prefix or "")[:64] or None,
                               account_ids=tuple(decode_as(a, "Account") for a in (self.account_ids or [])[:100]),
                               after=self.at_after, before=self.at_before)
