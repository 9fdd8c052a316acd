"""Relation fields declared by how they load, so the executor can load them for a list at once.

`relation(...)` makes the whole field: its resolver is `shape(await <loaders>.<loader>.load(key(row)),
row)`, null when the key is null; `loader` is the loader's path in the request's registry
(resolvers/loaders.py), "<domain>.<relation>" ("orders.lines"). The executor (schema/execution.py)
fetches such a relation for all items of a list before completing them and, once loaded, reads it
from the loader's cache without calling the resolver: the declaration is the resolver, so the two
cannot disagree.

`@loads(...)` marks a hand-written resolver that starts with such a load: the executor fills the
loader's cache early and runs the resolver as usual or, given `then`, calls `then(value, row,
**arguments)` in its place once the value is loaded (a price that also takes a quantity)."""
import sys
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import strawberry
from strawberry.types import Info


class Prefetch:
    __slots__ = ("loader", "key", "shape", "exact", "arguments")

    def __init__(self, loader: str, key: str | Callable[[Any], Any], shape: Callable[..., Any] | None,
                 exact: bool, arguments: bool = False) -> None:
        self.loader = tuple(loader.split("."))
        self.key = attrgetter(key) if isinstance(key, str) else key
        self.shape = shape
        self.exact = exact  # the resolver is exactly the load and the shape (relation), not more
        self.arguments = arguments  # the shape also takes the field's arguments

    def loader_in(self, loaders: Any) -> Any:
        for part in self.loader:
            loaders = getattr(loaders, part)
        return loaders


def loads(loader: str, key: str | Callable[[Any], Any] = "id", *,
          then: Callable[..., Any] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a resolver that loads `key(row)` from `loader` (a key a row lacks is left to the resolver).
    `then(value, row, **arguments)` must be what the resolver returns once the value is loaded (a
    null value, a null field)."""
    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.prefetch = Prefetch(loader, key, then, exact=then is not None,  # type: ignore[attr-defined]
                               arguments=then is not None)
        return fn
    return mark


def relation(returns: Any, loader: str, key: str | Callable[[Any], Any] = "id", *,
             shape: Callable[[Any, Any], Any] | None = None, description: str | None = None,
             field: Any = None) -> Any:
    """A field of type `returns` that loads `key(row)` from the request's `loader`; `field` is
    the field to make of it when not a plain one (`guarded(...)`)."""
    prefetch = Prefetch(loader, key, shape, exact=True)
    key_of = prefetch.key

    async def resolve(root: Any, info: Info) -> Any:
        k = key_of(root)
        if k is None:
            return None
        value = await prefetch.loader_in(info.context.loaders).load(k)
        return value if shape is None or value is None else shape(value, root)

    resolve.__annotations__["return"] = returns
    # Strawberry resolves string annotations in the resolver's module: the declaring one.
    resolve.__module__ = sys._getframe(1).f_globals["__name__"]  # noqa: SLF001
    resolve.prefetch = prefetch  # type: ignore[attr-defined]
    return (field or strawberry.field(description=description))(resolve)
