"""Keyset pagination: cursors carry the sort key of a row, so a page costs the same at any depth."""
import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import statement_connection
from db.reads import read_models, select_rows

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20


class PaginationError(ValueError):
    """Bad first/last/after/before: the message is safe to show to the client."""


@dataclass
class Page(Generic[T]):
    rows: list[T]
    keys: list[str]  # the attributes a row's cursor is made of
    has_next_page: bool
    has_previous_page: bool

    def __post_init__(self) -> None:
        self._sources = list(self.rows)  # what the cursors are read from, whatever wraps the rows later

    def cursor(self, index: int) -> str:
        """A row's cursor, made when asked for: most pages are read without them."""
        row = self._sources[index]
        return encode_cursor(tuple(getattr(row, k) for k in self.keys))


def _encode_value(v: Any) -> Any:
    if isinstance(v, datetime):
        return ["dt", v.isoformat()]
    if isinstance(v, date):
        return ["d", v.isoformat()]
    if isinstance(v, Decimal):
        return ["dec", str(v)]
    return v


def _decode_value(v: Any) -> Any:
    if isinstance(v, list) and len(v) == 2 and isinstance(v[1], str):
        kind, text = v
        if kind == "dt":
            return datetime.fromisoformat(text)
        if kind == "d":
            return date.fromisoformat(text)
        if kind == "dec":
            return Decimal(text)
        raise ValueError(kind)
    if isinstance(v, (int, str)) and not isinstance(v, bool):
        return v
    raise ValueError("bad cursor value")


def encode_cursor(values: tuple[Any, ...]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError("arity")
        return tuple(_decode_value(v) for v in values)
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
        raise PaginationError(f"Invalid cursor: {cursor[:60]!r}") from None


def check_window(first: int | None, last: int | None) -> tuple[int, bool]:
    """The page size and whether we page backwards."""
    if first is not None and last is not None:
        raise PaginationError("Pass either first or last, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise PaginationError(f"{name} must not be negative")
        if value is not None and value > MAX_PAGE:
            raise PaginationError(f"{name} must be at most {MAX_PAGE}")
    if last is not None:
        return last, True
    return (DEFAULT_PAGE if first is None else first), False


async def keyset_page(session: AsyncSession, stmt: Select, keys: list[sa.ColumnElement],
                      *, descending: bool = True, first: int | None = None,
                      after: str | None = None, last: int | None = None,
                      before: str | None = None) -> Page[Any]:
    """Run `stmt` (one entity, already filtered and scoped) one page at a time, by the driver
    (db.reads): the rows are read-only.

    `keys` are the sort columns, ending with a unique one (the id)."""
    size, backwards = check_window(first, last)
    key = sa.tuple_(*keys)
    for cursor, is_after in ((after, True), (before, False)):
        if cursor is None:
            continue
        values = decode_cursor(cursor, len(keys))
        # Bind with the column's own type (UTC timestamps, amounts), or SQLite compares text.
        bound = sa.tuple_(*[sa.literal(v, k.type) for v, k in zip(values, keys)])
        # "after" in a descending list means smaller keys.
        stmt = stmt.where(key < bound if is_after == descending else key > bound)
    reverse = descending != backwards
    if size == 0:
        return Page([], [], False, False)
    stmt = stmt.order_by(*[k.desc() if reverse else k.asc() for k in keys]).limit(size + 1)
    rows = await read_models(session, stmt)
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    return Page(rows=rows, keys=[k.key for k in keys],
                has_next_page=has_more if not backwards else before is not None,
                has_previous_page=has_more if backwards else after is not None)


async def count_rows(session: AsyncSession, stmt: Select) -> int:
    """COUNT(*) of a SELECT. Keeps its FROM even when no WHERE names the table (staff see all)."""
    counted = stmt.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
    async with statement_connection(session) as conn:
        return (await select_rows(conn, counted))[0][0]
