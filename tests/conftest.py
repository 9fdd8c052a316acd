"""Test setup: a fresh database per test with the small demo world, an in-process HTTP client,
and a `gql` helper that signs requests in as any demo user.

The suite runs on SQLite unless DATABASE_URL names PostgreSQL, whose tables it then drops and
recreates: it refuses a database whose name does not say it is for tests. REDIS_URL enables the
Redis tests. With PORTALQL_REQUIRE_SERVICES=1 (as CI sets it) a test whose service is missing fails
instead of skipping."""
import asyncio
import os
import re
import sys
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from db.engine import Database, count_statements, normalize_url
from db.migrate import upgrade
from db.repositories.users import user_by_email
from domain.auth import new_session
from domain.clock import FixedClock
from server import demo_data
from schema.limits import Limits
from server.app import create_app
from server.settings import Settings
from tests.server.helpers import DEADLINE_SECONDS

# Fixtures of a real SMTP server on loopback (smtp, deliver) for the mail tests; every query
# answered again by Strawberry's plain execution and compared (--no-executor-check to skip).
pytest_plugins = ["tests.mailbox", "tests.executor_check"]

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
DATABASE_URL = normalize_url(os.environ.get("DATABASE_URL", ""))
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
REDIS_URL = os.environ.get("REDIS_URL")
REQUIRE_SERVICES = os.environ.get("PORTALQL_REQUIRE_SERVICES") == "1"


def is_test_database(url: str) -> bool:
    """A database the suite may wipe: its name has a word starting with "test" (test, test_ops,
    portalql_test; not contest or latest)."""
    return re.search(r"(^|[^a-z])test", (sa.engine.make_url(url).database or "").lower()) is not None


def pytest_configure(config: Any) -> None:
    if ON_POSTGRES and not is_test_database(DATABASE_URL):
        raise pytest.UsageError(
            f"DATABASE_URL names the database {sa.engine.make_url(DATABASE_URL).database!r}, and the suite drops every "
            "table of the database it is given. Point it at a database for tests (its name starts a word with "
            "'test'), e.g. DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portalql_test "
            "(createdb portalql_test), or unset DATABASE_URL to run on SQLite.")


_EXIT_STATUS = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: Any) -> None:
    """Exit as soon as pytest is done (the summary and any report are written by now): pytest's own
    unconfigure runs a full garbage collection, and then the process frees its objects one by one,
    which took 30-45 s after the summary of a whole run (a 740 MB process)."""
    status = config.stash.get(_EXIT_STATUS, None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)



def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        for marker, present, what in (("postgres", ON_POSTGRES, "DATABASE_URL=postgresql://..."),
                                      ("redis", bool(REDIS_URL), "REDIS_URL=redis://...")):
            if item.get_closest_marker(marker) and not present:
                reason = f"needs {marker}: run with {what}"
                if REQUIRE_SERVICES:
                    item.add_marker(pytest.mark.xfail(reason=f"PORTALQL_REQUIRE_SERVICES=1 but {reason}",
                                                      strict=True, run=False))
                    item.user_properties.append(("missing_service", marker))
                else:
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    outcome = yield
    report = outcome.get_result()
    if any(k == "missing_service" for k, _ in item.user_properties) and report.when == "setup":
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: required service missing (PORTALQL_REQUIRE_SERVICES=1)"


@pytest.fixture(scope="session")
def world_rows() -> demo_data.Rows:
    return demo_data.build(NOW, sizes=demo_data.SMALL)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: Any, world_rows: demo_data.Rows) -> Path | None:
    if ON_POSTGRES:
        return None
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)

    async def fill() -> None:
        db = Database(url)
        await demo_data.seed(db, world_rows)
        await db.dispose()
    asyncio.run(fill())
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> bool:
    if not ON_POSTGRES:
        return False

    async def reset() -> None:
        db = Database(DATABASE_URL)
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            await conn.execute(sa.text("CREATE SCHEMA public"))
        await db.dispose()
    asyncio.run(reset())
    upgrade(DATABASE_URL)
    return True


async def _reseed_postgres(db: Database, rows: demo_data.Rows) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await demo_data.seed(db, rows)


@pytest.fixture
async def db(tmp_path: Path, sqlite_template: Path | None, postgres_migrated: bool,
             world_rows: demo_data.Rows) -> AsyncIterator[Database]:
    if ON_POSTGRES:
        database = Database(DATABASE_URL)
        await _reseed_postgres(database, world_rows)
    else:
        assert sqlite_template is not None
        path = tmp_path / "portalql.db"
        shutil.copy(sqlite_template, path)
        database = Database(f"sqlite+aiosqlite:///{path}")
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(db: Database) -> Settings:
    # Buckets drain and refill in real time, and a request has 10 s: a functional test must not
    # fail on the machine's speed (a sign-up's password hash took longer at load 10). The limit
    # tests (tests/server/test_limits.py, test_throttling.py) build apps with the limits they test.
    return Settings(database_url=db.url, limits=Limits(bucket_size=1_000_000, restore_rate=1_000_000,
                                                       timeout_seconds=DEADLINE_SECONDS))


@pytest.fixture
def app(db: Database, clock: FixedClock, settings: Settings) -> Any:
    return create_app(settings, db=db, clock=clock)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
        yield c


async def make_token(db: Database, email: str, now: datetime, hours: int = 12) -> str:
    async with db.transaction() as s:
        user = await user_by_email(s, email)
        assert user is not None, f"no demo user {email}"
        token, auth_session = new_session(user, now, timedelta(hours=hours), method="test")
        s.add(auth_session)
    return token


GQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def gql(client: httpx.AsyncClient, db: Database, clock: FixedClock) -> GQL:
    """gql(query, variables=None, as_="buyer@acme.example") -> the response body.

    `as_` is an email (a session is made for it) or None for an anonymous request.
    The body gets `_status` (HTTP status) and `_statements` (SQL statements the request ran)."""
    tokens: dict[str, str] = {}

    async def run(query: str, variables: dict | None = None, as_: str | None = None,
                  headers: dict | None = None) -> dict[str, Any]:
        h = dict(headers or {})
        if as_ is not None:
            if as_ not in tokens:
                tokens[as_] = await make_token(db, as_, clock.now())
            h["authorization"] = f"Bearer {tokens[as_]}"
        with count_statements() as counter:
            response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=h)
        body = response.json()
        body["_status"] = response.status_code
        body["_statements"] = counter.count
        return body
    return run
