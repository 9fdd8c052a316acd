"""Files of accounts: contracts and agreements the merchant shares with an account (seen by the
roles named per document), and purchase-order files buyers attach to their orders (seen by who
sees the order). Uploads are recognised by their content (domain.file_types), never their name."""
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import OrderStatus, Role
from db.models import Account, Order, OrderFile, SharedDocument
from db.repositories import account_files as repo
from db.repositories.base import lock_row
from db.repositories.orders import OrderRepository
from db.scope import RowScope
from domain import audit
from domain.audit import Actor
from domain.errors import reject
from domain.file_types import DOCUMENTS, FileKind, display_name, sniff
from domain.storage import FileStorage
from domain.text import check_text

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_ORDER_FILES = 5
MAX_TITLE = 200
DEFAULT_ROLES = (Role.ADMIN, Role.ACCOUNTS_PAYABLE)
# Purchase orders come as PDF, scans (images) or Office files; plain text is not one.
PURCHASE_ORDER_KINDS = DOCUMENTS - {k for k in DOCUMENTS if k.content_type == "text/plain"}


class FileErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"
    TITLE_REQUIRED = "TITLE_REQUIRED"
    TOO_LONG = "TOO_LONG"
    ROLES_REQUIRED = "ROLES_REQUIRED"
    TOO_MANY_FILES = "TOO_MANY_FILES"
    ORDER_CLOSED = "ORDER_CLOSED"


class Upload(Protocol):
    filename: str | None

    async def read(self, size: int = -1) -> bytes:
        """At most `size` bytes of the uploaded file."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    filename: str
    kind: FileKind
    size: int
    sha256: str


async def read_upload(upload: Upload, max_bytes: int, allowed: frozenset[FileKind] | set[FileKind],
                      *where: str, codes: type[StrEnum] = FileErrorCode) -> tuple[bytes, FileKind]:
    """The bytes and the kind found in them; FILE_TOO_LARGE, EMPTY_FILE or FILE_TYPE_NOT_ALLOWED
    of `codes` (the asking domain's enum) otherwise. Reads one byte past the limit, never the
    whole of a larger file."""
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise reject(codes["FILE_TOO_LARGE"], f"A file may be at most {max_bytes // (1024 * 1024)} MB", *where)
    if not data:
        raise reject(codes["EMPTY_FILE"], "The file is empty", *where)
    kind = sniff(data)
    if kind is None or kind not in allowed:
        names = ", ".join(sorted({k.extension.upper() for k in allowed}))
        raise reject(codes["FILE_TYPE_NOT_ALLOWED"], f"This kind of file is not accepted here (accepted: {names})", *where)
    return data, kind


async def store(storage: FileStorage, folder: str, upload: Upload, data: bytes, kind: FileKind,
                written: list[str]) -> StoredFile:
    """Put the bytes under a key we make; the key goes into `written` so the caller can remove
    the file when its transaction does not commit."""
    key = f"{folder}/{uuid.uuid4().hex}.{kind.extension}"
    await storage.put(key, data, kind.content_type)
    written.append(key)
    return StoredFile(key, display_name(upload.filename, kind), kind, len(data), hashlib.sha256(data).hexdigest())


async def forget(storage: FileStorage, keys: list[str]) -> None:
    """Files of a change that was not written must not stay behind."""
    for key in keys:
        await storage.delete(key)


def roles_column(roles: list[Role] | None) -> str:
    chosen = list(dict.fromkeys(roles)) if roles is not None else list(DEFAULT_ROLES)
    if not chosen:
        raise reject(FileErrorCode.ROLES_REQUIRED, "Name at least one role that may see the document",
                     "input", "roles")
    return "," + ",".join(r.value for r in chosen) + ","


def roles_of(doc: SharedDocument) -> list[Role]:
    return [Role(r) for r in doc.roles.strip(",").split(",") if r]


@dataclass
class DocumentShared:
    account_id: int
    title: str
    roles: list[Role] | None
    file: Upload


async def share(s: AsyncSession, actor: Actor, now: datetime, storage: FileStorage, asked: DocumentShared,
                written: list[str]) -> SharedDocument:
    """Share a contract or agreement with an account (staff)."""
    E = FileErrorCode
    title = check_text(asked.title, MAX_TITLE, E.TOO_LONG, "input", "title")
    if not title:
        raise reject(E.TITLE_REQUIRED, "Give the document a title", "input", "title")
    roles = roles_column(asked.roles)
    if await s.get(Account, asked.account_id) is None:
        raise reject(E.NOT_FOUND, "No account with that ID", "input", "accountId")
    data, kind = await read_upload(asked.file, MAX_DOCUMENT_BYTES, DOCUMENTS, "input", "file")
    f = await store(storage, f"documents/a{asked.account_id}", asked.file, data, kind, written)
    doc = SharedDocument(account_id=asked.account_id, title=title, roles=roles, filename=f.filename,
                         storage_key=f.key, content_type=kind.content_type, size_bytes=f.size, sha256=f.sha256,
                         shared_by_user_id=actor.user_id, created_at=now)
    s.add(doc)
    await s.flush()
    audit.record(s, actor, "document.share", now, account_id=doc.account_id, target_type="SharedDocument",
                 target_id=doc.id, title=title, roles=roles.strip(","), size=f.size, type=kind.content_type)
    return doc


async def unshare(s: AsyncSession, actor: Actor, now: datetime, document_id: int) -> SharedDocument:
    """Stop sharing a document (staff); its file is removed once the transaction commits."""
    doc = await lock_row(s, SharedDocument, document_id)
    if doc is None:
        raise reject(FileErrorCode.NOT_FOUND, "No document with that ID", "input", "id")
    await s.delete(doc)
    audit.record(s, actor, "document.unshare", now, account_id=doc.account_id, target_type="SharedDocument",
                 target_id=doc.id, title=doc.title)
    return doc


# The caller's policy check on the order it read (account, location): raises when not allowed.
Guard = Callable[[int, int | None], None]


async def attach_purchase_order(s: AsyncSession, actor: Actor, now: datetime, storage: FileStorage, scope: RowScope,
                                guard: Guard, order_id: int, upload: Upload, written: list[str]) -> OrderFile:
    """Attach a purchase-order file to an order the caller may see and change."""
    E = FileErrorCode
    # Lock first (see lock_row), then check the caller may see the order at all.
    order = await lock_row(s, Order, order_id)
    if order is None or await OrderRepository(s, scope).get(order_id) is None:
        raise reject(E.NOT_FOUND, "No order with that ID", "input", "orderId")
    guard(order.account_id, order.location_id)
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
        raise reject(E.ORDER_CLOSED, f"Order {order.number} is {order.status.value}", "input", "orderId")
    if await repo.count_order_files(s, order_id) >= MAX_ORDER_FILES:
        raise reject(E.TOO_MANY_FILES, f"An order has at most {MAX_ORDER_FILES} purchase-order files",
                     "input", "file")
    data, kind = await read_upload(upload, MAX_DOCUMENT_BYTES, PURCHASE_ORDER_KINDS, "input", "file")
    f = await store(storage, f"order-files/o{order.id}", upload, data, kind, written)
    row = OrderFile(order_id=order.id, account_id=order.account_id, location_id=order.location_id,  # type: ignore[arg-type]
                    uploaded_by_user_id=actor.user_id, filename=f.filename, storage_key=f.key,
                    content_type=kind.content_type, size_bytes=f.size, sha256=f.sha256, created_at=now)
    s.add(row)
    await s.flush()
    audit.record(s, actor, "order.file_attach", now, account_id=order.account_id, target_type="Order",
                 target_id=order.id, file_id=row.id, size=f.size, type=kind.content_type)
    return row
