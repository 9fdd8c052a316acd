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


def return_photo_route(graphql: Any) -> Any:
    """GET /downloads/return-photos/{id} with 'Authorization: Bearer <token>'."""

    async def endpoint(request: Request) -> Response:
        ctx = await request_context(graphql, request)
        if isinstance(ctx, Response):
            return ctx
        found = await photo_download(ctx, request.path_params["photo_id"])
        if found is None:  # missing and not yours look the same
            return error(404, "NOT_FOUND", "No photo with that ID")
        return Response(found.data, media_type=found.content_type, headers={
            "content-disposition": f'inline; filename="{found.filename}"',
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
            "content-security-policy": "default-src 'none'; sandbox",
        })
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
        return Response(found.data, media_type=found.content_type, headers={
            # The name may hold any letter: an ASCII fallback and the UTF-8 name (RFC 6266).
            "content-disposition": (f'attachment; filename="{found.filename.encode("ascii", "replace").decode()}"; '
                                    f"filename*=UTF-8''{quote(found.filename)}"),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
            "content-security-policy": "default-src 'none'; sandbox",
        })
    return endpoint
