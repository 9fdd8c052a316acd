"""Alembic environment: runs migrations over the async engine for the configured URL."""
import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers every table)

config = context.config
target_metadata = SQLModel.metadata


# The full-text search of articles lives outside the models (migration 0023_support): the SQLite
# FTS5 table and its shadow tables, and PostgreSQL's expression index.
_SEARCH_OBJECTS = ("kb_article_fts", "ix_kb_article_search")


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (reflected and name is not None and name.startswith(_SEARCH_OBJECTS))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata,
                      # SQLite can only ALTER by copying the table: batch mode does that.
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True, include_object=_include)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(config.attributes["database_url"])
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.attributes["database_url"], target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
