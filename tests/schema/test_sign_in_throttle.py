"""Sign-in throttling stops guessing without letting a stranger lock the owner out (domain/ratelimit.py):
strict limits per IP and per email-and-IP; per email, growing delays that do not apply from an IP
where the owner signed in before; right passwords count toward no limit."""
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlmodel import func, select

from db.models import AuthSession
from domain.ratelimit import FREE_FAILURES, MAX_DELAY_SECONDS, RateLimiter, delay_after
from integrations.redis_ratelimit import RedisStore
from server.app import create_app
from server.demo_data import DEMO_PASSWORD
from tests.conftest import REDIS_URL

OWNER = "buyer@acme.example"
HOME = "203.0.113.10"  # where the owner signed in before
SIGN_IN = """mutation($email: String!, $password: String!) { signIn(input: {email: $email, password: $password}) {
  session { token } userErrors { code } } }"""
SignIn = Callable[..., Awaitable[dict[str, Any]]]


BOTH_STORES = pytest.mark.parametrize("sign_in", ["memory", pytest.param("redis", marks=pytest.mark.redis)],
                                      indirect=True)


def _stranger(n: int) -> str:
    return f"198.18.{n // 250}.{n % 250 + 1}"


@pytest.fixture
async def sign_in(request: Any, db: Any, clock: Any, settings: Any) -> AsyncIterator[SignIn]:
    """sign_in(ip, password, email=OWNER) -> the response body, through the app with its limiter
    in memory, or in Redis for the tests marked BOTH_STORES."""
    store = getattr(request, "param", "memory")
    limiter = RateLimiter(RedisStore(REDIS_URL), prefix=f"test:{uuid.uuid4().hex}") if store == "redis" else None
    app = create_app(settings, db=db, clock=clock, limiter=limiter)

    async def run(ip: str, password: str, email: str = OWNER) -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
            response = await c.post("/graphql", json={"query": SIGN_IN,
                                                      "variables": {"email": email, "password": password}})
        return response.json()
    yield run
    if limiter is not None:
        await limiter.store.close()  # type: ignore[attr-defined]


def _code(body: dict[str, Any]) -> str | None:
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    errors = body["data"]["signIn"]["userErrors"]
    return errors[0]["code"] if errors else None


def _signed_in(body: dict[str, Any]) -> bool:
    return bool((body.get("data") or {}).get("signIn") and body["data"]["signIn"]["session"])


async def _sessions(db: Any) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(AuthSession))).one()


@BOTH_STORES
async def test_wrong_passwords_from_one_ip_are_refused_and_so_is_the_right_one_then(sign_in: SignIn, db: Any) -> None:
    codes = [_code(await sign_in(_stranger(1), "wrong password")) for _ in range(6)]
    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["THROTTLED"]
    before = await _sessions(db)
    right = await sign_in(_stranger(1), DEMO_PASSWORD)
    assert _code(right) == "THROTTLED" and not _signed_in(right)
    assert await _sessions(db) == before


@BOTH_STORES
async def test_a_strangers_guesses_from_elsewhere_do_not_keep_the_owner_out(sign_in: SignIn, db: Any,
                                                                            clock: Any) -> None:
    assert _signed_in(await sign_in(HOME, DEMO_PASSWORD))
    wrong = throttled = 0
    n = 0
    while wrong < 50:  # a stranger who waits out every delay, from a new address each time
        n += 1
        body = await sign_in(_stranger(n), "wrong password")
        if _code(body) == "THROTTLED":
            throttled += 1
            clock.advance(seconds=body["errors"][0]["extensions"]["retryAfter"])
        else:
            assert _code(body) == "INVALID_CREDENTIALS"
            wrong += 1
    assert throttled >= 50 - FREE_FAILURES - 1  # the stranger was slowed down
    # The owner at home: signed in at once.
    assert _signed_in(await sign_in(HOME, DEMO_PASSWORD))
    # From a new address the owner waits (THROTTLED with the wait), then signs in: slowed, never locked out.
    body = await sign_in("192.0.2.77", DEMO_PASSWORD)
    assert _code(body) == "THROTTLED" and not _signed_in(body)
    wait = body["errors"][0]["extensions"]["retryAfter"]
    assert 0 < wait <= MAX_DELAY_SECONDS
    clock.advance(seconds=wait)
    assert _signed_in(await sign_in("192.0.2.77", DEMO_PASSWORD))


@BOTH_STORES
async def test_the_delays_grow_with_each_wrong_password(sign_in: SignIn, clock: Any) -> None:
    for n in range(FREE_FAILURES):
        assert _code(await sign_in(_stranger(n), "wrong password")) == "INVALID_CREDENTIALS"
    waits = []
    n = FREE_FAILURES
    for _ in range(12):
        n += 1
        assert _code(await sign_in(_stranger(n), "wrong password")) == "INVALID_CREDENTIALS"
        n += 1
        body = await sign_in(_stranger(n), "wrong password")  # at once: made to wait
        assert _code(body) == "THROTTLED"
        waits.append(body["errors"][0]["extensions"]["retryAfter"])
        clock.advance(seconds=waits[-1])
    assert waits == [delay_after(FREE_FAILURES + i) for i in range(1, 13)]
    assert waits[:4] == [2, 4, 8, 16] and waits[-1] == MAX_DELAY_SECONDS


async def test_right_passwords_count_toward_no_limit(sign_in: SignIn) -> None:
    # More than the per-pair limits (5 a minute, 20 an hour); the per-IP one is in the next test.
    for _ in range(21):
        assert _signed_in(await sign_in(HOME, DEMO_PASSWORD))
    # And they leave the wrong ones their full allowance.
    codes = [_code(await sign_in(HOME, "wrong password")) for _ in range(6)]
    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["THROTTLED"]


async def test_wrong_codes_and_passwords_share_the_emails_delays_and_known_ips(clock: Any) -> None:
    limiter = RateLimiter()
    email = "someone@example.com"
    tried = await limiter.hit("sign_in", clock.now(), subject=email, ip=HOME)
    await tried.settle(True)
    for n in range(FREE_FAILURES + 1):
        await (await limiter.hit("sign_in_code", clock.now(), subject=email, ip=_stranger(n))).settle(False)
    with pytest.raises(Exception) as caught:
        await limiter.hit("sign_in", clock.now(), subject=email, ip=_stranger(99))
    assert caught.value.retry_after == delay_after(FREE_FAILURES + 1)  # type: ignore[attr-defined]
    await limiter.hit("sign_in_code", clock.now(), subject=email, ip=HOME)  # known: not delayed


async def test_the_ip_limit_holds_across_emails_and_right_attempts_are_given_back(clock: Any) -> None:
    limiter = RateLimiter()
    for i in range(40):  # right ones, from one address: none counts
        await (await limiter.hit("sign_in", clock.now(), subject=f"user{i}@example.com", ip=HOME)).settle(True)
    for i in range(30):  # wrong ones for 30 emails: the IP's 30 a minute
        await (await limiter.hit("sign_in", clock.now(), subject=f"nobody{i}@example.com", ip=HOME)).settle(False)
    with pytest.raises(Exception) as caught:
        await limiter.hit("sign_in", clock.now(), subject="nobody99@example.com", ip=HOME)
    assert 0 < caught.value.retry_after <= 60  # type: ignore[attr-defined]
