"""Invoices as PDF documents, for the callers who may see the invoice (ADMIN and ACCOUNTS_PAYABLE
of its account, integration clients with invoices:read, merchant staff):

    GET /documents/invoices/{invoice global ID}.pdf?locale=de
    GET /documents/invoices.zip?ids=<id>,<id>,...&locale=de      (at most MAX_ZIP invoices)
    GET /documents/receipts/{payment global ID}.pdf?locale=de    (a successful payment's receipt)

with 'Authorization: Bearer <token>'. An invoice the caller may not see is 404, exactly like one
that does not exist. The locale is the `locale` parameter, else the user's, else the account's;
`Content-Language` says which one the document is written in, and `X-Locale-Fallback: en` that
what was asked for is not one of the 16 we write, so English was used."""
import zipfile
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from domain import documents
from domain.documents import DocumentRenderer
from domain.ratelimit import Throttled
from domain.storage import FileStorage
from schema.requests import Context, Printable, invoice_documents, receipt_printable
from server.downloads import request_context, error

# Rendering one invoice not yet kept takes 0.1-0.3 s, one at a time per process: 25 fit well in a
# request's 10 s (PORTALQL_TIMEOUT_SECONDS) even while other downloads render.
MAX_ZIP = 25
_HEADERS = {"x-content-type-options": "nosniff", "cache-control": "private, no-store"}


def _locale_headers(printables: list[Printable]) -> dict[str, str]:
    headers = {"content-language": printables[0].locale.locale}
    if any(p.locale.fell_back for p in printables):
        headers["x-locale-fallback"] = "en"
    return headers


class DocumentRoutes:
    def __init__(self, graphql: Any, renderer: DocumentRenderer, storage: FileStorage) -> None:
        self.graphql = graphql
        self.renderer = renderer
        self.storage = storage

    async def _caller(self, request: Request) -> Context | Response:
        ctx = await request_context(self.graphql, request)
        if isinstance(ctx, Response):
            return ctx
        subject = f"{ctx.caller.kind.value}:{ctx.caller.user_id or ctx.caller.session_id or ''}"
        try:
            await ctx.limiter.hit("documents", ctx.now, subject=subject, ip=ctx.client_ip)
        except Throttled as t:
            return error(429, "THROTTLED", "Too many document downloads: try again later",
                         **{"retry-after": str(t.retry_after)})
        return ctx

    async def invoice(self, request: Request) -> Response:
        ctx = await self._caller(request)
        if isinstance(ctx, Response):
            return ctx
        found = await invoice_documents(ctx, [request.path_params["invoice_id"]], request.query_params.get("locale"),
                                        self.graphql.settings.seller)
        if not found:  # missing and not yours look the same
            return error(404, "NOT_FOUND", "No invoice with that ID")
        printable = found[0]
        data = await documents.pdf(printable.document, printable.locale.locale, self.renderer, self.storage)
        return Response(data, media_type=documents.PDF, headers={
            **_HEADERS, **_locale_headers(found),
            "content-disposition": f'inline; filename="{printable.document.filename}"'})

    async def receipt(self, request: Request) -> Response:
        """A successful payment's receipt: for who may see its invoices (404 otherwise)."""
        ctx = await self._caller(request)
        if isinstance(ctx, Response):
            return ctx
        printable = await receipt_printable(ctx, request.path_params["payment_id"], request.query_params.get("locale"),
                                            self.graphql.settings.seller)
        if printable is None:
            return error(404, "NOT_FOUND", "No receipt with that ID")
        data = await documents.pdf(printable.document, printable.locale.locale, self.renderer, self.storage)
        return Response(data, media_type=documents.PDF, headers={
            **_HEADERS, **_locale_headers([printable]),
            "content-disposition": f'inline; filename="{printable.document.filename}"'})

    async def invoices_zip(self, request: Request) -> Response:
        ctx = await self._caller(request)
        if isinstance(ctx, Response):
            return ctx
        ids = list(dict.fromkeys(i.strip() for raw in request.query_params.getlist("ids")
                                 for i in raw.split(",") if i.strip()))
        if not ids or len(ids) > MAX_ZIP:
            return error(400, "BAD_USER_INPUT", f"Give 1 to {MAX_ZIP} invoice IDs: ids=<id>,<id>,...")
        found = await invoice_documents(ctx, ids, request.query_params.get("locale"), self.graphql.settings.seller)
        if len(found) != len(ids):  # one missing or not yours: the whole request is, naming none
            return error(404, "NOT_FOUND", "No invoice with one of those IDs")
        return StreamingResponse(self._zip(found), media_type="application/zip", headers={
            **_HEADERS, **_locale_headers(found), "content-disposition": 'attachment; filename="invoices.zip"'})

    async def _zip(self, printables: list[Printable]) -> AsyncIterator[bytes]:
        """The archive as it is written, one PDF at a time: memory holds one document, not all."""
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:  # PDFs are compressed
            for p in printables:
                data = await documents.pdf(p.document, p.locale.locale, self.renderer, self.storage)
                archive.writestr(p.document.filename, data)
                yield sink.take()
        yield sink.take()


class _Sink:
    """A write-only stream zipfile writes to (it then writes data descriptors: no seeking back)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.written = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.chunks = b"".join(self.chunks), []
        return out
