"""Prometheus metrics (prometheus_client). With several workers, `portalql serve --workers N`
sets PROMETHEUS_MULTIPROC_DIR so that /metrics adds up every worker's figures."""
import hmac
import os
from collections.abc import Awaitable, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

REQUESTS = Counter("portalql_requests_total", "HTTP requests", ["route", "status"])
DURATION = Histogram("portalql_request_duration_seconds", "HTTP request duration", ["route"],
                     buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
ERRORS = Counter("portalql_graphql_errors_total", "GraphQL errors by extensions.code", ["code"])
STATEMENTS = Histogram("portalql_sql_statements_per_request", "SQL statements run by one request",
                       buckets=(0, 1, 2, 4, 8, 16, 32, 64, 128))
THROTTLED = Counter("portalql_throttled_total", "Requests refused by the cost bucket")
COST = Histogram("portalql_query_cost", "Requested query cost", buckets=(1, 10, 50, 100, 250, 500, 1000))


def observe(route: str, status: int, seconds: float, statements: int, error_codes: list[str],
            requested_cost: int | None) -> None:
    REQUESTS.labels(route, str(status)).inc()
    DURATION.labels(route).observe(seconds)
    if route == "/graphql":
        STATEMENTS.observe(statements)
        if requested_cost is not None:
            COST.observe(requested_cost)
    for code in error_codes:
        ERRORS.labels(code).inc()
        if code == "THROTTLED":
            THROTTLED.inc()


def metrics_endpoint(token: str | None) -> Callable[[Request], Awaitable[Response]]:
    """/metrics, asking for `Authorization: Bearer <token>` when there is a token: the figures
    name routes, error codes and load, which are nobody's business outside the operator's."""
    expected = f"Bearer {token}".encode() if token else None

    async def endpoint(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return Response("metrics need the bearer token in PORTALQL_METRICS_TOKEN\n", status_code=401,
                                media_type="text/plain", headers={"WWW-Authenticate": "Bearer"})
        return _figures()
    return endpoint


def _figures() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
