"""How a query is executed: graphql-core's executor with shortcuts that keep its semantics.

Resolving a field through graphql-core and Strawberry costs several microseconds (a Path, a
ResolveInfo, Strawberry's Info and argument conversion, a permission-extension chain), an
`async def` field a coroutine and, in a list, a task; a 50-order history resolves ~3,600 fields.
So (docs/performance.md):

1. Plain fields (an attribute, or a method of the row alone; no arguments; guarded ones once the
   policy allows the caller on the row) are read in a loop, scalars coerced at once. Anything
   unusual (a null where none is allowed, an error, a refusal) goes the ordinary way, which
   reports it.
2. Before the items of a list are completed, the relations they will ask for (schema/relations.py)
   are fetched for all items at once, level by level down the selection: one batch per relation,
   as the dataloaders would have done, but awaited once instead of once per row. A `relation`
   field (or a `@loads(..., then=)` one) whose load is done is then read from the loader's cache
   like a plain field.
3. Other resolvers are called as Strawberry would call them, without its per-call wrapping, and
   `async def` ones start eagerly: one that finds its data loaded returns at once, and its subtree
   is completed without a task.
4. The items of a list of objects are completed in a loop.

None of this applies while an extension wraps every resolver (tracing): it must see every field.

Work started eagerly that an error made unnecessary (a sibling of a null that bubbled up) is
settled, never dropped, and the operation ends only when it has: the request's read connection
(db.engine.Database.reading) is released after the last statement of the request, not under it.
"""
import asyncio
import inspect
import weakref
from collections.abc import Callable, Coroutine, Iterable
from operator import attrgetter
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import (GraphQLField, GraphQLLeafType, GraphQLList, GraphQLNonNull, GraphQLObjectType,
                     GraphQLResolveInfoHelpers, GraphQLSchema, is_leaf_type)
from graphql.execution.executor import gather_with_cancel, to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined

from permissions.checks import Allowed
from schema.relations import Prefetch
from strawberry.permission import PermissionExtension
from strawberry.types import Info
from strawberry.types.arguments import convert_arguments
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
_SLOW = object()


class _Plan:
    """What to do for one field of one type, worked out once."""
    __slots__ = ("read", "coerce", "non_null", "rules", "prefetch", "relation", "call")

    def __init__(self, read: Callable[[Any], Any] | None = None, coerce: Callable[[Any], Any] | None = None,
                 non_null: bool = False, rules: tuple[Any, ...] = (),
                 prefetch: Prefetch | None = None) -> None:
        self.read = read  # the value from the row alone, or None: the ordinary way
        self.coerce = coerce  # for a scalar or an enum; None: completed the ordinary way
        self.non_null = non_null
        self.rules = rules  # a guarded field's policy rules: the caller must pass them on the row
        self.prefetch = prefetch
        # A relation(...) field: read from its loader's cache once loaded.
        self.relation = prefetch if prefetch is not None and prefetch.exact else None
        self.call: _Call | None = None  # any other resolver: called without Strawberry's wrapping


def _plan(field: GraphQLField) -> _Plan:
    definition = field.extensions.get(BACKREF) if field.extensions else None
    resolver = getattr(definition, "base_resolver", None)
    prefetch = getattr(resolver.wrapped_func, "prefetch", None) if resolver else None
    if definition is None:
        return _Plan()
    rules = _rules(definition.extensions)
    if rules is None:
        return _Plan(prefetch=prefetch)
    read: Callable[[Any], Any] | None = None
    if not field.args:
        if resolver is None:
            read = attrgetter(definition.python_name)
        elif not resolver.is_async and _takes_only_the_row(resolver.wrapped_func):
            read = resolver.wrapped_func
    non_null = isinstance(field.type, GraphQLNonNull)
    inner = field.type.of_type if non_null else field.type
    coerce = _coercer(inner) if is_leaf_type(inner) else None  # type: ignore[arg-type]
    plan = _Plan(read, coerce, non_null, rules, prefetch)
    if read is None and resolver is not None and (plan.relation is None or plan.relation.arguments):
        plan.call = _Call(definition, resolver)
    return plan


class _Call:
    """How Strawberry would call a resolver: the row as self/root, Info where asked for, and the
    arguments converted by Strawberry (input types included)."""
    __slots__ = ("definition", "func", "takes_self", "roots", "info", "arguments")

    def __init__(self, definition: Any, resolver: Any) -> None:
        self.definition = definition
        self.func = resolver.wrapped_func
        self.takes_self = resolver.self_parameter is not None
        self.roots = [p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p is not None]
        self.info = resolver.info_parameter.name if resolver.info_parameter is not None else None
        self.arguments = definition.arguments


def _rules(extensions: list[Any]) -> tuple[Any, ...] | None:
    """The policy rules of a `guarded` field; None when some other extension must run."""
    rules = []
    for extension in extensions:
        if not isinstance(extension, PermissionExtension):
            return None
        for permission in extension.permissions:
            if not isinstance(permission, Allowed):
                return None
            rules.append(permission.rule)
    return tuple(rules)


def _takes_only_the_row(fn: Callable[..., Any]) -> bool:
    params = list(inspect.signature(fn).parameters.values())
    return len(params) == 1 and params[0].name in ("self", "root") and params[0].default is inspect.Parameter.empty


def _coercer(leaf: GraphQLLeafType) -> Callable[[Any], Any]:
    coerce = leaf.coerce_output_value
    if leaf.name in ("String", "ID"):
        # The common case, kept cheap: a str is already its own output.
        def string(value: Any) -> Any:
            return value if type(value) is str else coerce(value)
        return string
    return coerce


_PLANS: dict[int, _Plan] = {}


def plan_of(field: GraphQLField) -> _Plan:
    found = _PLANS.get(id(field))
    if found is None:
        # Fields live as long as the schema; holding them keeps their ids unique.
        found = _PLANS[id(field)] = _plan(field)
        _KEEP.append(field)
    return found


_KEEP: list[GraphQLField] = []


class _Resumed:
    """An eagerly started coroutine that had to wait: awaiting this continues it."""
    __slots__ = ("coro", "waiting_on")

    def __init__(self, coro: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
        self.coro = coro
        self.waiting_on = waiting_on

    def __await__(self) -> Any:
        coro, yielded = self.coro, self.waiting_on
        if getattr(yielded, "_asyncio_future_blocking", None) is False:
            # Taken down when the coroutine started (see eager); the task that waits needs it up.
            yielded._asyncio_future_blocking = True
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 - cancellation and errors go into the coroutine
                try:
                    yielded = coro.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    yielded = coro.send(sent)
                except StopIteration as done:
                    return done.value


def _start(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine up to its first real wait: its value if it had none, else an awaitable."""
    try:
        waiting_on = coro.send(None)
    except StopIteration as done:
        return done.value
    if getattr(waiting_on, "_asyncio_future_blocking", None):
        # asyncio's C future refuses a second await while this flag is up, and no task has
        # taken it down yet: another resolver of this row may wait on the same load.
        waiting_on._asyncio_future_blocking = False
    return _Resumed(coro, waiting_on)


def eager(resolve: Callable[..., Any]) -> Callable[..., Any]:
    def run(source: Any, info: Any, **kwargs: Any) -> Any:
        return _start(resolve(source, info, **kwargs))
    run.eager = True  # type: ignore[attr-defined]
    return run


def make_eager(schema: GraphQLSchema) -> None:
    """Wrap every `async def` field resolver of the schema so that it starts at once (shortcut 3)."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            if field.resolve is not None and inspect.iscoroutinefunction(field.resolve) \
                    and not getattr(field.resolve, "eager", False):
                field.resolve = eager(field.resolve)


def _plain_object(t: Any) -> GraphQLObjectType | None:
    t = t.of_type if isinstance(t, GraphQLNonNull) else t
    return t if isinstance(t, GraphQLObjectType) else None


_AWAITABLE: dict[type, bool] = {}


def is_awaitable(value: Any) -> bool:
    """graphql-core asks this of every value; the answer depends on the type alone (but for
    generator-based coroutines), and probing a SQLModel row for __await__ goes through pydantic."""
    kind = type(value)
    found = _AWAITABLE.get(kind)
    if found is None:
        found = inspect.isawaitable(value)
        if kind is not GeneratorType:
            _AWAITABLE[kind] = found
    return found


def _object_type(t: Any) -> GraphQLObjectType | None:
    while isinstance(t, (GraphQLNonNull, GraphQLList)):
        t = t.of_type
    return t if isinstance(t, GraphQLObjectType) else None


def _flatten(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v is None or isinstance(v, BaseException):
            continue
        if isinstance(v, list):
            out.extend(x for x in v if x is not None)
        else:
            out.append(v)
    return out


class _NotPlain(Exception):  # noqa: N818 - a signal, not an error
    """An item the fast way cannot complete: graphql-core's way reports why."""


def _helpers_of(executor: "Executor") -> GraphQLResolveInfoHelpers:
    """graphql-core's helpers for resolvers, as bound methods of the executor, make the executor
    a reference cycle: it, the context, the loaders and every row they read could then be freed
    only by the cyclic collector (~650 objects a catalog page, ~0.4 ms of collection a request).
    Through a weak reference, the request's objects are freed as soon as it is done."""
    ref = weakref.ref(executor)

    def gather(values: Any) -> Any:
        return ref().gather_async_work(values)  # type: ignore[union-attr]

    def track(values: Any) -> None:
        ref().track_async_work(values)  # type: ignore[union-attr]
    return GraphQLResolveInfoHelpers(gather=gather, track=track)


class Executor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _helpers_of(self)
        self.is_awaitable = is_awaitable
        # An extension that wraps every resolver (tracing) must see every field: no shortcuts then.
        self._shortcuts = not getattr(self.middleware_manager, "middlewares", None)
        self._compiled: dict[tuple[int, int], tuple[Any, list[tuple[str, Any, Any, Any]]]] = {}
        self._loaders: dict[Prefetch, Any] = {}
        self._argument_values: dict[int, tuple[Any, dict[str, Any]]] = {}
        # Selections whose relations were fetched for every item they will be completed for.
        self._covered: dict[int, Any] = {}

    def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        result = super().execute_operation(*args, **kwargs)
        if self.is_awaitable(result) or self.background_futures:
            return self._settled(result)
        return result

    async def _settled(self, result: Any) -> Any:
        """The result once no work of the operation is left running. graphql-core settles what an
        error made unnecessary in the background; the response waits for it (or, when the request
        itself is cancelled, cancels it) so that nothing reads after the request's connection is gone."""
        try:
            return await result if self.is_awaitable(result) else result
        except BaseException:
            for future in self.background_futures:
                future.cancel()
            raise
        finally:
            while self.background_futures:
                await asyncio.wait(list(self.background_futures))

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None,
                       grouped_field_set: Any, position_context: Any) -> Any:
        if not self._shortcuts:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for response_name, field_details_list, field, plan in self._steps(parent_type, grouped_field_set):
                if plan is not None and (not plan.rules or self._allowed(plan.rules, source_value)):
                    if plan.read is not None or plan.relation is not None:
                        value = self._read(plan, source_value, field, field_details_list[0])
                        if value is not _SLOW:
                            if value is None:
                                if not plan.non_null:
                                    results[response_name] = None
                                    continue
                            elif plan.coerce is not None:
                                try:
                                    coerced = plan.coerce(value)
                                except Exception:  # noqa: BLE001 - completed the ordinary way below
                                    coerced = None
                                if coerced is not None and coerced is not Undefined:
                                    results[response_name] = coerced
                                    continue
                            # An object or a list, a null where none is allowed, or a value to
                            # await: complete what was read.
                            result = self._complete_read(parent_type, field, field_details_list,
                                                         Path(path, response_name, parent_type.name), value,
                                                         position_context)
                            results[response_name] = result
                            if is_awaitable(result):
                                awaitable_fields.append(response_name)
                            continue
                    if plan.call is not None:
                        result = self._call(parent_type, field, plan.call, source_value, field_details_list,
                                            Path(path, response_name, parent_type.name), position_context)
                        results[response_name] = result
                        if is_awaitable(result):
                            awaitable_fields.append(response_name)
                        continue
                result = self.execute_field(parent_type, source_value, field_details_list,
                                            Path(path, response_name, parent_type.name), position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                results[awaitable_fields[0]] = await results[awaitable_fields[0]]
            else:
                done = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, done, strict=True))
            return results
        return get_results()

    def _steps(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[tuple[str, Any, Any, Any]]:
        """The fields of a selection with their plans, worked out once per request and selection:
        graphql-core collects a selection once for all items of a list."""
        key = (id(parent_type), id(grouped_field_set))
        found = self._compiled.get(key)
        if found is not None and found[0] is grouped_field_set:
            return found[1]
        steps = []
        fields = parent_type.fields
        for response_name, field_details_list in grouped_field_set.items():
            field = fields.get(field_details_list[0].node.name.value)
            steps.append((response_name, field_details_list, field, plan_of(field) if field is not None else None))
        self._compiled[key] = (grouped_field_set, steps)
        return steps

    def _read(self, plan: _Plan, source: Any, field: GraphQLField, first: Any) -> Any:
        """The field's value without its resolver, or _SLOW when only the resolver can tell."""
        try:
            if plan.read is not None:
                return plan.read(source)
            relation: Prefetch = plan.relation  # type: ignore[assignment]
            key = relation.key(source)
            if key is None:
                return None
            done = self._loader(relation).cache_map.get(key)
            if done is None or not done.done() or done.exception() is not None:
                return _SLOW
            value = done.result()
            if relation.shape is None or value is None:
                return value
            if relation.arguments:
                return relation.shape(value, source, **self._arguments(field, plan.call, first))
            return relation.shape(value, source)
        except Exception:  # noqa: BLE001 - the ordinary way reports it
            return _SLOW

    def _loader(self, prefetch: Prefetch) -> Any:
        found = self._loaders.get(prefetch)
        if found is None:
            found = self._loaders[prefetch] = prefetch.loader_in(self.context_value.loaders)
        return found

    def _allowed(self, rules: tuple[Any, ...], source: Any) -> bool:
        allows_on = self.context_value.caller.allows_on
        for rule in rules:
            if not allows_on(rule, source):
                return False
        return True

    def _call(self, parent_type: GraphQLObjectType, field: GraphQLField, call: "_Call", source: Any,
              field_details_list: Any, path: Path, position_context: Any) -> Any:
        """graphql-core's execute_field with the resolver called as Strawberry would, but without
        its per-call wrapping (the policy check was made by the caller of this)."""
        info = self.build_resolve_info(field, to_nodes(field_details_list), parent_type, path)
        try:
            kwargs = self._arguments(field, call, field_details_list[0])
            if call.info is not None:
                kwargs[call.info] = Info(_raw_info=info, _field=call.definition)
            for name in call.roots:
                kwargs[name] = source
            result = call.func(source, **kwargs) if call.takes_self else call.func(**kwargs)
            if type(result) is CoroutineType:
                result = _start(result)
        except Exception as raw_error:  # noqa: BLE001 - as graphql-core's execute_field
            self.handle_field_error(raw_error, field.type, field_details_list, path)
            return None
        return self._complete_read(parent_type, field, field_details_list, path, result, position_context, info)

    def _arguments(self, field: GraphQLField, call: "_Call", first: Any) -> dict[str, Any]:
        """The resolver's arguments, converted by Strawberry: the same for every row of a list, so
        worked out once per request and field node (a fresh dict each call: the caller adds to it)."""
        if not (field.args or first.node.arguments):
            return {}
        found = self._argument_values.get(id(first))
        if found is not None and found[0] is first:
            return dict(found[1])
        kwargs = get_argument_values(field, first.node, self.variable_values, first.fragment_variable_values,
                                     self.hide_suggestions)
        if call.arguments:
            converter = self.schema._strawberry_schema.schema_converter  # type: ignore[attr-defined]
            kwargs = convert_arguments(kwargs, call.arguments, scalar_registry=converter.scalar_registry,
                                       config=converter.config)
        self._argument_values[id(first)] = (first, kwargs)
        return dict(kwargs)

    def _complete_read(self, parent_type: GraphQLObjectType, field: GraphQLField, field_details_list: Any,
                       path: Path, value: Any, position_context: Any, info: Any = None) -> Any:
        """execute_field for a value already read: the ordinary completion and error handling."""
        plain = _plain_object(field.type)
        if plain is not None and value is not None and position_context is None and not self.is_awaitable(value) \
                and (plain.is_type_of is None or self._fits(plain, value, info, field, field_details_list,
                                                            parent_type, path)):
            # An object of its type: its fields, without graphql-core's calls on the way there.
            try:
                grouped, new_defer_usages, *_ = self.collect_subfields(plain, field_details_list)
                completed = self.execute_fields(plain, value, path, grouped, None) if not new_defer_usages \
                    else self.collect_and_execute_subfields(plain, field_details_list, path, value, position_context)
            except Exception as raw_error:  # noqa: BLE001 - as graphql-core's execute_field
                self.handle_field_error(raw_error, field.type, field_details_list, path)
                return None
            if self.is_awaitable(completed):
                # An error after a wait stops at this field, as it would have before it.
                return self._settle_item(completed, field.type, field_details_list, path)
            return completed
        if info is None:
            info = self.build_resolve_info(field, to_nodes(field_details_list), parent_type, path)
        try:
            if self.is_awaitable(value):
                return self.complete_awaitable_value(field.type, field_details_list, info, path, value,
                                                     position_context)
            completed = self.complete_value(field.type, field_details_list, info, path, value, position_context)
        except Exception as raw_error:  # noqa: BLE001 - as graphql-core's execute_field
            self.handle_field_error(raw_error, field.type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._settle_item(completed, field.type, field_details_list, path)
        return completed

    def _fits(self, object_type: GraphQLObjectType, value: Any, info: Any, field: GraphQLField,
              field_details_list: Any, parent_type: GraphQLObjectType, path: Path) -> bool:
        """Whether the type's is_type_of says yes at once; anything else goes the ordinary way."""
        if info is None:
            info = self.build_resolve_info(field, to_nodes(field_details_list), parent_type, path)
        try:
            return object_type.is_type_of(value, info) is True  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - the ordinary way reports it
            return False

    def complete_iterable_value(self, item_type: Any, field_details_list: Any, info: Any, path: Path,
                                items: Iterable[Any], position_context: Any) -> Any:
        object_type = _object_type(item_type) if self._shortcuts else None
        if object_type is None:
            return super().complete_iterable_value(item_type, field_details_list, info, path, items,
                                                   position_context)
        items = items if isinstance(items, list) else list(items)
        if self._covered.get(id(field_details_list)) is field_details_list:
            # Its relations were fetched with those of the list above it, for all of its items.
            wanted = []
        else:
            wanted = self._prefetches(object_type, field_details_list, items)
        if wanted:
            return self._complete_after(wanted, object_type, item_type, field_details_list, info, path,
                                        items, position_context)
        return self._complete_objects(object_type, item_type, field_details_list, info, path, items,
                                      position_context)

    async def _complete_after(self, wanted: list[Any], object_type: GraphQLObjectType, item_type: Any,
                              field_details_list: Any, info: Any, path: Path, items: list[Any],
                              position_context: Any) -> Any:
        await self._prefetch(wanted)
        completed = self._complete_objects(object_type, item_type, field_details_list, info, path, items,
                                           position_context)
        return await completed if self.is_awaitable(completed) else completed

    def _complete_objects(self, object_type: GraphQLObjectType, item_type: Any, field_details_list: Any,
                          info: Any, path: Path, items: list[Any], position_context: Any) -> Any:
        """A list of objects: each item's fields executed directly, without graphql-core's six calls
        per item on the way there. Anything else (a nested list, a null, an awaitable item, a
        deferred or streamed selection) is left to graphql-core."""
        if item_type is not object_type and not (isinstance(item_type, GraphQLNonNull)
                                                 and item_type.of_type is object_type):
            return super().complete_iterable_value(item_type, field_details_list, info, path, items,
                                                   position_context)
        grouped, new_defer_usages, *_ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages or position_context is not None \
                or any(details.node.directives for details in field_details_list):
            return super().complete_iterable_value(item_type, field_details_list, info, path, items,
                                                   position_context)
        is_type_of = object_type.is_type_of
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = Path(path, index, None)
                if item is None or is_awaitable(item):
                    if self.complete_list_item_value(item, completed, item_type, field_details_list, info, item_path,
                                                     position_context):
                        awaitable_indices.append(index)
                    continue
                try:
                    if is_type_of is not None:
                        fits = is_type_of(item, info)
                        if fits is not True and (is_awaitable(fits) or not fits):
                            raise _NotPlain
                    value = self.execute_fields(object_type, item, item_path, grouped, None)
                except _NotPlain:
                    if self.complete_list_item_value(item, completed, item_type, field_details_list, info, item_path,
                                                     position_context):
                        awaitable_indices.append(index)
                    continue
                except Exception as raw_error:  # noqa: BLE001 - as graphql-core's complete_list_item_value
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    value = None
                completed.append(value)
                if is_awaitable(value):
                    awaitable_indices.append(index)
                    completed[index] = self._settle_item(value, item_type, field_details_list, item_path)
        except Exception:
            # A null where none is allowed ends the list: what its items started is settled, not dropped.
            self.track_async_work([completed[i] for i in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed

        async def get_completed() -> list[Any]:
            done = await gather_with_cancel(*(completed[i] for i in awaitable_indices))
            for i, value in zip(awaitable_indices, done, strict=True):
                completed[i] = value
            return completed
        return get_completed()

    async def _settle_item(self, value: Any, item_type: Any, field_details_list: Any, path: Path) -> Any:
        try:
            return await value
        except Exception as raw_error:  # noqa: BLE001 - as graphql-core's complete_awaitable_list_item_value
            self.handle_field_error(raw_error, item_type, field_details_list, path)
            return None

    def _prefetches(self, object_type: GraphQLObjectType, field_details_list: Any,
                    items: list[Any]) -> list[tuple[Any, list[tuple[Any, Any]], GraphQLField, Any, Prefetch, bool]]:
        """The relations the selection asks of `items` that are not loaded yet: per field, the
        loader, the (item, key) pairs to load, and whether these are all of the items' (so that
        what lies below is fetched for all of them)."""
        if not items:
            return []
        grouped = self.collect_subfields(object_type, field_details_list)[0]
        wanted = []
        for sub_details in grouped.values():
            field = object_type.fields.get(sub_details[0].node.name.value)
            if field is None:
                continue
            plan = plan_of(field)
            prefetch = plan.prefetch
            if prefetch is None or (plan.rules and not self._allowed(plan.rules, items[0])):
                continue
            loader = self._loader(prefetch)
            cache = loader.cache_map  # the loader's futures by key (strawberry.dataloader.AbstractCache)
            key_of = prefetch.key
            pairs = []
            complete = True
            for item in items:
                try:
                    key = key_of(item)
                except Exception:  # noqa: BLE001 - no key: the field's resolver says why
                    complete = False
                    continue
                if key is not None:
                    found = cache.get(key)
                    if found is None or not found.done():
                        pairs.append((item, key))
                    else:
                        complete = False
            if pairs:
                wanted.append((loader, pairs, field, sub_details, prefetch, complete))
        return wanted

    async def _prefetch(self, wanted: list[tuple[Any, list[tuple[Any, Any]], GraphQLField, Any, Prefetch, bool]]) -> None:
        # All loads queued first (one batch per loader), then awaited one by one: a batch settles
        # all its futures at once, so only the first of each waits. (gather would add a callback,
        # and a turn of the event loop, per key.)
        futures = [[loader.load(k) for _, k in pairs] for loader, pairs, *_ in wanted]
        for batch in futures:
            for future in batch:
                if not future.done():
                    try:
                        await future
                    except Exception:  # noqa: BLE001, S112 - the error stays in the future: the field's resolver reports it
                        continue
        deeper = []
        for (_, pairs, field, sub_details, prefetch, complete), batch in zip(wanted, futures, strict=True):
            child = _object_type(field.type)
            if child is None or prefetch.arguments:  # (what it makes of the value depends on arguments)
                continue
            if complete:
                self._covered[id(sub_details)] = sub_details
            values = [f.exception() or f.result() for f in batch]
            shape = prefetch.shape
            children: list[Any] = []
            for (item, _), value in zip(pairs, values, strict=True):
                if shape is not None and value is not None and not isinstance(value, BaseException):
                    value = shape(value, item)
                children.append(value)
            deeper.extend(self._prefetches(child, sub_details, _flatten(children)))
        if deeper:
            await self._prefetch(deeper)
