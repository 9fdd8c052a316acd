"""Apps with other settings than the default fixture's, and raw HTTP helpers."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

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
