"""The Starlette application: /graphql (GraphiQL in development) and /healthz."""
import uuid
from pathlib import Path
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

from db.engine import Database
from domain.clock import Clock, SystemClock
from domain.storage import FileStorage
from integrations.storage_local import LocalDiskStorage
from resolvers.auth import caller_from_token
from resolvers.context import Context
from schema.root import build_schema
from server.downloads import return_photo_route
from server.limits import BodySizeLimit
from server.bearer import bearer_token
from server.customer_sessions import create_customer_session
from server.oauth import token_endpoint
from server.ratelimits import make_limiter
from server.settings import Settings


GRAPHIQL_PAGE = Path(__file__).parent / "static" / "graphiql" / "index.html"


class AuthFailed(Exception):
    def __init__(self, error: GraphQLError) -> None:
        self.error = error


class PortalGraphQL(GraphQL):
    def __init__(self, *, db: Database, settings: Settings, clock: Clock, storage: FileStorage,
                 limiter: Any = None) -> None:
        # Multipart requests carry return photos. Auth is a bearer header, never a cookie, so a
        # cross-site form post cannot act for a user.
        super().__init__(build_schema(production=settings.production),
                         graphql_ide=None if settings.production else "graphiql",
                         allow_queries_via_get=False, multipart_uploads_enabled=True)
        self.db = db
        self.settings = settings
        self.clock = clock
        self.storage = storage
        self.limiter = limiter

    @property
    def graphql_ide_html(self) -> str:
        return GRAPHIQL_PAGE.read_text()

    async def get_context(self, request: Any, response: Any) -> Context:
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        now = self.clock.now()
        try:
            caller = await caller_from_token(self.db, bearer_token(request), now, self.settings.sessions)
        except GraphQLError as e:
            raise AuthFailed(e) from None
        ctx = Context(db=self.db, caller=caller, clock=self.clock, settings=self.settings.sessions,
                      request=request, response=response, request_id=request_id,
                      client_ip=request.client.host if request.client else None,
                      user_agent=request.headers.get("user-agent"), storage=self.storage,
                      limiter=self.limiter)
        ctx.__dict__["now"] = now  # the instant the caller was checked at
        response.headers["x-request-id"] = request_id
        return ctx


async def auth_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthFailed)
    body = {"errors": [{"message": exc.error.message, "extensions": exc.error.extensions}], "data": None}
    return JSONResponse(body, status_code=401, headers={"www-authenticate": "Bearer"})


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _lifespan(db: Database) -> Any:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await db.dispose()
    return lifespan


def create_app(settings: Settings | None = None, *, db: Database | None = None,
               clock: Clock | None = None, storage: FileStorage | None = None,
               limiter: Any = None) -> Starlette:
    settings = settings or Settings.from_env()
    db = db or Database(settings.database_url)
    clock = clock or SystemClock()
    limiter = limiter or make_limiter(settings.redis_url)
    graphql = PortalGraphQL(db=db, settings=settings, clock=clock, limiter=limiter,
                            storage=storage or LocalDiskStorage(settings.upload_dir))
    app = Starlette(
        routes=[Route("/graphql", graphql, methods=["GET", "POST"]), Route("/healthz", healthz),
                Route("/oauth/token", token_endpoint, methods=["POST"]),
                Route("/customer-sessions", create_customer_session, methods=["POST"]),
                Route("/downloads/return-photos/{photo_id}", return_photo_route(graphql), methods=["GET"]),
                *([] if settings.production else [Mount("/graphiql-assets", StaticFiles(directory=GRAPHIQL_PAGE.parent))])],
        exception_handlers={AuthFailed: auth_failed},
        middleware=[Middleware(BodySizeLimit)],
        lifespan=_lifespan(db),
    )
    app.state.db = db
    app.state.settings = settings
    app.state.clock = clock
    app.state.limiter = limiter
    return app
