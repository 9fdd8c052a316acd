"""The request's loader registry (resolvers/loaders.py): Strawberry's DataLoader with the
behaviour the executor and resolvers count on, and every loader a field names exists."""
import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest
from graphql import GraphQLObjectType
from strawberry.dataloader import DataLoader

from domain.pricing import ListPriceRates
from permissions.caller import ANONYMOUS
from resolvers.loaders import Loaders, _Domain
from schema.execution import BACKREF
from schema.root import schema

NOW = datetime(2026, 6, 15, tzinfo=timezone.utc)


class Rows:
    """A batch function over a fixed table that records the keys of each call; `fail` makes the
    next calls raise."""

    def __init__(self, table: dict[int, Any], fail: int = 0) -> None:
        self.table = table
        self.fail = fail
        self.calls: list[list[int]] = []

    async def __call__(self, db: Any, keys: list[int]) -> list[Any]:
        self.calls.append(list(keys))
        if self.fail:
            self.fail -= 1
            raise ConnectionError("database gone")
        return [self.table.get(k) for k in keys]


def loader(rows: Rows) -> DataLoader:
    return _Domain(None, ANONYMOUS, NOW, ListPriceRates()).make(rows)  # type: ignore[arg-type]


async def test_a_failed_batch_fails_its_loads_and_is_tried_again():
    rows = Rows({1: "a", 2: "b"}, fail=1)
    load = loader(rows)
    first = await asyncio.gather(load.load(1), load.load(2), return_exceptions=True)
    assert all(isinstance(e, ConnectionError) for e in first)
    assert load.cache_map.get(1) is None and load.cache_map.get(2) is None  # not remembered
    assert await load.load_many([1, 2]) == ["a", "b"]
    assert rows.calls == [[1, 2], [1, 2]]


async def test_an_error_for_one_key_fails_that_key_alone():
    rows = Rows({2: "b"})
    rows.table[1] = ValueError("no such row")
    load = loader(rows)
    one, two = await asyncio.gather(load.load(1), load.load(2), return_exceptions=True)
    assert isinstance(one, ValueError) and two == "b"
    with pytest.raises(ValueError):
        await load.load(1)  # remembered for the request, like a value
    assert rows.calls == [[1, 2]]


async def test_load_many_is_one_batch_in_the_keys_order_and_cached():
    rows = Rows({1: "a", 2: "b", 3: "c"})
    load = loader(rows)
    assert await load.load_many([3, 1, 3, 2]) == ["c", "a", "c", "b"]
    assert await load.load(2) == "b"
    assert rows.calls == [[3, 1, 2]]
    found = load.cache_map.get(1)
    assert found is not None and found.done() and found.result() == "a"


async def test_a_primed_key_is_not_read():
    rows = Rows({1: "a", 2: "b"})
    load = loader(rows)
    load.prime(1, "primed")
    assert await load.load_many([1, 2]) == ["primed", "b"]
    assert rows.calls == [[2]]


def test_every_loader_a_field_names_is_in_the_registry():
    loaders = Loaders(None, ANONYMOUS, NOW)  # type: ignore[arg-type]
    named = set()
    for named_type in schema._schema.type_map.values():  # noqa: SLF001 - the GraphQL schema's types
        if not isinstance(named_type, GraphQLObjectType):
            continue
        for field in named_type.fields.values():
            definition = (field.extensions or {}).get(BACKREF)
            resolver = getattr(definition, "base_resolver", None)
            prefetch = getattr(resolver.wrapped_func, "prefetch", None) if resolver else None
            if prefetch is not None:
                named.add(".".join(prefetch.loader))
                assert isinstance(prefetch.loader_in(loaders), DataLoader), prefetch.loader
    assert {"orders.lines", "catalog.variant", "pricing.schedule", "accounts.user"} <= named
