"""Production mode, checked the way graphql-cop checks a GraphQL endpoint.

graphql-cop itself cannot be installed here (GitHub is out of reach and the PyPI name holds an
empty placeholder), so each of its checks is performed below against the production app, with
the condition graphql-cop reports as a finding asserted false."""
import io
import json
import logging

import pytest

from server.logs import JsonFormatter
from tests.server.helpers import client_for


@pytest.fixture
async def prod(db, clock):
    async with client_for(db, clock, environment="production") as c:
        yield c


async def gql(client, query, **kw):
    return await client.post("/graphql", json={"query": query}, **kw)


async def test_alias_overloading(prod):
    q = "query cop { " + " ".join(f"alias{i}:__typename" for i in range(101)) + " }"
    body = (await gql(prod, q)).json()
    assert not body.get("data")


async def test_batch_queries(prod):
    r = await prod.post("/graphql", json=[{"query": "query cop { __typename }"}] * 10)
    assert not isinstance(r.json(), list)


async def test_field_suggestions(prod):
    body = (await gql(prod, "query cop { __schema { directive } }")).json()
    assert "Did you mean" not in json.dumps(body)
    body = (await gql(prod, "{ viewr { name } }")).json()
    assert body["errors"] and "Did you mean" not in json.dumps(body)


async def test_directive_overloading(prod):
    body = (await gql(prod, "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")).json()
    assert len(body["errors"]) != 10


async def test_field_duplication(prod):
    body = (await gql(prod, "query cop { " + "__typename \n" * 500 + "} ")).json()
    assert not (body.get("data") or {}).get("__typename")


async def test_circular_introspection(prod):
    q = ("query cop { __schema { types { fields { type { fields { type { fields { type { fields { type "
         "{ name } } } } } } } } } } }")
    body = (await gql(prod, q)).json()
    assert not body.get("data")


async def test_circular_fragment(prod):
    q = "query { __schema { ...A } } fragment A on __Schema { __typename ...B } fragment B on __Schema { ...A }"
    assert "errors" in (await gql(prod, q)).json()


async def test_get_based_query_and_mutation(prod):
    for q in ("query cop { __typename }", "mutation cop { __typename }"):
        r = await prod.get("/graphql", params={"query": q})
        assert "data" not in r.text or not (r.json().get("data") or {})
        assert r.status_code == 405


async def test_post_url_encoded_csrf(prod):
    r = await prod.post("/graphql", content="query=query cop { __typename }",
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and not r.json().get("data")


async def test_trace_mode(prod):
    body = (await gql(prod, "query cop { __typename }")).json()
    assert "tracing" not in body.get("extensions", {})
    assert "errors" not in body


async def test_introspection(prod):
    body = (await gql(prod, "query cop { __schema { types { name fields { name } } } }")).json()
    assert not body.get("data")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_graphiql_is_not_served(prod):
    for path in ("/graphql", "/graphiql", "/playground", "/graphql/console"):
        r = await prod.get(path, headers={"accept": "text/html"})
        assert "graphiql" not in r.text.lower() and "playground" not in r.text.lower()


async def test_unhandled_errors(prod):
    body = (await gql(prod, "qwerty cop { abc }")).json()
    assert "exception" not in json.dumps(body).lower()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_internal_errors_are_masked_with_the_request_id(db, clock, monkeypatch):
    import resolvers.accounts

    async def broken(ctx):
        raise RuntimeError("secret detail: password=hunter2")
    monkeypatch.setattr(resolvers.accounts, "viewer_memberships", broken)
    from tests.conftest import make_token
    token = await make_token(db, "buyer@acme.example", clock.now())
    async with client_for(db, clock, environment="production") as c:
        r = await gql(c, "{ viewer { memberships { id } } }", headers={"authorization": f"Bearer {token}",
                                                                        "x-request-id": "req-123"})
    body = r.json()
    error = body["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-123"}
    assert "hunter2" not in r.text and "secret" not in r.text
    assert r.headers["x-request-id"] == "req-123"


async def test_access_log_is_json_without_secrets(db, clock):
    from tests.conftest import make_token
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("portalql.access")
    logger.addHandler(handler)
    try:
        token = await make_token(db, "buyer@acme.example", clock.now())
        async with client_for(db, clock, environment="production") as c:
            await c.post("/graphql", json={"query": "query Me { viewer { name } }", "operationName": "Me",
                                           "variables": {"password": "portal-demo"}},
                         headers={"authorization": f"Bearer {token}"})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["operation"] == "Me" and line["status"] == 200 and line["cost"] == 1
    assert line["principal"].startswith("customer:") and line["request_id"]
    assert isinstance(line["duration_ms"], float) and line["sql_statements"] >= 1
    assert token not in stream.getvalue() and "portal-demo" not in stream.getvalue()


METRICS_TOKEN = "m" * 40
METRIC_NAMES = ("portalql_requests_total", "portalql_request_duration_seconds", "portalql_graphql_errors_total",
                "portalql_sql_statements_per_request", "portalql_throttled_total")


async def test_health_and_ready(prod):
    assert (await prod.get("/healthz")).json() == {"status": "ok"}
    assert (await prod.get("/readyz")).json() == {"status": "ready"}


async def test_metrics_are_not_served_in_production_without_a_token(prod):
    await gql(prod, "{ __typename }")
    r = await prod.get("/metrics")
    assert r.status_code == 404 and "portalql_" not in r.text


async def test_metrics_in_production_ask_for_the_token(db, clock):
    async with client_for(db, clock, environment="production", metrics_token=METRICS_TOKEN) as c:
        await gql(c, "{ __typename }")
        for headers in ({}, {"Authorization": "Bearer " + "x" * 40}, {"Authorization": METRICS_TOKEN},
                        {"Authorization": f"Bearer {METRICS_TOKEN}x"}):
            r = await c.get("/metrics", headers=headers)
            assert r.status_code == 401 and "portalql_" not in r.text, headers
            assert r.headers["www-authenticate"] == "Bearer"
        r = await c.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert r.status_code == 200
    for name in METRIC_NAMES:
        assert name in r.text
    assert 'route="/graphql"' in r.text


async def test_metrics_are_open_in_development(client):
    r = await client.get("/metrics")
    assert r.status_code == 200 and all(name in r.text for name in METRIC_NAMES)


def test_a_short_metrics_token_is_refused(monkeypatch):
    from server.settings import Settings
    monkeypatch.setenv("PORTALQL_METRICS_TOKEN", "too-short")
    with pytest.raises(SystemExit, match="PORTALQL_METRICS_TOKEN"):
        Settings.from_env()
    monkeypatch.setenv("PORTALQL_METRICS_TOKEN", METRICS_TOKEN)
    assert Settings.from_env().metrics_token == METRICS_TOKEN


async def test_not_ready_without_a_database(clock, tmp_path):
    from db.engine import Database
    db = Database("postgresql://nobody@127.0.0.1:1/nothing")  # nothing listens on port 1
    async with client_for(db, clock) as c:
        r = await c.get("/readyz")
    await db.dispose()
    assert r.status_code == 503 and r.json()["status"] == "unavailable"


async def test_a_query_valid_in_development_is_still_refused_in_production(db, clock, client):
    q = "query cop { __schema { types { name } } }"
    assert (await gql(client, q)).json()["data"]["__schema"]["types"]  # development: introspection on
    async with client_for(db, clock, environment="production") as prod:
        assert not (await gql(prod, q)).json().get("data")


async def test_errors_outside_graphql_are_coded_and_masked(db, clock, monkeypatch):
    from server import app as app_module

    async def down(*args, **kwargs):
        raise ConnectionError("database at 10.0.0.5:5432 refused password for portal")
    monkeypatch.setattr(app_module, "caller_from_token", down)
    async with client_for(db, clock, environment="production") as c:
        r = await gql(c, "{ __typename }")
    assert r.status_code == 500
    assert r.json()["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR",
                                                   "requestId": r.headers["x-request-id"]}
    assert "10.0.0.5" not in r.text and "password" not in r.text
