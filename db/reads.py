"""Reads run by the database driver itself: for the statements every request makes.

Through SQLAlchemy's async engine a small select costs 0.3-0.9 ms of CPU (greenlet switches,
cache keys, result and ORM machinery); run by the driver on the same connection, ~0.1 ms. A `Read`
is a select built once with bind parameters and compiled once per dialect; SQLAlchemy's own type
processors convert parameters and values, so rows come back as from SQLAlchemy."""
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import executed, reconnected, statement_connection
from db.recent import Recent

# Placeholders as SQLAlchemy renders them: "?" (SQLite) or "$n" (asyncpg), and an IN list's
# "__[POSTCOMPILE_name]", which it would expand at each execution.
_PLACEHOLDER = {"qmark": re.compile(r"\?()|__\[POSTCOMPILE_(\w+)\]"),
                "numeric_dollar": re.compile(r"\$(\d+)|__\[POSTCOMPILE_(\w+)\]")}


class _Compiled:
    """One statement for one dialect: its text around the placeholders, and converters."""

    def __init__(self, stmt: Any, dialect: Dialect, cache_key: Any = None) -> None:
        compiled = self.sa = stmt.compile(dialect=dialect, cache_key=cache_key)
        if dialect.paramstyle not in _PLACEHOLDER:
            raise NotImplementedError(f"paramstyle {dialect.paramstyle}")
        self.dollar = dialect.paramstyle == "numeric_dollar"
        expanding = {name for name, b in compiled.binds.items() if b.expanding}
        plain = [name for name in compiled.positiontup or () if name not in expanding]
        text = compiled.string
        self.parts: list[str] = []
        self.slots: list[tuple[str, bool]] = []
        start = taken = 0
        for m in _PLACEHOLDER[dialect.paramstyle].finditer(text):
            self.parts.append(text[start:m.start()])
            start = m.end()
            if m.group(2):
                self.slots.append((m.group(2), True))
            else:
                at = int(m.group(1)) - 1 if m.group(1) else taken
                taken += 1
                self.slots.append((plain[at] if at < len(plain) else "", False))
        self.parts.append(text[start:])
        # "?" stands for the next parameter, so there are as many as parameters; "$n" names one,
        # and a parameter used twice is "$n" twice. A "?" inside a literal breaks the first rule.
        named = [name for name, expanding in self.slots if not expanding]
        if set(named) != set(plain) or (not self.dollar and len(named) != len(plain)):
            raise ValueError(f"placeholders do not match the parameters in: {text}")
        # An empty IN list is rendered IN (NULL), which matches nothing: right for IN, not NOT IN.
        self.negated = {name for (name, expanding), before in zip(self.slots, self.parts, strict=False)
                        if expanding and before.rstrip().upper().endswith("NOT IN (")}
        self.bind = {name: b.type.dialect_impl(dialect).bind_processor(dialect) for name, b in compiled.binds.items()}
        # Values bound when the statement was built (`Model.flag == True`).
        self.fixed = {name: b.effective_value for name, b in compiled.binds.items() if not b.required}
        self.types = [c.type.dialect_impl(dialect) for c in stmt.selected_columns]
        if len(self.types) != len(compiled._result_columns):
            raise ValueError("a Read needs one result column per selected column")
        self.dialect = dialect
        self.convert: list[tuple[int, Any]] | None = None
        self.texts: dict[tuple[int, ...], str] = {}

    def convert_from(self, type_codes: Sequence[Any]) -> None:
        """The result processors, made at the first run: asyncpg's need each column's type code (oid)."""
        processors = [t.result_processor(self.dialect, code) for t, code in zip(self.types, type_codes, strict=True)]
        self.convert = [(i, p) for i, p in enumerate(processors) if p is not None]

    def text(self, sizes: tuple[int, ...]) -> str:
        found = self.texts.get(sizes)
        if found is None:
            out, n, lists = [self.parts[0]], 0, iter(sizes)
            for (_name, expanding), part in zip(self.slots, self.parts[1:], strict=True):
                count = next(lists) if expanding else 1
                if self.dollar:
                    out.append(", ".join(f"${n + i + 1}" for i in range(count)))
                else:
                    out.append(", ".join("?" * count))
                n += count
                out.append(part)
            found = self.texts[sizes] = "".join(out)
        return found


class Read:
    """A select with named bind parameters, run by the driver: `await READ.rows(conn, ids=[...])`.

    An IN list is `bindparam(name, expanding=True)`. Its length is rounded up to a power of two by
    repeating its last value, so that a statement has few texts (and prepared statements). An empty
    list matches nothing, as `IN (NULL)` (an empty one under NOT IN is refused)."""

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _Compiled(self.stmt, dialect)
        return found

    async def rows(self, conn: AsyncConnection, **params: Any) -> list[list[Any]]:
        return await _run(conn, self._compiled(conn.dialect), params)

    async def instances(self, conn: AsyncConnection, model: type, **params: Any) -> list[Any]:
        """For `select(Model)`: read-only rows of the model (see `detached`)."""
        return [detached(model, row) for row in await self.rows(conn, **params)]


# Statements built anew for each request (pages with filters), compiled once per shape: their
# SQLAlchemy cache key names the shape, and its bind parameters are the request's values.
_SHAPES: Recent[tuple[str, Any], _Compiled] = Recent(500)


async def select_rows(conn: AsyncConnection, stmt: Any) -> list[list[Any]]:
    """Rows of any select, run by the driver (values converted as SQLAlchemy would)."""
    key = stmt._generate_cache_key()
    if key is None:
        raise ValueError("the statement has no cache key")
    shape = (conn.dialect.name, key.key)
    compiled = _SHAPES.recall(shape) or _SHAPES.keep(shape, _Compiled(stmt, conn.dialect, key))
    return await _run(conn, compiled, compiled.sa.construct_params(extracted_parameters=key.bindparams))


async def read_models(session: Any, stmt: Any) -> list[Any]:
    """Read-only rows (see `detached`) of `select(Model)...`, run by the driver in the session's
    transaction."""
    model = single_model(stmt)
    if model is None:
        raise TypeError("read_models needs select(Model)")
    async with statement_connection(session) as conn:
        return [detached(model, r) for r in await select_rows(conn, stmt)]


def single_model(stmt: Any) -> type | None:
    """The model of `select(Model)...`, else None."""
    described = stmt.column_descriptions
    if len(described) != 1:
        return None
    entity = described[0].get("entity")
    return entity if entity is not None and described[0].get("expr") is entity else None


async def _run(conn: AsyncConnection, c: _Compiled, params: dict[str, Any]) -> list[list[Any]]:
    values: list[Any] = []
    sizes: list[int] = []
    for name, expanding in c.slots:
        value = params[name] if name in params else c.fixed[name]
        process = c.bind[name]
        if expanding:
            items = list(value)
            if not items:
                if name in c.negated:
                    raise ValueError(f"an empty list for {name} under NOT IN")
                items = [None]
            items += [items[-1]] * ((1 << (len(items) - 1).bit_length()) - len(items))
            sizes.append(len(items))
            values.extend(map(process, items) if process else items)
        else:
            values.append(process(value) if process else value)
    sql = c.text(tuple(sizes))
    executed(sql, values)
    if not c.dollar:
        # SQLite: the statement runs here, in the event loop's thread. One of ours (an indexed
        # read of a page or a batch, in WAL mode: never waiting on a writer) takes microseconds;
        # handing it to aiosqlite's thread and back costs ~0.1 ms of CPU and two context
        # switches. The connection is lent to this statement alone, so its thread is idle.
        driver = (await conn.get_raw_connection()).driver_connection
        if c.convert is None:
            c.convert_from([None] * len(c.types))
        raw = driver._conn.execute(sql, values).fetchall()  # noqa: SLF001 - aiosqlite's sqlite3 connection
    else:
        try:
            raw = await _fetch(conn, c, sql, values)
        except Exception:
            # A connection just used is not pinged at checkout (db.engine): a server restart
            # since shows here first. A read runs again on a new one; nothing was changed.
            driver = (await conn.get_raw_connection()).driver_connection
            if not driver.is_closed() or not await reconnected(conn):
                raise
            raw = await _fetch(conn, c, sql, values)
    out = [list(r) for r in raw]
    for i, process in c.convert:  # type: ignore[union-attr]
        for row in out:
            row[i] = process(row[i])
    return out


async def _fetch(conn: AsyncConnection, c: _Compiled, sql: str, values: list[Any]) -> list[Any]:
    driver = (await conn.get_raw_connection()).driver_connection
    if c.convert is None:
        c.convert_from([a.type.oid for a in (await driver.prepare(sql)).get_attributes()])
    return await driver.fetch(sql, *values)


_KEYS: dict[type, tuple[str, ...]] = {}


def columns_of(model: type) -> tuple[str, ...]:
    """The attribute names of a model's columns, in the order `select(model)` reads them."""
    found = _KEYS.get(model)
    if found is None:
        mapper = sa_inspect(model)
        found = _KEYS[model] = tuple(mapper.get_property_by_column(c).key for c in mapper.local_table.columns)
    return found


def detached(model: type, values: Sequence[Any]) -> Any:
    """A model instance to read, never to change: its attributes are plain values in __dict__,
    without the ORM's identity map and per-instance state (~15 µs a row); adding it to a session fails."""
    row = model.__new__(model)  # type: ignore[call-overload]
    row.__dict__.update(zip(columns_of(model), values, strict=True))
    return row
