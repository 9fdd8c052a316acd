"""Support tickets: a customer opens one (about an order, invoice or subscription where it helps)
with messages and files; staff answer, add internal notes the customer never sees, change status
and priority and escalate to the account team. The customer is emailed on every staff answer."""
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Account, SupportAttachment, SupportMessage, SupportTicket, User
from db.models.support import MessageAuthor, TicketPriority, TicketStatus
from db.repositories.base import lock_row
from domain import audit
from domain.audit import Actor
from domain.errors import reject
from domain.file_types import DOCUMENTS, FileKind, display_name, sniff
from domain.mail import enqueue
from domain.storage import FileStorage
from domain.text import check_text

MAX_FILES = 5
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_SUBJECT = 200
MAX_BODY = 10000


class SupportErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    SUBJECT_REQUIRED = "SUBJECT_REQUIRED"
    BODY_REQUIRED = "BODY_REQUIRED"
    TOO_LONG = "TOO_LONG"
    ACCOUNT_REQUIRED = "ACCOUNT_REQUIRED"
    ONE_LINK_ONLY = "ONE_LINK_ONLY"
    TOO_MANY_FILES = "TOO_MANY_FILES"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"
    CLOSED = "CLOSED"
    INVALID_STATUS = "INVALID_STATUS"
    ALREADY_ESCALATED = "ALREADY_ESCALATED"


class Upload(Protocol):
    filename: str | None

    async def read(self, size: int = -1) -> bytes:
        """At most `size` bytes of the uploaded file."""


@dataclass(frozen=True)
class ReadFile:
    data: bytes
    kind: FileKind
    name: str


async def read_files(uploads: list[Upload]) -> list[ReadFile]:
    """Each upload's bytes, kind (from its content: the client's type and name are not trusted)
    and a display name that names no folder; Rejected for too many, too large or a disallowed kind."""
    E = SupportErrorCode
    if len(uploads) > MAX_FILES:
        raise reject(E.TOO_MANY_FILES, f"At most {MAX_FILES} files per message", "input", "attachments")
    out = []
    for i, upload in enumerate(uploads):
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise reject(E.FILE_TOO_LARGE, f"A file may be at most {MAX_FILE_BYTES // (1024 * 1024)} MB",
                         "input", "attachments", str(i))
        kind = sniff(data)
        if kind is None or kind not in DOCUMENTS or not data:
            raise reject(E.FILE_TYPE_NOT_ALLOWED, "Attach images, PDF, Word or Excel files, or plain text",
                         "input", "attachments", str(i))
        out.append(ReadFile(data, kind, display_name(getattr(upload, "filename", None), kind)))
    return out


async def forget_files(storage: FileStorage, keys: list[str]) -> None:
    """Files of a message that was not written must not stay behind."""
    for key in keys:
        await storage.delete(key)


def _text(value: str | None, limit: int, code: SupportErrorCode, name: str) -> str:
    text = check_text(value, limit, SupportErrorCode.TOO_LONG, "input", name)
    if not text:
        raise reject(code, "This must not be empty", "input", name)
    return text


async def _message(s: AsyncSession, storage: FileStorage, now: datetime, ticket: SupportTicket,
                   author: MessageAuthor, user_id: int | None, body: str, files: list[ReadFile],
                   written: list[str], internal: bool = False) -> SupportMessage:
    message = SupportMessage(ticket_id=ticket.id, author_user_id=user_id, author=author, body=body,
                             internal=internal, created_at=now)
    s.add(message)
    await s.flush()
    for f in files:
        key = f"support/{ticket.id}/{uuid.uuid4().hex}.{f.kind.extension}"
        await storage.put(key, f.data, f.kind.content_type)
        written.append(key)
        s.add(SupportAttachment(message_id=message.id, ticket_id=ticket.id, storage_key=key, filename=f.name,
                                content_type=f.kind.content_type, size_bytes=len(f.data),
                                sha256=hashlib.sha256(f.data).hexdigest(), created_at=now))
    return message


@dataclass
class TicketAsked:
    subject: str | None
    body: str | None
    account_id: int
    location_id: int | None
    priority: TicketPriority = TicketPriority.NORMAL
    order_id: int | None = None
    invoice_id: int | None = None
    subscription_id: int | None = None
    offered_article_ids: list[int] = field(default_factory=list)
    files: list[Upload] = field(default_factory=list)


def _locale(account: Account | None, user: User) -> str:
    return (user.locale or (account.locale if account else None) or "en").split("-")[0].split("_")[0]


async def open_ticket(s: AsyncSession, actor: Actor, now: datetime, storage: FileStorage, asked: TicketAsked,
                      written: list[str], notify_to: str | None, link: str, notify_locale: str = "en") -> SupportTicket:
    """An OPEN ticket with its first message; the merchant's support address is emailed."""
    E = SupportErrorCode
    # One line: it becomes an email's subject.
    subject = _text(" ".join((asked.subject or "").split()), MAX_SUBJECT, E.SUBJECT_REQUIRED, "subject")
    body = _text(asked.body, MAX_BODY, E.BODY_REQUIRED, "body")
    files = await read_files(asked.files)
    ticket = SupportTicket(number=f"new-{uuid.uuid4().hex[:20]}", account_id=asked.account_id,
                           location_id=asked.location_id, opened_by_user_id=actor.user_id, subject=subject,
                           status=TicketStatus.OPEN, priority=asked.priority, order_id=asked.order_id,
                           invoice_id=asked.invoice_id, subscription_id=asked.subscription_id,
                           offered_article_ids=",".join(str(i) for i in sorted(set(asked.offered_article_ids))),
                           created_at=now, updated_at=now)
    s.add(ticket)
    await s.flush()
    ticket.number = f"SUP-{ticket.id:05d}"  # from the id: unique without a counter to lock
    s.add(ticket)
    await _message(s, storage, now, ticket, MessageAuthor.CUSTOMER, actor.user_id, body, files, written)
    audit.record(s, actor, "support.ticket.open", now, account_id=ticket.account_id, target_type="SupportTicket",
                 target_id=ticket.id, files=len(files), offered=ticket.offered_article_ids or None)
    if notify_to:
        account = await s.get(Account, ticket.account_id)
        opener = await s.get(User, actor.user_id) if actor.user_id else None
        enqueue(s, to=notify_to, template="support_ticket_opened", now=now, locale=notify_locale,
                ticket_number=ticket.number, subject=subject, account=account.name if account else "-",
                name=opener.name if opener else "-", priority=ticket.priority.value, link=link)
    return ticket


Guard = Callable[[SupportTicket], None]


async def _locked(s: AsyncSession, ticket_id: int, visible: Callable[[int], object]) -> SupportTicket:
    ticket = await lock_row(s, SupportTicket, ticket_id)
    if ticket is None or await visible(ticket_id) is None:  # type: ignore[misc]
        raise reject(SupportErrorCode.NOT_FOUND, "No ticket with that ID", "input", "ticketId")
    return ticket


async def customer_reply(s: AsyncSession, actor: Actor, now: datetime, storage: FileStorage, ticket_id: int,
                         visible: Callable[[int], object], guard: Guard, body: str | None, uploads: list[Upload],
                         written: list[str]) -> tuple[SupportTicket, SupportMessage]:
    """The customer answers: the ticket waits on the merchant again (a resolved one reopens)."""
    E = SupportErrorCode
    text = _text(body, MAX_BODY, E.BODY_REQUIRED, "body")
    files = await read_files(uploads)
    ticket = await _locked(s, ticket_id, visible)
    guard(ticket)
    if ticket.status is TicketStatus.CLOSED:
        raise reject(E.CLOSED, "This ticket is closed: open a new one", "input", "ticketId")
    message = await _message(s, storage, now, ticket, MessageAuthor.CUSTOMER, actor.user_id, text, files, written)
    before = ticket.status
    ticket.status, ticket.updated_at = TicketStatus.WAITING_ON_MERCHANT, now
    s.add(ticket)
    audit.record(s, actor, "support.ticket.reply", now, account_id=ticket.account_id, target_type="SupportTicket",
                 target_id=ticket.id, status=[before.value, ticket.status.value], files=len(files))
    return ticket, message


async def staff_reply(s: AsyncSession, actor: Actor, now: datetime, storage: FileStorage, ticket_id: int,
                      visible: Callable[[int], object], body: str | None, uploads: list[Upload], internal: bool,
                      status: TicketStatus | None, written: list[str],
                      link: str) -> tuple[SupportTicket, SupportMessage]:
    """Staff answer (the customer is emailed; the ticket waits on the customer unless `status`
    says otherwise) or add an internal note (no email, status unchanged unless given)."""
    E = SupportErrorCode
    text = _text(body, MAX_BODY, E.BODY_REQUIRED, "body")
    files = await read_files(uploads)
    ticket = await _locked(s, ticket_id, visible)
    if ticket.status is TicketStatus.CLOSED and not internal:
        raise reject(E.CLOSED, "This ticket is closed", "input", "ticketId")
    message = await _message(s, storage, now, ticket, MessageAuthor.STAFF, actor.user_id, text, files, written,
                             internal=internal)
    before = ticket.status
    if status is not None:
        ticket.status = status
    elif not internal:
        ticket.status = TicketStatus.WAITING_ON_CUSTOMER
    ticket.updated_at = now
    s.add(ticket)
    audit.record(s, actor, "support.ticket.note" if internal else "support.ticket.answer", now,
                 account_id=ticket.account_id, target_type="SupportTicket", target_id=ticket.id,
                 status=[before.value, ticket.status.value], files=len(files))
    if not internal:
        await _email_reply(s, ticket, text, now, link)
    return ticket, message


async def _email_reply(s: AsyncSession, ticket: SupportTicket, body: str, now: datetime, link: str) -> None:
    user = await s.get(User, ticket.opened_by_user_id) if ticket.opened_by_user_id else None
    if user is None:
        return
    locale = _locale(await s.get(Account, ticket.account_id), user)
    enqueue(s, to=user.email, template="support_reply", now=now, locale=locale, name=user.name,
            ticket_number=ticket.number, subject=ticket.subject, message=body, link=link)


async def update(s: AsyncSession, actor: Actor, now: datetime, ticket_id: int, visible: Callable[[int], object],
                 status: TicketStatus | None, priority: TicketPriority | None) -> SupportTicket:
    """Staff set a ticket's status or priority."""
    ticket = await _locked(s, ticket_id, visible)
    before = (ticket.status.value, ticket.priority.value)
    if status is not None:
        ticket.status = status
    if priority is not None:
        ticket.priority = priority
    ticket.updated_at = now
    s.add(ticket)
    audit.record(s, actor, "support.ticket.update", now, account_id=ticket.account_id, target_type="SupportTicket",
                 target_id=ticket.id, status=[before[0], ticket.status.value],
                 priority=[before[1], ticket.priority.value])
    return ticket


async def close(s: AsyncSession, actor: Actor, now: datetime, ticket_id: int, visible: Callable[[int], object],
                guard: Guard) -> SupportTicket:
    """The customer closes its ticket (its question is answered)."""
    E = SupportErrorCode
    ticket = await _locked(s, ticket_id, visible)
    guard(ticket)
    if ticket.status is TicketStatus.CLOSED:
        raise reject(E.INVALID_STATUS, "This ticket is closed already", "input", "ticketId")
    before = ticket.status
    ticket.status, ticket.updated_at = TicketStatus.CLOSED, now
    s.add(ticket)
    audit.record(s, actor, "support.ticket.close", now, account_id=ticket.account_id, target_type="SupportTicket",
                 target_id=ticket.id, status=[before.value, ticket.status.value])
    return ticket


async def escalate(s: AsyncSession, actor: Actor, now: datetime, ticket_id: int, visible: Callable[[int], object],
                   guard: Guard, reason: str | None, notify_to: str | None, link: str,
                   notify_locale: str = "en") -> SupportTicket:
    """Hand a ticket to the account team: it becomes URGENT, the reason is an internal note, and
    the team's address (the staff notification address) is emailed. Once per ticket: of two
    escalating at once, the second gets ALREADY_ESCALATED."""
    E = SupportErrorCode
    text = _text(reason, MAX_BODY, E.BODY_REQUIRED, "reason")
    ticket = await _locked(s, ticket_id, visible)
    guard(ticket)
    if ticket.escalated_at is not None:
        raise reject(E.ALREADY_ESCALATED, "This ticket is with the account team already", "input", "ticketId")
    if ticket.status is TicketStatus.CLOSED:
        raise reject(E.CLOSED, "This ticket is closed", "input", "ticketId")
    ticket.escalated_at, ticket.escalated_by_user_id = now, actor.user_id
    ticket.priority, ticket.updated_at = TicketPriority.URGENT, now
    s.add(ticket)
    author = MessageAuthor.STAFF if actor.kind == "STAFF" else MessageAuthor.CUSTOMER
    # A customer's reason is part of the conversation; a staff member's is a note among staff.
    await _message(s, None, now, ticket, author, actor.user_id, f"Escalated: {text}", [], [],  # type: ignore[arg-type]
                   internal=author is MessageAuthor.STAFF)
    audit.record(s, actor, "support.ticket.escalate", now, account_id=ticket.account_id,
                 target_type="SupportTicket", target_id=ticket.id)
    if notify_to:
        account = await s.get(Account, ticket.account_id)
        enqueue(s, to=notify_to, template="support_ticket_opened", now=now, locale=notify_locale,
                ticket_number=ticket.number, subject=f"[ESCALATED] {ticket.subject}",
                account=account.name if account else "-", name="-", priority=ticket.priority.value, link=link)
    return ticket
