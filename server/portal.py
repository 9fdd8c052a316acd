"""The reference customer portal at / (docs/web-portal.md): plain ES modules under static/portal,
no build step. It speaks only the public GraphQL API, by persisted queries: every operation file
under static/portal/operations is registered when the app starts, and the portal sends the
operation's hash, never its text. /portal/config.json tells it each operation's hash and, in demo
mode only, the demo users."""
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.settings import Settings

PORTAL_DIR = Path(__file__).parent / "static" / "portal"
OPERATIONS_DIR = PORTAL_DIR / "operations"
# Scripts, styles and calls only from this origin; QR codes and photo previews as data:/blob: URLs.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Where emailed links land (domain/identity: PORTALQL_FRONTEND_URL/<path>?token=...): the portal's
# pages of the same name.
LINK_PATHS = ("sign-in", "sign-in/link", "accept-invitation", "reset-password", "verify-email", "confirm-email-change",
              "undo-email-change")


@cache
def operation_files() -> dict[str, str]:
    """{file name: document text} of the portal's operation files."""
    return {p.name: p.read_text() for p in sorted(OPERATIONS_DIR.glob("*.graphql"))}


def operation_names(text: str) -> list[str]:
    return [d.name.value for d in parse(text).definitions
            if isinstance(d, OperationDefinitionNode) and d.name is not None]


@cache
def manifest() -> dict[str, str]:
    """{operation name: sha256 of the document that holds it}: what the portal sends."""
    found: dict[str, str] = {}
    for name, text in operation_files().items():
        digest = hashlib.sha256(text.encode()).hexdigest()
        for op in operation_names(text):
            if op in found:
                raise SystemExit(f"portal operation {op} is defined twice ({name})")
            found[op] = digest
    return found


def operation_file_names() -> dict[str, str]:
    """{operation name: its file}: a file upload (a multipart request) carries its registered text."""
    return {op: name for name, text in operation_files().items() for op in operation_names(text)}


def registered_operations() -> dict[str, str]:
    """{sha256: document}, for the persisted queries the app accepts."""
    return {hashlib.sha256(text.encode()).hexdigest(): text for text in operation_files().values()}


def _config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {"operations": manifest(), "files": operation_file_names(), "demo": settings.demo,
                              "demoUsers": []}
    if settings.demo:
        from server.demo_data import DEMO_PASSWORD, DEMO_USERS  # noqa: PLC0415 - demo mode only
        config["demoPassword"] = DEMO_PASSWORD
        config["demoUsers"] = [{"email": e, "description": d} for e, d in DEMO_USERS]
    return config


def portal_routes(settings: Settings) -> list[BaseRoute]:
    config = _config(settings)

    async def index(request: Request) -> Response:
        return FileResponse(PORTAL_DIR / "index.html", headers={"content-security-policy": CSP,
                                                                "cache-control": "no-cache"})

    async def config_json(request: Request) -> Response:
        return JSONResponse(config, headers={"cache-control": "no-cache"})

    def landing(path: str) -> Route:
        async def redirect(request: Request) -> Response:
            query = request.url.query
            return RedirectResponse(f"/#/{path}" + (f"?{query}" if query else ""), status_code=303)
        return Route(f"/{path}", redirect, methods=["GET"])

    return [Route("/", index, methods=["GET"]),
            Route("/portal/config.json", config_json, methods=["GET"]),
            *(landing(p) for p in LINK_PATHS),
            Mount("/portal", StaticFiles(directory=PORTAL_DIR))]
