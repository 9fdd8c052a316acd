"""The executor's shortcuts (schema/execution.py) answer exactly as graphql-core and Strawberry do
without them: the same data, the same errors at the same paths, and nulls propagated the same way.
Also: a page completes without a task per row."""
import asyncio
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from db.models import Location
from resolvers.globalid import encode
from schema.execution import Executor, make_eager
from schema.relations import loads, relation
from schema.root import NODE_IMPLEMENTATIONS, Mutation, Query
from schema.extensions import ErrorCodes
from tests.support import row


@dataclass
class Part:
    id: int
    name: Any
    note: str | None = None
    maker_id: int | None = None
    count: Any = 0


@dataclass
class Maker:
    id: int
    title: str


MAKERS = {1: Maker(1, "Acme"), 2: Maker(2, "Globex")}


async def load_makers(keys: list[int]) -> list[Maker | None]:
    await asyncio.sleep(0)
    return [MAKERS.get(k) for k in keys]


@dataclass
class Ctx:
    loaders: Any = None
    batches: list[list[int]] = field(default_factory=list)
    label_calls: int = 0


def make_context() -> Ctx:
    ctx = Ctx()

    async def makers(keys: list[int]) -> list[Maker | None]:
        ctx.batches.append(list(keys))
        return await load_makers(keys)

    @dataclass
    class Loaders:
        maker: DataLoader

    ctx.loaders = Loaders(maker=DataLoader(makers))
    return ctx


@strawberry.type
class MakerType:
    title: str


async def later(value: Any) -> Any:
    await asyncio.sleep(0)
    return value


@strawberry.type
class Badge:
    @strawberry.field
    async def label(self) -> str:
        await asyncio.sleep(0)
        raise ValueError("no label")


@strawberry.type
class PartType:
    name: str
    note: str | None
    count: int
    maker = relation(MakerType | None, "maker", "maker_id")
    required_maker = relation(MakerType, "maker", "maker_id")

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()  # type: ignore[attr-defined]

    @strawberry.field
    def badge(self) -> Badge | None:
        return Badge()

    @strawberry.field
    @loads("maker", "maker_id")
    async def maker_title(self, info: Info) -> str | None:
        if self.maker_id is None:  # type: ignore[attr-defined]
            return None
        found = await info.context.loaders.maker.load(self.maker_id)  # type: ignore[attr-defined]
        return found.title if found else None


    @strawberry.field
    @loads("maker", "maker_id", then=lambda maker, part, suffix="": maker.title + suffix)
    async def maker_label(self, info: Info, suffix: str = "") -> str | None:
        info.context.label_calls += 1
        if self.maker_id is None:  # type: ignore[attr-defined]
            return None
        found = await info.context.loaders.maker.load(self.maker_id)  # type: ignore[attr-defined]
        return found.title + suffix if found else None


PARTS = [Part(1, "bolt", "zinc", 1, 3), Part(2, None, None, 2), Part(3, "nut", None, 3, 5),
         Part(4, "washer", None, None, 7)]


@strawberry.type
class CheckedMaker:
    title: str

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, Maker)


@strawberry.type
class SmallQuery:
    @strawberry.field
    def checked(self) -> CheckedMaker | None:
        return MAKERS[1]  # type: ignore[return-value]

    @strawberry.field
    def misfit(self) -> CheckedMaker | None:
        return PARTS[0]  # type: ignore[return-value]  # not a Maker: an error, and null


    @strawberry.field
    def parts(self) -> list[PartType]:
        return [Part(p.id, p.name, p.note, p.maker_id, p.count) for p in PARTS]  # type: ignore[misc]

    @strawberry.field
    def strict_parts(self) -> list[PartType] | None:
        return [Part(p.id, p.name, p.note, p.maker_id, p.count) for p in PARTS]  # type: ignore[misc]

    @strawberry.field
    async def one(self) -> PartType | None:
        return PARTS[0]  # type: ignore[return-value]

    @strawberry.field
    def orphans(self) -> list[PartType | None]:
        return [PARTS[0], PARTS[2]]  # type: ignore[list-item]  # the second's maker is missing


def small_schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    ours = strawberry.Schema(query=SmallQuery, execution_context_class=Executor)
    make_eager(ours._schema)
    return ours, strawberry.Schema(query=SmallQuery)


def fresh_counts(query: str) -> None:
    PARTS[2].count = later(5) if "count" in query else 5  # a coroutine is awaited once


def plain(result: Any) -> dict[str, Any]:
    errors = sorted(((e.message, tuple(e.path or ())) for e in result.errors or ()), key=lambda e: e[1])
    return {"data": result.data, "errors": errors}


@pytest.mark.parametrize("query", [
    "{ parts { name note shout } }",  # a null name: the non-null field errs, the item goes null
    "{ strictParts { name } }",  # ... and a list of non-null items goes null entirely
    "{ parts { note count } }",  # an awaitable attribute is awaited
    "{ parts { maker { title } makerTitle } }",  # relations, one key null, one row missing
    "{ orphans { requiredMaker { title } } }",  # a missing row where none is allowed
    "{ one { name maker { title } } }",
    '{ parts { makerLabel(suffix: "!") plain: makerLabel } }',  # then(...), with and without the argument
    "{ checked { title } misfit { title } }",  # an object type with is_type_of, passed and failed
    "{ parts { badge { label } } }",  # an error after a wait inside a nullable object: that object goes null
    "{ one { badge { label } } }",
])
async def test_shortcuts_answer_as_graphql_core_does(query):
    ours, reference = small_schemas()
    fresh_counts(query)
    expected = plain(await reference.execute(query, context_value=make_context()))
    fresh_counts(query)
    got = plain(await ours.execute(query, context_value=make_context()))
    assert got == expected
    assert expected["errors"] or "maker" in query or "count" in query


async def test_a_loaded_value_with_then_needs_no_resolver():
    ours, _ = small_schemas()
    ctx = make_context()
    result = await ours.execute('{ parts { makerLabel(suffix: "!") } }', context_value=ctx)
    assert [p["makerLabel"] for p in result.data["parts"]] == ["Acme!", "Globex!", None, None]
    assert ctx.label_calls == 0 and ctx.batches == [[1, 2, 3]]


async def test_a_list_loads_its_relation_once_for_all_rows():
    ours, reference = small_schemas()
    ctx = make_context()
    await ours.execute("{ parts { maker { title } } }", context_value=ctx)
    assert ctx.batches == [[1, 2, 3]]  # one batch, before the items were completed


# The real schema: our executor against Strawberry's own, on the demo world, as several people.

DEEP = """query($first: Int) { viewer { orders(first: $first) { totalCount pageInfo { hasNextPage endCursor }
  nodes { id number status poNumber placedAt total { amount currencyCode } location { name account { name } }
    placedBy { name email } lines { sku title quantity unitPrice { amount } total { amount currencyCode }
      variant { sku listPrice { amount } product { title vendor } } }
    fulfilments { status carrier trackingNumber trackingUrl shippedAt deliveredAt } } } } }"""

CATALOG = """query($id: ID!) { node(id: $id) { ... on Location { name catalog(first: 20) { nodes { id title
  variants { sku listPrice { amount } price(quantity: 10) { amount } priceBreaks { minQuantity unitPrice { amount } }
    quantityRule { minimum increment } } } } } } }"""

INVOICES = """{ viewer { invoices(first: 10) { nodes { number status isOverdue total { amount }
  amountDue { amount } account { name } order { number } } } } }"""


@contextmanager
def plain_execution(app: Any) -> Iterator[None]:
    """The app's GraphQL view with Strawberry's own execution (no Executor, no eager resolvers)."""
    view = next(r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql")
    ours = view.schema
    view.schema = strawberry.Schema(query=Query, mutation=Mutation, types=NODE_IMPLEMENTATIONS,
                                    extensions=[ErrorCodes])
    try:
        yield
    finally:
        view.schema = ours


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(((e["message"], tuple(e.get("path") or ()), (e.get("extensions") or {}).get("code"))
                     for e in body.get("errors") or ()), key=lambda e: e[1])
    return {"data": body.get("data"), "errors": errors}


# It compares with the plain execution itself: the suite-wide check would run each page twice more.
@pytest.mark.no_executor_check
@pytest.mark.parametrize("email", ["admin@acme.example", "buyer@acme.example", "viewer@acme.example",
                                   "ap@acme.example", "support@merchant.example"])
async def test_pages_answer_as_strawberry_does_for_every_role(gql, app, db, email):
    denver = await row(db, Location, name="Denver Plant")
    cases = [(DEEP, {"first": 20}), (INVOICES, {}), (CATALOG, {"id": encode("Location", denver.id)})]
    for query, variables in cases:
        ours = comparable(await gql(query, variables, as_=email))
        with plain_execution(app):
            theirs = comparable(await gql(query, variables, as_=email))
        assert ours == theirs, (email, query[:40])


# Counts our executor's tasks: Strawberry's, answering again, makes a task per row.
@pytest.mark.no_executor_check
async def test_a_page_creates_no_task_per_row(gql):
    loop = asyncio.get_running_loop()
    created: list[int] = [0]
    previous = loop.get_task_factory()

    names: list[str] = []

    def counting(loop: Any, coro: Any, **kwargs: Any) -> Any:
        created[0] += 1
        names.append(getattr(coro, "__qualname__", type(coro).__name__))
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counting)
    try:
        tasks = []
        await gql("{ viewer { name } }", as_="admin@acme.example")  # signs in: not part of the count
        for first in (2, 20):
            created[0] = 0
            body = await gql(DEEP, {"first": first}, as_="admin@acme.example")
            assert not body.get("errors") and len(body["data"]["viewer"]["orders"]["nodes"]) == first
            tasks.append(created[0])
    finally:
        loop.set_task_factory(previous)
    assert tasks[0] == tasks[1], sorted(set(names))


# graphql-core's own executor, answering again, leaves the cycle this test looks for.
@pytest.mark.no_executor_check
async def test_a_request_leaves_nothing_for_the_cyclic_collector(gql, db):
    """A request's executor, context, loaders and rows are freed when it is done, not at the next
    collection: nothing of it is in a reference cycle (see schema.execution._helpers_of)."""
    from resolvers.context import Context
    from resolvers.loaders import Loaders
    from sqlmodel import SQLModel

    denver = await row(db, Location, name="Denver Plant")
    await gql("{ viewer { name } }", as_="admin@acme.example")  # signs in
    ours = (Executor, Context, Loaders, DataLoader, SQLModel)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for query, variables in ((DEEP, {"first": 20}), (CATALOG, {"id": encode("Location", denver.id)})):
            body = await gql(query, variables, as_="admin@acme.example")
            assert not body.get("errors")
        gc.collect()
        left = sorted({type(o).__name__ for o in gc.garbage if isinstance(o, ours)})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []
