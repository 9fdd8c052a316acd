"""Changes become webhook events in the transaction that makes them: `note` keeps what changed on
the session, and just before that transaction commits the catalogue's events are written to the
`webhook_event` outbox with the objects' state as they are committed. A rolled-back transaction
writes none; a committed one cannot lose them (the worker delivers them later)."""
import secrets
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, select

from db.models import MembershipRole, WebhookEvent
from domain.webhooks.catalogue import CHANGES, EVENTS, OBJECTS, ObjectKind
from domain.webhooks.ids import global_id

_PENDING = "webhook_changes"


def note(session: Any, change: str, object_id: Any, now: datetime, *, account_id: int | None = None,
         **facts: Any) -> None:
    """Remember a change (an audit action, a subscription history kind, an invoice fact) for the
    commit. Changes the catalogue does not map cost nothing more."""
    if change not in CHANGES:
        return
    info = session.info
    pending = info.get(_PENDING)
    if pending is None:
        pending = info[_PENDING] = []
        if not info.get("webhook_listening"):  # once per session, however often it commits
            info["webhook_listening"] = True
            sync = getattr(session, "sync_session", session)
            event.listen(sync, "before_commit", _write)
            event.listen(sync, "after_rollback", _forget)
    pending.append((change, object_id, account_id, now, facts))


def _forget(sync_session: Any) -> None:
    sync_session.info.pop(_PENDING, None)


def _write(sync_session: Any) -> None:
    """Runs inside the commit, in SQLAlchemy's greenlet: plain (sync) session calls do their I/O."""
    pending = sync_session.info.pop(_PENDING, None) or []
    if pending:
        sync_session.flush()  # the state as it will be committed: rows added but not flushed yet too
    written: dict[tuple[str, str, int], WebhookEvent] = {}
    for change_name, object_id, account_id, now, facts in pending:
        change = CHANGES[change_name]
        pk = facts.get(change.via) if change.via else object_id
        if change.via == "account_id":
            pk = account_id
        pk = getattr(pk, "id", pk)  # a row noted before it had its id
        if pk is None:
            continue
        kind = OBJECTS[change.object]
        obj = sync_session.get(kind.model, pk)
        if obj is None:
            continue
        name = change.rule if isinstance(change.rule, str) else change.rule(obj, facts)
        if name is None:
            continue
        assert name in EVENTS, name
        key = (name, kind.name, pk)
        row = written.get(key)
        if row is None:  # one event per object and type in a transaction, with the final state
            row = written[key] = WebhookEvent(uid="msg_" + secrets.token_urlsafe(18), type=name,
                                              account_id=_account_of(obj, kind), object_type=kind.name,
                                              object_id=pk, created_at=now)
        row.payload = state(sync_session, kind, obj)
        sync_session.add(row)


def _account_of(obj: Any, kind: ObjectKind) -> int | None:
    return obj.id if kind.name == "Account" else getattr(obj, "account_id", None)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def state(sync_session: Any, kind: ObjectKind, obj: Any) -> dict[str, Any]:
    """The object as an integration with the kind's scope reads it: its fields by their API names,
    the objects it names by global ID."""
    out: dict[str, Any] = {_camel(f): _plain(getattr(obj, f)) for f in kind.fields}
    for column, type_name in kind.links:
        value = getattr(obj, column)
        out[_camel(column.removesuffix("_id")) + "Id"] = global_id(type_name, value) if value else None
    if kind.name == "Membership":
        roles = sync_session.execute(select(MembershipRole).where(MembershipRole.membership_id == obj.id)).scalars()
        out["roles"] = sorted(({"role": r.role.value, "locationId": global_id("Location", r.location_id)
                                if r.location_id else None} for r in roles),
                              key=lambda r: (r["role"], r["locationId"] or ""))
    return out
