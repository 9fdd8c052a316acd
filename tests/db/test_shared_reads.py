"""Database.reading(): a request's reads share one connection, lent per statement."""
import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from db.engine import Database
from db.models import Order, User
from schema.execution import _start
from tests.schema.test_execution import DEEP


@contextmanager
def checkouts(db: Database) -> Iterator[list[int]]:
    seen = [0]

    def count(*_: object) -> None:
        seen[0] += 1
    event.listen(db.engine.sync_engine, "checkout", count)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "checkout", count)


async def read_count(db: Database) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(User))).one()


async def test_without_reading_each_read_checks_out_a_connection(db):
    with checkouts(db) as seen:
        await read_count(db)
        await read_count(db)
    assert seen[0] == 2


async def test_within_reading_reads_share_one_connection(db):
    with checkouts(db) as seen:
        async with db.reading():
            first = await read_count(db)
            async with db.connection() as conn:
                second = (await conn.execute(select(func.count()).select_from(User))).scalar_one()
            await read_count(db)
    assert seen[0] == 1
    assert first == second > 0


async def test_a_session_waiting_on_another_read_does_not_deadlock(db):
    """A read session may await a loader whose statement runs in another task: the session holds
    the connection only during its own statements, so the loader's statement gets its turn."""
    async def loader_statement() -> int:
        async with db.connection() as conn:
            return (await conn.execute(select(func.count()).select_from(Order))).scalar_one()

    async def session_awaiting_loader() -> tuple[int, int]:
        async with db.session() as s:
            users = (await s.exec(select(func.count()).select_from(User))).one()
            orders = await asyncio.create_task(loader_statement())
            again = (await s.exec(select(func.count()).select_from(User))).one()
            assert again == users
            return users, orders

    with checkouts(db) as seen:
        async with db.reading():
            results = await asyncio.wait_for(asyncio.gather(
                session_awaiting_loader(), loader_statement(), loader_statement(), read_count(db)), timeout=10)
    assert seen[0] == 1
    assert results[0][1] == results[1] == results[2] > 0


async def test_coroutines_started_in_one_task_take_turns(db):
    """The executor starts resolvers' coroutines eagerly, several in one task: each still has the
    connection to itself for its statement (asyncpg refuses two operations at once)."""
    inside: list[str] = []

    async def hold(name: str) -> None:
        async with db.connection() as conn:
            inside.append(name)
            await conn.execute(select(func.count()).select_from(Order))
            inside.append(name)
    async with db.reading():
        await read_count(db)  # connected: "a" enters at once, then waits on its statement
        await asyncio.wait_for(asyncio.gather(_start(hold("a")), _start(hold("b"))), timeout=10)
    assert inside == ["a", "a", "b", "b"]


async def test_a_failed_statement_does_not_spoil_the_next_read(db):
    async with db.reading():
        with pytest.raises(DBAPIError):
            async with db.connection() as conn:
                await conn.execute(text("SELECT * FROM no_such_table"))
        assert await read_count(db) > 0


async def test_a_request_checks_out_one_connection(gql, db):
    await gql("{ viewer { name } }", as_="admin@acme.example")  # signs in: not part of the count
    with checkouts(db) as seen:
        body = await gql(DEEP, {"first": 20}, as_="admin@acme.example")
    assert not body.get("errors") and body["_statements"] > 5
    assert seen[0] == 1
