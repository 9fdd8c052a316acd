"""Documents the merchant shares with accounts, and purchase-order files of orders."""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from db.enums import Role
from db.models import OrderFile, SharedDocument
from db.repositories.account_files import OrderFileRepository, SharedDocumentRepository
from domain import account_files
from domain.account_files import DocumentShared, FileErrorCode as E
from domain.errors import Rejected
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError, unauthenticated
from resolvers.globalid import decode_as, decode_or_reject
from resolvers.mutation import mutation, require


@dataclass
class FilePayload:
    document: SharedDocument | None = None
    order_file: OrderFile | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def keeping_files(ctx: Context, work: Callable[[list[str]], Awaitable[Any]]) -> Any:
    """Run a mutation that stores files; the files of one that was not written are removed again."""
    written: list[str] = []
    try:
        result = await work(written)
    except BaseException:
        await account_files.forget(ctx.storage, written)
        raise
    if result.user_errors:
        await account_files.forget(ctx.storage, written)
    return result


@mutation("documentShare", FilePayload, audit="document.share")
async def _share(ctx: Context, s: Any, asked: DocumentShared, written: list[str]) -> dict[str, Any]:
    return {"document": await account_files.share(s, ctx.actor, ctx.now, ctx.storage, asked, written)}


async def document_share(ctx: Context, account_id: str, title: str, roles: list[Role] | None, file: Any) -> FilePayload:
    aid = decode_as(account_id, "Account")
    return await keeping_files(ctx, lambda written: _share(ctx, DocumentShared(aid, title, roles, file), written))


@mutation("documentUnshare", FilePayload, audit="document.unshare")
async def _unshare(ctx: Context, s: Any, document_id: str) -> dict[str, Any]:
    pk = decode_or_reject(document_id, "SharedDocument", E.NOT_FOUND, "input", "id")
    return {"document": await account_files.unshare(s, ctx.actor, ctx.now, pk)}


async def document_unshare(ctx: Context, document_id: str) -> FilePayload:
    """The file goes once the row is gone: a failed unshare keeps both."""
    result = await _unshare(ctx, document_id)
    if not result.user_errors and result.document is not None:
        await ctx.storage.delete(result.document.storage_key)
    return result


@mutation("purchaseOrderFileAdd", FilePayload, audit="order.file_attach")
async def _attach(ctx: Context, s: Any, order_id: str, file: Any, written: list[str]) -> dict[str, Any]:
    oid = decode_or_reject(order_id, "Order", E.NOT_FOUND, "input", "orderId")
    row = await account_files.attach_purchase_order(
        s, ctx.actor, ctx.now, ctx.storage, ctx.scope("rows:Order"),
        lambda account_id, location_id: require(ctx, "Mutation.purchaseOrderFileAdd", account_id, location_id),
        oid, file, written)
    return {"order_file": row}


async def purchase_order_file_add(ctx: Context, order_id: str, file: Any) -> FilePayload:
    return await keeping_files(ctx, lambda written: _attach(ctx, order_id, file, written))


def document_roles(ctx: Context) -> dict[int, frozenset[Role]] | None:
    """The roles the caller holds in each of its accounts (anywhere in it); None for staff."""
    if ctx.caller.is_staff:
        return None
    return {account_id: frozenset(held) for account_id, held in ctx.caller.grants.items()}


def _documents(ctx: Context, s: Any) -> SharedDocumentRepository:
    return SharedDocumentRepository(s, ctx.scope("rows:SharedDocument"), document_roles(ctx))


async def shared_documents(ctx: Context, account_id: str | None, window: Window) -> Connection:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    account_ids = (decode_as(account_id, "Account"),) if account_id else ()
    return await paginate(ctx, lambda s: _documents(ctx, s), account_ids, window)


async def order_files(ctx: Context, order_id: int) -> list[OrderFile]:
    """Purchase-order files of an order the caller sees (an Order's field)."""
    async with ctx.db.session() as s:
        return await OrderFileRepository(s, ctx.scope("rows:Order")).of_order(order_id)


@dataclass
class StoredDownload:
    data: bytes
    content_type: str
    filename: str


async def _serve(ctx: Context, global_id: str, type_name: str,
                 find: Callable[[Any, int], Awaitable[Any]]) -> StoredDownload | None:
    try:
        pk = decode_or_reject(global_id, type_name, E.NOT_FOUND)
    except Rejected:
        return None
    async with ctx.db.session() as s:
        row = await find(s, pk)
    if row is None:
        return None
    data = await ctx.storage.get(row.storage_key)
    return None if data is None else StoredDownload(data, row.content_type, row.filename)


async def document_download(ctx: Context, document_id: str) -> StoredDownload | None:
    """A shared document's bytes, when the caller may see it; None otherwise (missing or not yours)."""
    return await _serve(ctx, document_id, "SharedDocument", lambda s, pk: _documents(ctx, s).get(pk))


async def order_file_download(ctx: Context, file_id: str) -> StoredDownload | None:
    """A purchase-order file's bytes, when the caller may see its order; None otherwise."""
    return await _serve(ctx, file_id, "OrderFile",
                        lambda s, pk: OrderFileRepository(s, ctx.scope("rows:Order")).get(pk))
