"""The HTTP gate in front of everything (plain ASGI): a request id, the end-to-end timeout, the
access log line, metrics, and for /graphql the transport rules — POST with a JSON body (no GET,
no form posts: CSRF; multipart file uploads only with an Authorization header, which no
cross-site form can send), a body size limit, no batching, persisted queries.

Refusals are GraphQL-shaped JSON with an extensions.code, answered before any GraphQL work."""
import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from typing import Any

import orjson

from db.engine import _counter as _sql_counter
from db.engine import count_statements
from server.persisted import PersistedQueries, PersistedQueryError

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

log = logging.getLogger("portalql.access")
errors_log = logging.getLogger("portalql.errors")
# A streamed export (server/exports.py) may take this long once its first bytes are sent.
STREAM_TIMEOUT_SECONDS = 900.0
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_JSON_TYPES = {"application/json", "application/graphql-response+json"}


class Refused(Exception):
    def __init__(self, status: int, message: str, code: str = "BAD_USER_INPUT",
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}


def _header(scope: Scope, name: bytes) -> str:
    for k, v in scope.get("headers", ()):
        if k == name:
            return v.decode("latin-1")
    return ""


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    raw = orjson.dumps(body)
    hs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    hs += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": hs})
    await send({"type": "http.response.body", "body": raw})


class Gate:
    def __init__(self, app: Any, *, max_body_bytes: int, timeout_seconds: float,
                 persisted: PersistedQueries, metrics: bool, graphql_path: str = "/graphql",
                 max_upload_bytes: int = 49 * 1024 * 1024, stream_prefix: str = "/exports/",
                 stream_timeout_seconds: float = STREAM_TIMEOUT_SECONDS) -> None:
        self.app = app
        # Streamed exports: the request's timeout holds until the response starts, then this one.
        self.stream_prefix = stream_prefix
        self.stream_timeout_seconds = stream_timeout_seconds
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.timeout_seconds = timeout_seconds
        self.persisted = persisted
        self.metrics = metrics
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False
        deadline: asyncio.Timeout | None = None

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                if deadline is not None and scope["path"].startswith(self.stream_prefix):
                    deadline.reschedule(asyncio.get_running_loop().time() + self.stream_timeout_seconds)
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        def refuse(e: Refused) -> Awaitable[None]:
            state["error_codes"] = [e.code]
            body = {"errors": [{"message": e.message, "extensions": {"code": e.code, "requestId": request_id}}],
                    "data": None}
            return _send_json(send_wrapper, e.status, body, e.headers)

        outer = _sql_counter.get()  # a test or benchmark counting around us keeps its count
        with nullcontext(outer) if outer is not None else count_statements() as counter:
            before = counter.count
            try:
                async with asyncio.timeout(self.timeout_seconds) as deadline:
                    if scope["path"] == self.graphql_path:
                        receive = await self._gate(scope, receive, state)
                    await self.app(scope, receive, send_wrapper)
            except Refused as e:
                await refuse(e)
            except TimeoutError:
                if response_started:
                    raise
                await refuse(Refused(503, f"The request took longer than {self.timeout_seconds:g} seconds",
                                     "TIMEOUT", {"retry-after": "1"}))
            except Exception:
                # Outside GraphQL's own error handling (the database down while reading the caller):
                # a coded, masked answer, the details in the log only.
                errors_log.exception("unhandled error (request %s)", request_id, extra={"request_id": request_id})
                if response_started:
                    raise
                await refuse(Refused(500, f"Internal server error. Request id: {request_id}",
                                     "INTERNAL_SERVER_ERROR"))
            finally:
                self._record(scope, state, status, time.perf_counter() - started, counter.count - before)

    async def _gate(self, scope: Scope, receive: Receive, state: dict[str, Any]) -> Receive:
        method = scope["method"]
        if method == "GET":
            if b"query=" in scope.get("query_string", b"") or b"extensions=" in scope.get("query_string", b""):
                raise Refused(405, "Send queries and mutations by POST with a JSON body",
                              headers={"allow": "POST"})
            return receive  # GraphiQL in development; 404 in production
        if method != "POST":
            return receive
        media_type = _header(scope, b"content-type").split(";", 1)[0].strip().lower()
        if media_type == "multipart/form-data" and _header(scope, b"authorization"):
            # GraphQL multipart uploads (files). A browser's cross-site form cannot set an
            # Authorization header, so one that carries it is no CSRF; anonymous ones are refused.
            return self._counted(scope, receive)
        if media_type not in _JSON_TYPES:
            raise Refused(415, "Send a JSON body (Content-Type: application/json)")
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise Refused(413, f"The request body is larger than {self.max_body_bytes} bytes")
        chunks = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refused(400, "The client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise Refused(413, f"The request body is larger than {self.max_body_bytes} bytes")
            chunks.append(chunk)
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise Refused(400, "The body is not valid JSON") from None
        if isinstance(data, list):
            raise Refused(400, "Batched operations are not supported: send one operation per request")
        if not isinstance(data, dict):
            raise Refused(400, "The body must be a JSON object with a query")
        state["operation_name"] = data.get("operationName") if isinstance(data.get("operationName"), str) else None
        try:
            query = self.persisted.resolve(data.get("query"), data.get("extensions"))
        except PersistedQueryError as e:
            raise Refused(200 if e.code == "PERSISTED_QUERY_NOT_FOUND" else 400, e.message, e.code) from None
        if not isinstance(query, str) or not query.strip():
            raise Refused(400, "The body needs a query (a string) or a persisted query hash")
        for name, kind in (("variables", dict), ("extensions", dict), ("operationName", str)):
            if data.get(name) is not None and not isinstance(data[name], kind):
                raise Refused(400, f"{name} must be {'an object' if kind is dict else 'a string'}")
        if query is not data.get("query"):
            data["query"] = query
            raw = orjson.dumps(data)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()
        return replay

    def _counted(self, scope: Scope, receive: Receive) -> Receive:
        """Stream an upload through, refusing it once it passes max_upload_bytes."""
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_upload_bytes:
            raise Refused(413, f"The upload is larger than {self.max_upload_bytes} bytes")
        seen = 0

        async def counted() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_upload_bytes:
                raise Refused(413, f"The upload is larger than {self.max_upload_bytes} bytes")
            return message
        return counted

    def _record(self, scope: Scope, state: dict[str, Any], status: int, seconds: float, statements: int) -> None:
        path = scope["path"]
        route = path if path in (self.graphql_path, "/healthz", "/readyz", "/metrics") else "other"
        cost = state.get("cost") or {}
        codes = state.get("error_codes") or []
        if self.metrics:
            from server import metrics  # noqa: PLC0415 - prometheus_client only when metrics are on
            metrics.observe(route, status, seconds, statements, codes, cost.get("requestedQueryCost"))
        if route in ("/healthz", "/readyz", "/metrics"):
            return
        log.info("request", extra={
            "request_id": state.get("request_id"), "method": scope["method"], "path": path, "status": status,
            "principal": state.get("principal", "anonymous"), "operation": state.get("operation_name"),
            "cost": cost.get("requestedQueryCost"), "actual_cost": cost.get("actualQueryCost"),
            "errors": codes or None, "sql_statements": statements, "duration_ms": round(seconds * 1000, 2)})
