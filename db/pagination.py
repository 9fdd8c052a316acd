"""Keyset pagination: cursors carry the sort key of a row, so a page costs the same at any depth."""
import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
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
    list_name: str = ""  # which list the cursors belong to (see list_name)

    def __post_init__(self) -> None:
        self._sources = list(self.rows)  # what the cursors are read from, whatever wraps the rows later

    def cursor(self, index: int) -> str:
        """A row's cursor, made when asked for: most pages are read without them."""
        row = self._sources[index]
        return encode_cursor(self.list_name, tuple(getattr(row, k) for k in self.keys))


def list_name(keys: list[Any]) -> str:
    """What a cursor says it belongs to: the rows' model and sort keys. Two lists with the same
    name order the same rows the same way, so a position in one is a position in the other."""
    model = getattr(keys[-1], "class_", None)
    return f"{model.__name__ if model is not None else keys[-1].table.name}:{','.join(k.key for k in keys)}"


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


_BIGINT = 2 ** 63
_AMOUNT_LIMIT = Decimal(10) ** 14  # db.types.Amount: Numeric(18, 4)


def _fits(value: Any, column: Any) -> bool:
    """Whether a decoded value can be bound to its key column: a forged cursor must fail here,
    as BAD_USER_INPUT, not in the driver."""
    try:
        expected = getattr(column.type, "impl", column.type).python_type  # a TypeDecorator's: its impl's
    except NotImplementedError:
        return isinstance(value, (int, str))
    if expected is datetime:
        if not isinstance(value, datetime) or value.tzinfo is None:
            return False
        try:
            value.astimezone(timezone.utc)  # what the column binds (db.types.UTCDateTime)
        except OverflowError:
            return False
        return True
    if expected is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if expected is Decimal:
        return isinstance(value, Decimal) and value.is_finite() and abs(value) < _AMOUNT_LIMIT \
            and value == round(value, 4)
    if expected is int:
        return isinstance(value, int) and -_BIGINT <= value < _BIGINT
    if expected is str:
        return isinstance(value, str)
    return isinstance(value, (int, str))


def encode_cursor(name: str, values: tuple[Any, ...]) -> str:
    raw = json.dumps([name, *(_encode_value(v) for v in values)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: list[Any]) -> tuple[Any, ...]:
    """The key values of a cursor made by a list of the same name; PaginationError for anything
    else (malformed, forged, or another list's), before any statement runs."""
    shown = f"Invalid cursor: {cursor[:60]!r}"
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(decoded, list) or len(decoded) != len(keys) + 1:
            raise ValueError("arity")
        values = tuple(_decode_value(v) for v in decoded[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError, RecursionError, ArithmeticError):
        raise PaginationError(shown) from None
    if decoded[0] != list_name(keys):
        raise PaginationError(f"{shown}: it belongs to another list")
    if not all(_fits(v, k) for v, k in zip(values, keys)):
        raise PaginationError(shown)
    return values


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
        values = decode_cursor(cursor, keys)
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
                has_previous_page=has_more if backwards else after is not None, list_name=list_name(keys))


async def count_rows(session: AsyncSession, stmt: Select) -> int:
    """COUNT(*) of a SELECT. Keeps its FROM even when no WHERE names the table (staff see all)."""
    counted = stmt.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
    async with statement_connection(session) as conn:
        return (await select_rows(conn, counted))[0][0]
