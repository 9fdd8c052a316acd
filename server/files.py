"""Routes of account files, digital downloads and license keys (docs/documents-and-downloads.md):

    GET  /downloads/documents/{id}        a shared document    } 'Authorization: Bearer <token>'; 404 for
    GET  /downloads/order-files/{id}      a purchase-order file } one the caller may not see, as for none
    GET  /downloads/digital/{purchase}/{file}?user=&expires=&signature=    a signed link, no token
    POST /licenses/activate | /licenses/validate | /licenses/deactivate
         {"key": "...", "instance": "..."}    public: the key is the credential; rate limited per IP and key
"""
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.ratelimit import Throttled
from permissions.caller import ANONYMOUS
from schema.requests import Context, digital_download, document_download, license_call, order_file_download
from server.downloads import error, file_response, request_context

_STATUS = {"LINK_INVALID": 404, "NOT_FOUND": 404, "LINK_EXPIRED": 410, "DOWNLOAD_LIMIT_REACHED": 403}
MAX_LICENSE_BODY = 4096


def _throttled(t: Throttled, what: str) -> Response:
    return error(429, "THROTTLED", f"Too many {what}: try again later", **{"retry-after": str(t.retry_after)})


def account_file_route(graphql: Any, kind: str) -> Any:
    """GET of a shared document ('document') or purchase-order file ('order-file') with a bearer token."""
    find, what = {"document": (document_download, "document"), "order-file": (order_file_download, "file")}[kind]

    async def endpoint(request: Request) -> Response:
        ctx = await request_context(graphql, request)
        if isinstance(ctx, Response):
            return ctx
        try:
            await ctx.limiter.hit("documents", ctx.now, subject=f"user:{ctx.caller.user_id}", ip=ctx.client_ip)
        except Throttled as t:
            return _throttled(t, "downloads")
        found = await find(ctx, request.path_params["file_id"])
        if found is None:  # missing and not yours look the same
            return error(404, "NOT_FOUND", f"No {what} with that ID")
        return file_response(found.data, found.content_type, found.filename)
    return endpoint


def _anonymous(graphql: Any, request: Request) -> Context:
    """The context of a route that acts for no signed-in caller (the link or key is the credential)."""
    ctx = Context(db=graphql.db, caller=ANONYMOUS, clock=graphql.clock, settings=graphql.settings.sessions,
                  request=request, storage=graphql.storage, limiter=graphql.limiter,
                  client_ip=request.client.host if request.client else None,
                  user_agent=request.headers.get("user-agent"))
    ctx.__dict__["now"] = graphql.clock.now()
    return ctx


def digital_download_route(graphql: Any) -> Any:
    """GET /downloads/digital/{purchase}/{file}?user=&expires=&signature= (the link is the credential)."""

    async def endpoint(request: Request) -> Response:
        ctx = _anonymous(graphql, request)
        q = request.query_params
        try:
            found = await digital_download(ctx, request.path_params["purchase_id"], request.path_params["file_id"],
                                           q.get("user", ""), q.get("expires", ""), q.get("signature", ""))
        except Throttled as t:
            return _throttled(t, "downloads")
        if not hasattr(found, "data"):
            problem = found.problems[0]  # type: ignore[union-attr]
            return error(_STATUS.get(problem.code.value, 400), problem.code.value, problem.message)
        return file_response(found.data, found.content_type, found.filename)
    return endpoint


def license_route(graphql: Any, action: str) -> Any:
    """POST /licenses/{action} with JSON {"key", "instance"}: always the same shape back, and for a
    key that is unknown, revoked, disabled or expired exactly the same answer."""

    async def endpoint(request: Request) -> Response:
        ctx = _anonymous(graphql, request)
        body = await request.body()
        try:
            asked = json.loads(body) if len(body) <= MAX_LICENSE_BODY else None
        except ValueError:
            asked = None
        if not isinstance(asked, dict):
            return JSONResponse({"valid": False, "code": "INVALID_REQUEST"}, status_code=400)
        try:
            verdict = await license_call(ctx, action, asked.get("key"), asked.get("instance"))
        except Throttled as t:
            return JSONResponse({"valid": False, "code": "THROTTLED"}, status_code=429,
                                headers={"retry-after": str(t.retry_after)})
        answer: dict[str, Any] = {"valid": verdict.valid, "code": verdict.code.value}
        if verdict.license is not None:  # only about the key that was sent, to one who holds it
            answer.update(expiresAt=verdict.expires_at.isoformat() if verdict.expires_at else None,
                          activations=verdict.activations, maxActivations=verdict.license.max_activations)
        return JSONResponse(answer, status_code=400 if verdict.code.value == "INVALID_REQUEST" else 200)
    return endpoint
