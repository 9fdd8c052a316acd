"""Prometheus metrics (prometheus_client). With several workers, `portalql serve --workers N`
sets PROMETHEUS_MULTIPROC_DIR so that /metrics adds up every worker's figures."""
import os

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


async def metrics_endpoint(request: Request) -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
