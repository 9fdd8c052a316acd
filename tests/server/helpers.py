"""Apps with other settings than the default fixture's, raw HTTP helpers, and waiting for a
process, a port or a page without a fixed sleep."""
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, TypeVar

import httpx

from server.app import create_app
from server.settings import Settings


@asynccontextmanager
async def client_for(db: Any, clock: Any, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of an app whose settings differ by `changes` (limits=..., environment=...)."""
    settings = replace(Settings(database_url=db.url), **changes)
    app = create_app(settings, db=db, clock=clock)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


def code_of(response: httpx.Response) -> str | None:
    errors = response.json().get("errors") or [{}]
    return errors[0].get("extensions", {}).get("code")


# How long a test waits for a process, a port or a page: generous, so that a machine at load 10
# (a 2-core CI box running another suite) passes; a test that waits fails only after this.
DEADLINE_SECONDS = 120.0
T = TypeVar("T")


def wait_for(condition: Callable[[], T | None], what: str, seen: Callable[[], Any] = lambda: None,
             deadline: float = DEADLINE_SECONDS) -> T:
    """Poll `condition` until it returns something truthy, and return that; past the deadline, fail
    saying what was awaited and what `seen` reports of the state it was in."""
    end = time.monotonic() + deadline
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f"waited {deadline:g} s for {what}; saw: {seen()!r}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answering(port: int, path: str = "/healthz") -> httpx.Response | None:
    """The server's answer on 127.0.0.1:`port`, or None while nothing accepts connections there."""
    try:
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
    except httpx.TransportError:
        return None


async def get(client, db, clock, path: str, who: str | None, **params: str):  # type: ignore[no-untyped-def]
    """GET `path` as the demo user `who` (a bearer token of theirs), or anonymously."""
    from tests.conftest import make_token  # noqa: PLC0415 - conftest imports the app

    headers = {"authorization": f"Bearer {await make_token(db, who, clock.now())}"} if who else {}
    return await client.get(path, params=params, headers=headers)
