"""Abuse limits and transport rules: each answers a coded error at once, and the server goes on
serving others."""
import asyncio
import hashlib

import pytest

from schema.limits import Limits
from server import app as app_module
from tests.server.helpers import client_for, code_of
from tests.support import codes


async def post(client, query, **extra):
    return await client.post("/graphql", json={"query": query, **extra})


async def still_serving(client):
    r = await post(client, "{ __typename }")
    assert r.status_code == 200 and r.json()["data"] == {"__typename": "Query"}


async def test_a_thousand_aliases(client):
    q = "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"
    r = await post(client, q)
    assert code_of(r) == "BAD_USER_INPUT"
    assert r.json()["errors"][0]["extensions"]["limit"] == "aliases"
    await still_serving(client)


async def test_depth_fifty(client):
    q = "{ viewer " + "{ memberships { account " * 25 + "{ name }" + " } }" * 25 + " }"
    r = await post(client, q)
    assert r.json()["errors"][0]["extensions"]["limit"] == "depth"
    await still_serving(client)


async def test_depth_through_fragments(client):
    q = "{ viewer { ...A } } fragment A on Viewer { memberships " + "{ account { locations " * 10 + "{ name }" + " } }" * 10 + " }"
    r = await post(client, q)
    assert r.json()["errors"][0]["extensions"]["limit"] == "depth"


async def test_field_duplication(client):
    r = await post(client, "query { " + "__typename\n" * 500 + "}")
    assert r.json()["errors"][0]["extensions"]["limit"] == "fields"
    assert r.json()["data"] is None


async def test_too_many_tokens(client):
    q = "{ viewer { name } }" + " " + "# comment\n" + "query B { __typename }" * 2000
    r = await post(client, q)
    assert code_of(r) == "BAD_USER_INPUT"
    assert "tokens" in r.json()["errors"][0]["message"]


async def test_directive_overloading(client):
    r = await post(client, "query { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
    body = r.json()
    assert len(body["errors"]) == 1 and body["errors"][0]["extensions"]["limit"] == "directives"


async def test_first_is_capped_like_the_repositories(gql):
    body = await gql("{ viewer { orders(first: 101) { nodes { number } } } }", as_="buyer@acme.example")
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["_statements"] <= 4  # refused before any resolver


async def test_ten_megabyte_body(client):
    r = await client.post("/graphql", content=b'{"query": "' + b" " * 10_000_000 + b'{ __typename }"}',
                          headers={"content-type": "application/json"})
    assert r.status_code == 413 and code_of(r) == "BAD_USER_INPUT"
    await still_serving(client)


async def test_malformed_json(client):
    r = await client.post("/graphql", content=b'{"query": "{ __typename }"', headers={"content-type": "application/json"})
    assert r.status_code == 400 and code_of(r) == "BAD_USER_INPUT"
    assert r.json()["errors"][0]["extensions"]["requestId"] == r.headers["x-request-id"]
    await still_serving(client)


async def test_get_mutation_and_get_query_are_refused(client):
    for q in ("mutation { signOut { userErrors { code } } }", "{ __typename }"):
        r = await client.get("/graphql", params={"query": q})
        assert r.status_code == 405 and code_of(r) == "BAD_USER_INPUT"
        assert r.headers["allow"] == "POST"


async def test_form_posts_are_refused(client):
    r = await client.post("/graphql", data={"query": "mutation { signOut { userErrors { code } } }"})
    assert r.status_code == 415 and code_of(r) == "BAD_USER_INPUT"
    r = await client.post("/graphql", content=b'{"query": "{ __typename }"}', headers={"content-type": "text/plain"})
    assert r.status_code == 415


async def test_batching_is_off(client):
    r = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 10)
    assert r.status_code == 400 and code_of(r) == "BAD_USER_INPUT"
    assert isinstance(r.json(), dict)


async def test_unknown_persisted_query(client):
    r = await client.post("/graphql", json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}})
    assert code_of(r) == "PERSISTED_QUERY_NOT_FOUND"
    await still_serving(client)


async def test_persisted_query_round_trip(client):
    q = "{ __typename }"
    h = hashlib.sha256(q.encode()).hexdigest()
    ext = {"persistedQuery": {"version": 1, "sha256Hash": h}}
    r = await client.post("/graphql", json={"query": q, "extensions": ext})
    assert r.json()["data"] == {"__typename": "Query"}
    r = await client.post("/graphql", json={"extensions": ext})
    assert r.json()["data"] == {"__typename": "Query"}
    r = await client.post("/graphql", json={"query": "{ viewer { name } }", "extensions": ext})
    assert code_of(r) == "BAD_USER_INPUT"  # the hash is not the query's


async def test_only_registered_operations(db, clock, tmp_path):
    from server.persisted import register
    path = tmp_path / "persisted.json"
    [h] = register(str(path), ["query Typename { __typename }"])
    async with client_for(db, clock, persisted_queries=str(path), persisted_only=True) as c:
        r = await c.post("/graphql", json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": h}}})
        assert r.json()["data"] == {"__typename": "Query"}
        r = await c.post("/graphql", json={"query": "query Typename { __typename }"})
        assert r.json()["data"] == {"__typename": "Query"}  # registered text is fine too
        r = await c.post("/graphql", json={"query": "{ __typename }"})
        assert code_of(r) == "PERSISTED_QUERY_NOT_ALLOWED"
        q = "{ __typename }"
        r = await c.post("/graphql", json={"query": q, "extensions": {"persistedQuery": {
            "version": 1, "sha256Hash": hashlib.sha256(q.encode()).hexdigest()}}})
        assert code_of(r) == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_execution_timeout(db, clock, monkeypatch):
    real = app_module.caller_from_token

    async def slow(*args, **kwargs):
        await asyncio.sleep(5)
        return await real(*args, **kwargs)
    async with client_for(db, clock, limits=Limits(timeout_seconds=0.2)) as c:
        monkeypatch.setattr(app_module, "caller_from_token", slow)
        r = await post(c, "{ __typename }")
        assert r.status_code == 503 and code_of(r) == "TIMEOUT"
        monkeypatch.setattr(app_module, "caller_from_token", real)
        await still_serving(c)


async def test_throttled_with_the_time_to_wait(db, clock):
    q = "{ viewer { orders(first: 50) { nodes { number lines { sku } } } } }"  # requested 1 + 1 + 50 * 2 = 102
    async with client_for(db, clock, limits=Limits(bucket_size=150, restore_rate=10)) as c:
        first = (await post(c, q)).json()
        assert first["extensions"]["cost"]["requestedQueryCost"] == 102
        assert "errors" not in first
        await c.app.state.buckets.take("ip:198.51.100.9", 100)  # what is left is less than 102
        r = await post(c, q)
        body = r.json()
        assert codes(body) == ["THROTTLED"]
        wait = body["errors"][0]["extensions"]["retryAfter"]
        assert wait > 0
        assert int(r.headers["retry-after"]) >= 1
        status = body["extensions"]["cost"]["throttleStatus"]
        assert status == {"maximumAvailable": 150, "currentlyAvailable": pytest.approx(status["currentlyAvailable"]),
                          "restoreRate": 10}
        await still_serving(c)


async def test_a_query_costing_more_than_the_bucket_holds_is_too_costly_not_throttled(db, clock):
    """Waiting would never help it: the bucket never holds more than its size."""
    q = ("{ viewer { a: orders(first: 50) { nodes { number lines { sku } } } "
         "b: orders(first: 50) { nodes { number } } } }")  # 1 + 101 + 51 = 153: above 150, below 1,000
    async with client_for(db, clock, limits=Limits(bucket_size=150, restore_rate=1)) as c:
        r = await post(c, q)
        body = r.json()
        assert codes(body) == ["MAX_COST_EXCEEDED"] and body["data"] is None
        assert body["errors"][0]["extensions"]["maximumCost"] == 150
        assert "retry-after" not in r.headers
        # nothing was taken from the bucket
        assert (await c.app.state.buckets.peek("ip:198.51.100.9")).currently_available == pytest.approx(150)


async def test_each_caller_has_its_own_bucket(db, clock):
    from tests.conftest import make_token
    q = "{ viewer { orders(first: 50) { nodes { number lines { sku } } } } }"
    async with client_for(db, clock, limits=Limits(bucket_size=150, restore_rate=1)) as c:
        await c.app.state.buckets.take("ip:198.51.100.9", 100)  # anonymous callers of this IP drained it
        assert codes((await post(c, q)).json()) == ["THROTTLED"]
        token = await make_token(db, "buyer@acme.example", clock.now())
        body = (await c.post("/graphql", json={"query": q}, headers={"authorization": f"Bearer {token}"})).json()
        assert "errors" not in body
        assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] > 100


@pytest.mark.redis
async def test_redis_buckets_are_shared_and_atomic():
    import uuid

    from integrations.redis_buckets import RedisBuckets
    from tests.conftest import REDIS_URL
    a = RedisBuckets(REDIS_URL, 100, 1.0)
    b = RedisBuckets(REDIS_URL, 100, 1.0)  # another worker
    key = f"test:{uuid.uuid4().hex}"
    try:
        results = await asyncio.gather(*[(a if i % 2 else b).take(key, 30) for i in range(6)])
        assert sum(r.allowed for r in results) == 3  # never more than the bucket holds
        refused = [r for r in results if not r.allowed][0]
        assert refused.wait_seconds > 0
        after = await b.refund(key, 30)
        assert 30 <= after.currently_available <= 42
        assert (await a.peek(key)).currently_available == pytest.approx(after.currently_available, abs=2)
    finally:
        await a.client.delete(a.prefix + key)
        await a.close()
        await b.close()


async def test_graphiql_and_its_introspection_still_work_in_development(client):
    from graphql import get_introspection_query
    r = await client.get("/graphql", headers={"accept": "text/html"})
    assert r.status_code == 200 and "graphiql" in r.text.lower()
    body = (await post(client, get_introspection_query(descriptions=True))).json()
    assert "errors" not in body and body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_an_unreachable_redis_does_not_take_the_api_down(db, clock):
    async with client_for(db, clock, redis_url="redis://127.0.0.1:1/0") as c:  # nothing listens on port 1
        body = (await post(c, "{ viewer { name } }")).json()
    assert "errors" not in body
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == Limits().bucket_size


async def test_multipart_uploads_need_an_authorization_header(client):
    files = {"operations": (None, '{"query": "mutation { signOut { userErrors { code } } }"}'), "map": (None, "{}")}
    r = await client.post("/graphql", files=files)
    assert r.status_code == 415 and code_of(r) == "BAD_USER_INPUT"  # what a cross-site form could send
    r = await client.post("/graphql", files=files, headers={"authorization": "Bearer x"})
    assert r.status_code != 415  # the gate lets it through; GraphQL decides


async def test_uploads_have_their_own_size_limit(client):
    big = b"x" * (50 * 1024 * 1024)
    r = await client.post("/graphql", files={"operations": (None, "{}"), "0": ("a.jpg", big)},
                          headers={"authorization": "Bearer x"})
    assert r.status_code == 413


async def test_bodies_without_a_usable_query_get_a_coded_error(client):
    for body in ({}, {"query": 5}, {"query": "  "}, {"query": "{ __typename }", "variables": [1]},
                 {"query": "{ __typename }", "operationName": 3}, "just a string"):
        r = await client.post("/graphql", json=body)
        assert r.status_code == 400 and code_of(r) == "BAD_USER_INPUT", body
