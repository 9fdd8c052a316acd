"""Rate limits on sign-in, verification and email requests: THROTTLED with a retry-after."""
import uuid

import pytest

from domain.ratelimit import RateLimiter
from integrations.redis_ratelimit import RedisStore
from server.app import create_app
from tests.conftest import REDIS_URL

SIGN_IN = """mutation($email: String!) { signIn(input: {email: $email, password: "wrong password"}) {
  session { token } userErrors { code } } }"""


async def test_sign_in_is_throttled_per_email(gql, client, clock):
    for _ in range(5):
        body = await gql(SIGN_IN, {"email": "buyer@acme.example"})
        assert body["data"]["signIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    throttled = await gql(SIGN_IN, {"email": "Buyer@Acme.example"})
    error = throttled["errors"][0]
    assert error["extensions"]["code"] == "THROTTLED" and 0 < error["extensions"]["retryAfter"] <= 60
    # The right password is refused too while throttled: guessing cannot go on.
    right = await gql('mutation { signIn(input: {email: "buyer@acme.example", password: "portal-demo"}) { session { token } } }')
    assert right["errors"][0]["extensions"]["code"] == "THROTTLED"
    # Another email from the same IP is still fine, and the limit lifts after the window.
    other = await gql(SIGN_IN, {"email": "ap@acme.example"})
    assert other["data"]["signIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    clock.advance(seconds=error["extensions"]["retryAfter"])
    again = await gql('mutation { signIn(input: {email: "buyer@acme.example", password: "portal-demo"}) { session { token } } }')
    assert again["data"]["signIn"]["session"]["token"]


async def test_reset_requests_are_throttled_and_send_no_more_mail(gql, smtp, deliver):
    query = 'mutation { passwordResetRequest(input: {email: "ap@acme.example"}) { userErrors { code } } }'
    answers = [await gql(query) for _ in range(4)]
    assert [a.get("errors", [{}])[0].get("extensions", {}).get("code") for a in answers] == [None, None, None,
                                                                                             "THROTTLED"]
    await deliver()
    assert len(smtp.to("ap@acme.example")) == 3


async def test_back_off_after_the_burst(clock):
    limiter = RateLimiter()
    for minute in range(4):
        for _ in range(5):
            await limiter.hit("sign_in", clock.now(), subject="x@example.com")
        clock.advance(minutes=1)
    with pytest.raises(Exception) as caught:  # 20 an hour: the next minute is refused too
        await limiter.hit("sign_in", clock.now(), subject="x@example.com")
    assert caught.value.retry_after > 60  # type: ignore[attr-defined]


@pytest.mark.redis
async def test_limits_are_shared_through_redis(db, clock, settings):
    prefix = f"test:{uuid.uuid4().hex}"
    apps = [create_app(settings, db=db, clock=clock, limiter=RateLimiter(RedisStore(REDIS_URL), prefix=prefix))
            for _ in range(2)]  # two workers
    import httpx

    statuses = []
    for i in range(6):
        transport = httpx.ASGITransport(app=apps[i % 2], client=("198.51.100.9", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
            r = await c.post("/graphql", json={"query": SIGN_IN, "variables": {"email": "viewer@acme.example"}})
            statuses.append((r.json().get("errors") or [{}])[0].get("extensions", {}).get("code"))
    assert statuses == [None] * 5 + ["THROTTLED"]
    for app in apps:
        await app.state.limiter.store.close()


async def test_a_redis_outage_does_not_lock_everyone_out(clock):
    limiter = RateLimiter(RedisStore("redis://127.0.0.1:1/0"))  # nothing listens on port 1
    for _ in range(10):
        await limiter.hit("sign_in", clock.now(), subject="x@example.com", ip="192.0.2.1")
    await limiter.store.close()
