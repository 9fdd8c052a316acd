"""A PostgreSQL connection whose server end went away (a restart, a killed backend): pinged at
checkout when it was idle, and a request's read runs again on a new one."""
import time

import pytest
from sqlalchemy import text
from sqlmodel import func, select
from sqlalchemy.exc import DBAPIError

from db import engine as engine_module
from db.engine import Database
from db.models import User
from db.reads import Read, read_models
from tests.server.helpers import DEADLINE_SECONDS

pytestmark = pytest.mark.postgres

BACKEND = Read(select(func.pg_backend_pid()))
EMAILS = Read(select(User.email).order_by(User.id))


async def pid_of(db: Database) -> int:
    async with db.connection() as conn:
        return (await BACKEND.rows(conn))[0][0]


async def kill(db: Database, pid: int) -> None:
    """Ends a backend as a restart would, from a connection of its own."""
    killer = Database(db.url)
    try:
        async with killer.engine.connect() as conn:
            assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar()
            # The backend is gone once the server no longer lists it (a loaded machine takes a while).
            deadline = time.monotonic() + DEADLINE_SECONDS
            while time.monotonic() < deadline:
                alive = (await conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                            {"pid": pid})).scalar()
                if not alive:
                    return
                await conn.execute(text("SELECT pg_sleep(0.01)"))
            raise AssertionError(f"backend {pid} still running after {DEADLINE_SECONDS:g} s")
    finally:
        await killer.dispose()


async def test_a_connection_used_a_moment_ago_is_not_pinged(db, monkeypatch):
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    pid = await pid_of(db)  # the pool's only connection, back in the pool
    await kill(db, pid)
    # Without a ping the pool lends the dead connection; SQLAlchemy finds out at the statement.
    with pytest.raises(DBAPIError) as failed:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    assert failed.value.connection_invalidated
    assert await pid_of(db) != pid  # and the pool then connected anew


async def test_an_idle_connection_is_pinged_and_replaced_at_checkout(db, monkeypatch):
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    pid = await pid_of(db)
    await kill(db, pid)
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar() != pid


async def test_a_read_in_a_request_runs_again_on_a_new_connection(db, monkeypatch):
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    async with db.session() as s:
        expected = list((await s.exec(select(User.email).order_by(User.id))).all())
    async with db.reading():
        pid = await pid_of(db)
        await kill(db, pid)
        async with db.connection() as conn:
            assert [email for (email,) in await EMAILS.rows(conn)] == expected
        assert await pid_of(db) != pid
        async with db.session() as s:  # the ORM reads on the new connection too
            assert (await s.exec(select(func.count()).select_from(User))).one() == len(expected)


async def test_a_read_in_a_write_transaction_is_not_run_again(db, monkeypatch):
    """Its transaction, and what it wrote, went with the connection: the write fails whole."""
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    with pytest.raises(Exception) as failed:
        async with db.transaction() as tx:
            user = (await tx.exec(select(User).order_by(User.id).limit(1))).one()
            user.name = "Changed Before The Restart"
            await tx.flush()
            pid = (await (await tx.connection()).execute(text("SELECT pg_backend_pid()"))).scalar()
            await kill(db, pid)
            await read_models(tx, select(User).where(User.id == user.id))
    assert "closed" in str(failed.value).lower() or "terminat" in str(failed.value).lower()
    async with db.session() as s:
        assert not (await s.exec(select(User).where(User.name == "Changed Before The Restart"))).first()
