"""Batch functions for the per-request dataloaders, one module per domain: one statement per
relation, keyed by parent id, for any number of keys.

A batch function is `async (db, keys) -> list` with one value per key, in the keys' order (a row
or None, a list of rows, a number). Each reads through its own session or connection (db.engine
lends a request's connection to one statement at a time), so sibling resolvers never share a
session. Keys are ids of rows the caller was already allowed to see; functions that list children
of a scoped kind are made for a scope. This package holds the shapes most of them take."""
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlmodel import select

from db.engine import Database
from db.reads import Read

K = TypeVar("K")
T = TypeVar("T")
Batch = Callable[[Database, Sequence[Any]], Any]


def keys_param(name: str = "keys") -> Any:
    """A bind parameter for a list of keys (`IN (...)`), sized per call."""
    return bindparam(name, expanding=True)


def one_each(keys: Sequence[K], rows: Sequence[T], key: Callable[[T], K]) -> list[T | None]:
    by = {key(r): r for r in rows}
    return [by.get(k) for k in keys]


def many_each(keys: Sequence[K], rows: Sequence[T], key: Callable[[T], K]) -> list[list[T]]:
    by: dict[K, list[T]] = defaultdict(list)
    for r in rows:
        by[key(r)].append(r)
    return [by.get(k, []) for k in keys]


def one_by(model: Any, column: str = "id") -> Batch:
    """The row of `model` whose `column` is each key (its id by default), or None."""
    read = Read(select_where_in(model, column))

    async def load(db: Database, keys: Sequence[Any]) -> list[Any]:
        async with db.connection() as conn:
            return one_each(keys, await read.instances(conn, model, keys=keys), lambda r: getattr(r, column))
    load.__name__ = f"{model.__name__.lower()}_by_{column}"
    return load


def children(model: Any, parent: str, *order: Any, where: Any = None) -> Batch:
    """The rows of `model` whose `parent` column is each key (and that meet `where`), ordered by
    `order`, then id."""
    column = getattr(model, parent)
    stmt = select_where_in(model, parent)
    read = Read((stmt if where is None else stmt.where(where)).order_by(column, *order, model.id))

    async def load(db: Database, keys: Sequence[int]) -> list[list[Any]]:
        async with db.connection() as conn:
            return many_each(keys, await read.instances(conn, model, keys=keys), lambda r: getattr(r, parent))
    load.__name__ = f"{model.__name__.lower()}s_by_{parent}"
    return load


def sums(read: Read) -> Batch:
    """A number per key from a `SELECT key, SUM(...) ... GROUP BY key` over `keys`; 0 for a key
    without rows."""
    async def load(db: Database, keys: Sequence[int]) -> list[int]:
        async with db.connection() as conn:
            found = {k: int(total) for k, total in await read.rows(conn, keys=keys)}
        return [found.get(k, 0) for k in keys]
    return load


def in_scope(fetch: Callable[[Any, Any, list[int]], Any]) -> Callable[[Any], Batch]:
    """A batch function per row scope, from `fetch(session, scope, keys) -> {key: [rows]}` (a
    scoped repository's read)."""
    def for_scope(scope: Any) -> Batch:
        async def load(db: Database, keys: Sequence[int]) -> list[list[Any]]:
            async with db.session() as s:
                found = await fetch(s, scope, list(keys))
            return [found.get(k, []) for k in keys]
        return load
    return for_scope


def select_where_in(model: Any, column: str) -> Any:
    return select(model).where(getattr(model, column).in_(keys_param()))
