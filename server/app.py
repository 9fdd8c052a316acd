"""The Starlette application: /graphql (GraphiQL in development), the customer portal at /, /healthz,
/readyz, /metrics."""
import asyncio
import gc
import logging
import uuid
from functools import cached_property
from pathlib import Path
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL
from cross_web import HTTPException  # what Strawberry turns into an HTTP error answer

from db.engine import Database
from domain.clock import Clock, SystemClock
from domain.payments import PaymentGateway
from domain.returns import MAX_PHOTO_BYTES, MAX_PHOTOS
from domain.storage import FileStorage
from integrations.pdf import XhtmlPdfRenderer
from integrations.storage_local import LocalDiskStorage
from integrations.test_gateway import TestGateway
from permissions.authentication import Unauthenticated, caller_from_token
from schema.cost import QueryCost
from schema.requests import Context
from schema.root import build_schema
from server.documents import DocumentRoutes
from server.downloads import return_photo_route, support_attachment_route
from server.files import account_file_route, digital_download_route, license_route
from server.exports import invoice_export_route, statement_export_route
from server.bearer import bearer_token
from server.customer_sessions import create_customer_session
from server.oauth import token_endpoint
from server.unsubscribe import unsubscribe_route
from server.ratelimits import make_limiter
from server import logs
from server.middleware import Gate
from server.persisted import PersistedQueries, PersistedQueryError, load_registered
from server.settings import Settings
from server.throttle import Buckets, make_buckets, meter_for


# Return photos (domain.returns) and room for the rest of a multipart request.
MAX_UPLOAD_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024
GRAPHIQL_PAGE = Path(__file__).parent / "static" / "graphiql" / "index.html"


class AuthFailed(Exception):
    def __init__(self, error: Unauthenticated) -> None:
        self.error = error


class PortalGraphQL(GraphQL):
    def __init__(self, *, db: Database, settings: Settings, clock: Clock, storage: FileStorage,
                 buckets: Buckets, limiter: Any = None, gateway: Any = None,
                 extensions: tuple[Any, ...] = ()) -> None:
        # Multipart requests carry return photos. Auth is a bearer header, never a cookie, so a
        # cross-site form post cannot act for a user.
        cost = QueryCost.configured(settings.limits, settings.production, meter_for(buckets))
        super().__init__(build_schema(production=settings.production, extensions_before=(cost, *extensions)),
                         graphql_ide=None if settings.production else "graphiql",
                         allow_queries_via_get=False, multipart_uploads_enabled=True)
        self.db = db
        self.settings = settings
        self.clock = clock
        self.storage = storage
        self.persisted = PersistedQueries({})  # the app's, set by create_app
        self.limiter = limiter
        self.gateway = gateway

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        async with self.db.reading():
            await super().__call__(scope, receive, send)

    @cached_property
    def graphql_ide_html(self) -> str:  # type: ignore[override]
        return GRAPHIQL_PAGE.read_text()

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data, default=str)  # several times faster than json.dumps on a page

    async def parse_multipart(self, request: Any) -> dict[str, Any]:
        """An upload's operation under the rule a JSON body meets in server.middleware.Gate: with
        PORTALQL_PERSISTED_ONLY only a registered one runs."""
        data = await super().parse_multipart(request)
        try:
            query = self.persisted.resolve(data.get("query"), data.get("extensions"))
        except PersistedQueryError as e:
            raise HTTPException(400, e.message) from None
        if query is not None:
            data["query"] = query
        return data

    async def get_context(self, request: Any, response: Any) -> Context:
        request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
        now = self.clock.now()
        rows: dict[str, Any] = {}
        try:
            caller = await caller_from_token(self.db, bearer_token(request), now, self.settings.sessions, rows)
        except Unauthenticated as e:
            raise AuthFailed(e) from None
        ctx = Context(db=self.db, caller=caller, clock=self.clock, settings=self.settings.sessions,
                      request=request, response=response, request_id=request_id,
                      client_ip=request.client.host if request.client else None,
                      user_agent=request.headers.get("user-agent"), storage=self.storage,
                      limiter=self.limiter, gateway=self.gateway)
        ctx.__dict__["now"] = now  # the instant the caller was checked at
        if "user" in rows:  # `viewer` needs no statement of its own, nor a catalog its account's currency
            ctx.loaders.accounts.user.prime(caller.user_id, rows["user"])
            ctx.loaders.accounts.currency.prime_many(rows["currencies"])
        request.state.principal = principal(caller)
        response.headers["x-request-id"] = request_id
        return ctx


async def auth_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthFailed)
    body = {"errors": [{"message": exc.error.message, "extensions": exc.error.extensions}], "data": None}
    return JSONResponse(body, status_code=401, headers={"www-authenticate": "Bearer"})


def principal(caller: Any) -> str:
    """Who made a request, for logs: ids only, never a token."""
    if getattr(caller, "client_id", None) is not None:
        return f"client:{caller.client_id}"
    if caller.user_id is not None:
        return f"{caller.kind.value.lower()}:{caller.user_id}:session:{caller.session_id}"
    return "anonymous"


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when the database answers (within two seconds)."""
    db: Database = request.app.state.db
    try:
        async with asyncio.timeout(2):
            async with db.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
    except Exception as e:  # noqa: BLE001 - any failure means not ready
        return JSONResponse({"status": "unavailable", "database": type(e).__name__}, status_code=503)
    return JSONResponse({"status": "ready"})


def _lifespan(db: Database, buckets: Buckets) -> Any:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # What exists once the app is built (modules, the schema, SQLAlchemy's metadata: ~200,000
        # objects) lives as long as the process: out of the collector's way, a full collection
        # no longer walks it (measured: 3.0 to 0.9 ms of collection per 50-order page).
        gc.collect()
        gc.freeze()
        # A request's objects are freed by reference counting (nothing of it is in a cycle: see
        # schema.execution._helpers_of), but the rows it holds while it runs count as young
        # objects: at the default 700 a 50-order page set off ~4 collections that found nothing
        # to free (0.2-0.3 ms). At 10,000 a page sets off none.
        thresholds = gc.get_threshold()
        gc.set_threshold(10_000, *thresholds[1:])
        yield
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        await buckets.close()
        await db.dispose()
    return lifespan


def make_gateway(settings: Settings) -> PaymentGateway:
    """The payment gateway the settings name (PORTALQL_PAYMENT_GATEWAY)."""
    if settings.payment_gateway == "stripe":
        from integrations.stripe_gateway import StripeGateway  # noqa: PLC0415 - the library only when used
        assert settings.stripe_secret_key
        return StripeGateway(settings.stripe_secret_key, api_base=settings.stripe_api_base)
    if settings.production:
        logging.getLogger("portalql").warning("the test payment gateway is on: cards are not really saved or "
                                              "charged (set PORTALQL_PAYMENT_GATEWAY=stripe)")
    return TestGateway()


def create_app(settings: Settings | None = None, *, db: Database | None = None,
               clock: Clock | None = None, storage: FileStorage | None = None,
               limiter: Any = None, gateway: PaymentGateway | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    db = db or Database(settings.database_url)
    logs.configure()
    buckets = make_buckets(settings.limits.bucket_size, settings.limits.restore_rate, settings.redis_url)
    extensions: tuple[Any, ...] = ()
    if settings.tracing:
        from server.tracing import tracing_extensions  # noqa: PLC0415 - OpenTelemetry only when asked for
        extensions = tracing_extensions()
    clock = clock or SystemClock()
    limiter = limiter or make_limiter(settings.redis_url)
    gateway = gateway or make_gateway(settings)
    graphql = PortalGraphQL(db=db, settings=settings, clock=clock, buckets=buckets, extensions=extensions,
                            limiter=limiter, gateway=gateway, storage=storage or LocalDiskStorage(settings.upload_dir))
    routes = [Route("/graphql", graphql, methods=["GET", "POST"]), Route("/healthz", healthz),
              Route("/readyz", readyz),
              Route("/oauth/token", token_endpoint, methods=["POST"]),
              Route("/customer-sessions", create_customer_session, methods=["POST"]),
              Route("/unsubscribe/{token}", unsubscribe_route, methods=["GET", "POST"]),
              Route("/downloads/return-photos/{photo_id}", return_photo_route(graphql), methods=["GET"]),
              Route("/downloads/support-attachments/{attachment_id}", support_attachment_route(graphql),
                    methods=["GET"]),
              Route("/exports/invoices.csv", invoice_export_route(graphql, lines=False), methods=["GET"]),
              Route("/exports/invoice-lines.csv", invoice_export_route(graphql, lines=True), methods=["GET"]),
              Route("/exports/statement.csv", statement_export_route(graphql), methods=["GET"])]
    routes += [Route("/downloads/documents/{file_id}", account_file_route(graphql, "document"), methods=["GET"]),
               Route("/downloads/order-files/{file_id}", account_file_route(graphql, "order-file"), methods=["GET"]),
               Route("/downloads/digital/{purchase_id}/{file_id}", digital_download_route(graphql), methods=["GET"])]
    routes += [Route(f"/licenses/{action}", license_route(graphql, action), methods=["POST"])
               for action in ("activate", "validate", "deactivate")]
    documents = DocumentRoutes(graphql, XhtmlPdfRenderer(), graphql.storage)
    routes += [Route("/documents/invoices/{invoice_id}.pdf", documents.invoice, methods=["GET"]),
               Route("/documents/invoices.zip", documents.invoices_zip, methods=["GET"]),
               Route("/documents/credit-notes/{credit_note_id}.pdf", documents.credit_note, methods=["GET"]),
               Route("/documents/statements.pdf", documents.statement, methods=["GET"]),
               Route("/documents/receipts/{payment_id}.pdf", documents.receipt, methods=["GET"])]
    if not settings.production:
        routes.append(Mount("/graphiql-assets", StaticFiles(directory=GRAPHIQL_PAGE.parent)))
    metrics = settings.metrics_served
    if metrics:
        from server.metrics import metrics_endpoint  # noqa: PLC0415
        routes.append(Route("/metrics", metrics_endpoint(settings.metrics_token)))
    elif settings.metrics:
        logging.getLogger("portalql").warning("/metrics is off: in production it needs PORTALQL_METRICS_TOKEN")
    registered = load_registered(settings.persisted_queries)
    if settings.portal:
        from server.portal import portal_routes, registered_operations  # noqa: PLC0415
        routes += portal_routes(settings)
        registered.update(registered_operations())
    persisted = graphql.persisted = PersistedQueries(registered, only_registered=settings.persisted_only)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, max_body_bytes=settings.limits.max_body_bytes,
                               max_upload_bytes=MAX_UPLOAD_BYTES,
                               timeout_seconds=settings.limits.timeout_seconds, persisted=persisted,
                               metrics=metrics)],
        exception_handlers={AuthFailed: auth_failed},
        lifespan=_lifespan(db, buckets),
    )
    app.state.db = db
    app.state.settings = settings
    app.state.buckets = buckets
    app.state.clock = clock
    app.state.limiter = limiter
    app.state.gateway = gateway
    return app
