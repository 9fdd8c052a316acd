"""The async engine, sessions, and the per-request SQL statement counter."""
import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[tuple[str, Any]] = []  # (SQL, parameters)


# A mutable counter in a context variable: SQLAlchemy runs the cursor in a greenlet that
# inherits the context, so every statement of a request lands on that request's counter.
_counter: ContextVar[StatementCounter | None] = ContextVar("sql_counter", default=None)


@contextmanager
def count_statements() -> Iterator[StatementCounter]:
    counter = StatementCounter()
    token = _counter.set(counter)
    try:
        yield counter
    finally:
        _counter.reset(token)


def executed(statement: str, parameters: Any) -> None:
    """Count a statement on the request's counter: SQLAlchemy's and the driver's own (db.reads)."""
    counter = _counter.get()
    if counter is not None:
        counter.count += 1
        counter.statements.append((statement, parameters))


def _on_execute(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
    executed(statement, parameters)


class RequestOver(RuntimeError):
    """A read on the request's shared connection after the request ended."""


class _SharedReads:
    """The one connection a request's reads share, lent to one statement at a time, in turn.

    Held only while a statement runs (a read session takes it per statement, see _SharedSession),
    never across other awaits, so no holder can wait for a waiter. Not re-entrant by task: the
    executor drives several resolvers' coroutines in one task, so a task is not one holder."""
    __slots__ = ("db", "conn", "turn", "over")

    def __init__(self, db: "Database") -> None:
        self.db = db
        self.conn: AsyncConnection | None = None
        self.turn = asyncio.Lock()  # first come, first served
        self.over = False

    @asynccontextmanager
    async def lent(self) -> AsyncIterator[AsyncConnection]:
        async with self.turn:
            if self.over:
                # The executor settles its work before the request ends (schema.execution); work
                # that outlives it anyway (a loader's batch nobody waits for) stops here.
                raise RequestOver("a read after the end of its request")
            if self.conn is None:
                self.conn = await self.db.engine.connect()
            if not self.conn.in_transaction():
                await self.conn.begin()
            try:
                yield self.conn
            except BaseException:
                # A failed statement leaves a PostgreSQL transaction unusable: begin afresh.
                if self.conn.in_transaction():
                    await self.conn.rollback()
                raise


class _SharedSession(AsyncSession):
    """A read session on the request's shared connection, taking it for each statement."""

    def __init__(self, shared: _SharedReads, conn: AsyncConnection) -> None:
        super().__init__(bind=conn, expire_on_commit=False, autoflush=False)
        self._shared = shared
        self._holding = False
        self._used = False

    async def __aexit__(self, *exc: Any) -> None:
        # Most read sessions only lend their connection to db.reads: the ORM never ran, and there
        # is nothing to close (AsyncSession's own exit starts a task to close it come what may).
        if self._used:
            await self.close()


def _per_statement(name: str) -> Any:
    async def method(self: _SharedSession, *args: Any, **kwargs: Any) -> Any:
        run = getattr(super(_SharedSession, self), name)
        if self._holding:  # AsyncSession.scalar calls execute: one statement, already lent
            return await run(*args, **kwargs)
        async with self._shared.lent():
            self._holding = self._used = True
            try:
                return await run(*args, **kwargs)
            finally:
                self._holding = False
    method.__name__ = name
    return method


for _name in ("exec", "execute", "get", "flush", "scalar", "scalars", "refresh"):
    setattr(_SharedSession, _name, _per_statement(_name))


_reads: ContextVar[_SharedReads | None] = ContextVar("shared_reads", default=None)


@asynccontextmanager
async def statement_connection(session: AsyncSession) -> AsyncIterator[AsyncConnection]:
    """The connection for one statement run beside a session (db.reads), in its transaction; a
    shared read session's connection is lent for it, as for the session's own statements."""
    if isinstance(session, _SharedSession):
        async with session._shared.lent() as conn:
            yield conn
    else:
        yield await session.connection()


async def reconnected(conn: AsyncConnection) -> bool:
    """After a read found the server end of `conn` gone: if `conn` is the request's shared read
    connection, it gets a new one (in a new transaction) and True, and the read may run again.
    Otherwise False: a write's transaction is lost with its connection, and SQLAlchemy's own
    handling of the failed transaction invalidates it."""
    shared = _reads.get()
    if shared is None or shared.conn is not conn:
        return False
    await conn.invalidate()
    if conn.in_transaction():
        await conn.rollback()
    await conn.begin()  # the next use takes a new connection from the pool
    return True


def normalize_url(url: str) -> str:
    """Accept plain postgres:// and sqlite:// URLs and pick the async drivers."""
    for plain, driver in (("postgres://", "postgresql+asyncpg://"),
                          ("postgresql://", "postgresql+asyncpg://"),
                          ("sqlite://", "sqlite+aiosqlite://")):
        if url.startswith(plain):
            return driver + url[len(plain):]
    return url


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        # Statement parameters stay out of logs and error messages: they hold emails, token and
        # password hashes.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            # Reads (db.reads) run in the event loop's thread, not aiosqlite's: see there.
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs.update(pool_size=10, max_overflow=20)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            event.listen(self.engine.sync_engine, "checkin", _idle_from)
            event.listen(self.engine.sync_engine, "checkout", _ping_if_idle)
        event.listen(self.engine.sync_engine, "before_cursor_execute", _on_execute)
        self.sessionmaker = async_sessionmaker(self.engine, class_=AsyncSession,
                                               expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[None]:
        """Within this, reads (`session`, `connection`) share one connection, in one transaction
        that is rolled back at the end: a checkout per request instead of per statement."""
        shared = _SharedReads(self)
        token = _reads.set(shared)
        try:
            yield
        finally:
            _reads.reset(token)
            shared.over = True  # no statement starts after this
            try:
                await shared.turn.acquire()  # the one running now, if any, ends first
            finally:
                if shared.conn is not None:
                    await shared.conn.close()

    def _shared(self) -> _SharedReads | None:
        """The current request's shared reads, when they are on this database."""
        shared = _reads.get()
        return shared if shared is not None and shared.db is self else None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one read statement: the request's shared one (see reading)."""
        shared = self._shared()
        if shared is None:
            async with self.engine.connect() as conn:
                yield conn
            return
        async with shared.lent() as conn:
            yield conn

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read session; nothing it does is committed."""
        shared = self._shared()
        if shared is None:
            async with self.sessionmaker() as session:
                yield session
            return
        async with shared.lent() as conn:
            pass  # checked out and in a transaction, which the session joins and leaves open
        async with _SharedSession(shared, conn) as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed at the end, or rolled back on any error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


# A connection is pinged at checkout only when it has been idle this long, as HikariCP does:
# SQLAlchemy's pre-ping is three round trips on every checkout (BEGIN, ";", ROLLBACK), ~0.5 ms of
# a request's CPU. One in use a moment ago is alive but for a restart in between: a driver read
# then retries on a new connection (db.reads), and SQLAlchemy's own statements fail that request
# and invalidate the pool.
PING_AFTER_IDLE_SECONDS = 1.0


def _idle_from(_dbapi_conn: Any, record: Any) -> None:
    record.info["idle_from"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    idle_from = record.info.get("idle_from")
    if idle_from is None or time.monotonic() - idle_from < PING_AFTER_IDLE_SECONDS:
        return  # a new connection, or one just used
    try:
        # A simple-protocol query: one round trip, no prepared statement.
        dbapi_conn.run_async(lambda driver: driver.execute(";"))
    except Exception as e:
        raise exc.DisconnectionError(f"ping failed: {type(e).__name__}") from e  # the pool connects anew


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class SessionAsDatabase:
    """Lets a batch function written for a Database (`db.session()`, `db.connection()`) run in an open session."""

    def __init__(self, session: Any) -> None:
        self._session = session

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Any]:
        yield self._session

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        yield await self._session.connection()
