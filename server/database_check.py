"""Whether the database the commands are given is there and migrated, said in one line with what to
do: a command run against a missing, empty or unreachable database must not end in a traceback (or,
on SQLite, create an empty file)."""
import socket
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from db.engine import Database, normalize_url
from db.migrate import alembic_config


class DatabaseProblem(Exception):
    """The database cannot be used; the message says what to do."""


def _where(url: str) -> str:
    u = sa.engine.make_url(normalize_url(url))
    if u.get_backend_name() == "sqlite":
        return str(Path(u.database or "").resolve())
    return f"{u.database} on {u.host or 'localhost'}:{u.port or 5432}"


def explain(error: BaseException, url: str) -> str | None:
    """One line for an error that says the database is missing or unreachable, else None."""
    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:  # the driver's error is wrapped by SQLAlchemy's
        seen.add(id(e))
        name = type(e).__name__
        if name == "InvalidCatalogNameError":  # asyncpg: no such database
            db = sa.engine.make_url(normalize_url(url)).database
            return (f"the database {_where(url)} does not exist: create it (createdb {db}) "
                    "or point DATABASE_URL at another")
        if isinstance(e, (ConnectionError, socket.gaierror, TimeoutError)) or (
                isinstance(e, OSError) and e.errno is not None):
            return (f"cannot reach the database {_where(url)} ({e.strerror or e}): start it or set DATABASE_URL")
        if name == "NoSuchModuleError":
            return f"DATABASE_URL is not a database URL Portalql knows ({e}): use sqlite:///FILE or postgresql://..."
        if "no such table" in str(e) or name == "UndefinedTableError":
            return f"the database {_where(url)} is not migrated: run `portalql migrate`"
        e = getattr(e, "orig", None) or e.__cause__ or e.__context__
    return None


async def check_migrated(url: str) -> None:
    """Raise DatabaseProblem unless the database at `url` has every migration of this version."""
    u = sa.engine.make_url(normalize_url(url))
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") \
            and not Path(u.database).exists():
        raise DatabaseProblem(f"there is no database at {_where(url)}: run `portalql migrate` (or `portalql demo`) "
                              "to create it, or point DATABASE_URL at yours")
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    db = None
    try:
        db = Database(url)
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
            current = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in tables else None
    except Exception as e:
        line = explain(e, url)
        if line is None:
            raise
        raise DatabaseProblem(line) from None
    finally:
        if db is not None:
            await db.dispose()
    if current is None:
        raise DatabaseProblem(f"the database {_where(url)} is empty (not migrated): run `portalql migrate`"
                              " (`portalql demo` also adds demo data)")
    if current != head:
        raise DatabaseProblem(f"the database {_where(url)} is at migration {current}, this Portalql needs {head}: "
                              "run `portalql migrate`")
