"""Authenticated downloads outside GraphQL: return photos go only to callers who may see the
return. `request_context` is how every such route (server/exports.py, server/documents.py) learns its caller."""
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from permissions.authentication import Unauthenticated, caller_from_token
from schema.requests import Context, attachment_download, photo_download
from server.bearer import bearer_token


def error(status: int, code: str, message: str, **headers: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status,
                        headers=headers)


async def request_context(graphql: Any, request: Request) -> Context | Response:
    """The context of a signed-in caller ('Authorization: Bearer <token>'), or the 401 to answer."""
    now = graphql.clock.now()
    try:
        caller = await caller_from_token(graphql.db, bearer_token(request), now, graphql.settings.sessions)
    except Unauthenticated as e:
        return JSONResponse({"errors": [{"message": e.message, "extensions": e.extensions}]}, status_code=401,
                            headers={"www-authenticate": "Bearer"})
    if not caller.is_authenticated:
        return error(401, "UNAUTHENTICATED", "Sign in first: send 'Authorization: Bearer <token>'",
                     **{"www-authenticate": "Bearer"})
    ctx = Context(db=graphql.db, caller=caller, clock=graphql.clock, settings=graphql.settings.sessions,
                  request=request, storage=graphql.storage, limiter=graphql.limiter,
                  client_ip=request.client.host if request.client else None,
                  user_agent=request.headers.get("user-agent"))
    ctx.__dict__["now"] = now
    return ctx


# A stored file as a download: never sniffed or rendered as a page of the API's origin, never cached.
_FILE_HEADERS = {"x-content-type-options": "nosniff", "cache-control": "private, no-store",
                 "content-security-policy": "default-src 'none'; sandbox"}


def _disposition(filename: str, how: str = "attachment") -> str:
    """An ASCII name for old clients and the UTF-8 one (RFC 6266); the name has no quotes or slashes."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"{how}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_response(data: bytes, content_type: str, filename: str, how: str = "attachment") -> Response:
    return Response(data, media_type=content_type,
                    headers={**_FILE_HEADERS, "content-disposition": _disposition(filename, how)})


def return_photo_route(graphql: Any) -> Any:
    """GET /downloads/return-photos/{id} with 'Authorization: Bearer <token>'."""

    async def endpoint(request: Request) -> Response:
        ctx = await request_context(graphql, request)
        if isinstance(ctx, Response):
            return ctx
        found = await photo_download(ctx, request.path_params["photo_id"])
        if found is None:  # missing and not yours look the same
            return error(404, "NOT_FOUND", "No photo with that ID")
        return file_response(found.data, found.content_type, found.filename, how="inline")
    return endpoint


def support_attachment_route(graphql: Any) -> Any:
    """GET /downloads/support-attachments/{id} with 'Authorization: Bearer <token>': a ticket's
    file, for callers who may see the ticket (files of internal notes: staff only). Always sent as
    an attachment, so a browser never renders it on the API's origin."""

    async def endpoint(request: Request) -> Response:
        ctx = await request_context(graphql, request)
        if isinstance(ctx, Response):
            return ctx
        found = await attachment_download(ctx, request.path_params["attachment_id"])
        if found is None:  # missing and not yours look the same
            return error(404, "NOT_FOUND", "No attachment with that ID")
        return file_response(found.data, found.content_type, found.filename)
    return endpoint
