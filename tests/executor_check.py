"""Every query the suite sends is answered a second time by Strawberry's plain execution, and the
test fails when the two answers differ: our executor (schema/execution.py) is proven on every
query of the suite, not on a few chosen ones.

The second run is the same document, variables and operation, as the same caller, at the same
instant (`ctx.now`), against the same database state, inside the same request: it happens right
after the first, before the response is sent. It gets a fresh context (loaders and the caller's
per-request answers are per request) and a request of its own for the cost extension to write
on, and no throttle bucket or rate limiter, so the caller's buckets, the response's headers and
what the access log reads are the first run's alone. Its SQL statements are not counted on a
test's counter.

A mutation is not run twice: it changes the database, so a second run would answer from another
state. Its payload is: the value the mutation's resolver returned is kept, and the second run
completes the same selection from it (the mutation root's resolvers of the plain schema hand back
the kept values), after the commit as the first completion was. Only for a mutation of one
top-level field: with several, the first payload was completed before the second mutation ran.
A mutation whose resolver raised has no payload to compare.

Compared: `data` (with its key order) and `errors` as a multiset of (path, message,
extensions.code), since errors of fields resolved concurrently may come in another order. Not
compared: `extensions` (the cost's throttle status measures time during the request), and answers
THROTTLED before execution (the second run has no bucket).

On by default; off with `--no-executor-check` or PORTALQL_EXECUTOR_CHECK=0, and for one test with
`@pytest.mark.no_executor_check` (a test that measures the executor itself: tasks, garbage)."""
import difflib
import inspect
import json
import os
from collections import Counter
from dataclasses import fields, replace
from typing import Any

import pytest
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, get_operation_ast, parse
from strawberry.http.temporal_response import TemporalResponse
from strawberry.types.graphql import OperationType as HTTPOperations

from db.engine import count_statements
from schema.cost import QueryCost
from schema.root import build_schema
from server.app import PortalGraphQL

_plain_schemas: dict[tuple[bool, Any, bool], Any] = {}
_PAYLOADS = "executor_check_payloads"  # on a request's context: the mutation root's values by response key
_found: list[str] = []  # differences seen during the current test phase
_counts = Counter[str]()
_checking = [False]  # off inside a test marked no_executor_check


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--no-executor-check", action="store_true",
                     help="do not answer each query a second time by Strawberry's plain execution "
                          "(tests/executor_check.py); also PORTALQL_EXECUTOR_CHECK=0")


def _enabled(config: Any) -> bool:
    return not config.getoption("--no-executor-check") and os.environ.get("PORTALQL_EXECUTOR_CHECK", "1") != "0"


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "no_executor_check: this test's queries are not answered a second "
                                       "time by Strawberry's plain execution (tests/executor_check.py)")
    if _enabled(config):
        original = PortalGraphQL.execute_single
        config.add_cleanup(lambda: setattr(PortalGraphQL, "execute_single", original))

        async def execute_single(view: PortalGraphQL, *, context: Any, request_data: Any, **kwargs: Any) -> Any:
            if _checking[0]:
                _keeping_payloads(view)
            result = await original(view, context=context, request_data=request_data, **kwargs)
            if _checking[0]:
                await _compare(view, context, request_data, kwargs["request_adapter"], result)
            return result
        PortalGraphQL.execute_single = execute_single  # type: ignore[method-assign]


def _operation(request_data: Any) -> OperationDefinitionNode | None:
    try:
        return get_operation_ast(parse(request_data.query), request_data.operation_name)
    except (GraphQLError, TypeError):
        return None  # a text that does not parse: both runs must say so alike


def _plain_schema(view: PortalGraphQL, replay: bool) -> Any:
    settings = view.settings
    key = (settings.production, settings.limits, replay)
    schema = _plain_schemas.get(key)
    if schema is None:
        # The same limits and cost, but no bucket to take from.
        cost = QueryCost.configured(settings.limits, settings.production, lambda context: None)
        schema = _plain_schemas[key] = build_schema(production=settings.production, extensions_before=(cost,),
                                                    plain=True)
        if replay:
            for field in schema._schema.mutation_type.fields.values():
                field.resolve = _replay
    return schema


def _keeping_payloads(view: PortalGraphQL) -> None:
    """Wraps the resolvers of the view's mutation root (once) so that what they return is kept on
    the request's context. The mutation root is Strawberry's path in our executor too."""
    for field in view.schema._schema.mutation_type.fields.values():
        if not getattr(field.resolve, "keeps", False):
            field.resolve = _keeping(field.resolve)


def _keeping(resolve: Any) -> Any:
    def keep(source: Any, info: Any, **kwargs: Any) -> Any:
        value = resolve(source, info, **kwargs)
        if not inspect.isawaitable(value):
            info.context.__dict__.setdefault(_PAYLOADS, {})[info.path.key] = value
            return value

        async def kept() -> Any:
            found = await value
            info.context.__dict__.setdefault(_PAYLOADS, {})[info.path.key] = found
            return found
        return kept()
    keep.keeps = True  # type: ignore[attr-defined]
    return keep


def _replay(source: Any, info: Any, **kwargs: Any) -> Any:
    return info.context.__dict__[_PAYLOADS][info.path.key]


def _fresh_context(context: Any) -> Any:
    caller = context.caller
    # The caller's private fields are its per-request caches (permissions.caller.Caller).
    caller = replace(caller, **{f.name: f.default_factory() for f in fields(caller)  # type: ignore[misc]
                                if f.name.startswith("_")})
    request = context.request
    if request is not None:
        scope = {**request.scope, "state": dict(request.scope.get("state") or {})}
        request = type(request)(scope, request.receive)
    fresh = replace(context, caller=caller, request=request, response=TemporalResponse(), limiter=None)
    fresh.__dict__["now"] = context.now  # the same instant, even on a real clock
    return fresh


async def _compare(view: PortalGraphQL, context: Any, request_data: Any, adapter: Any, ours: Any) -> None:
    operation = _operation(request_data)
    kind = operation.operation if operation is not None else None
    payloads = context.__dict__.pop(_PAYLOADS, {})
    if kind is OperationType.SUBSCRIPTION:
        return
    if any((e.extensions or {}).get("code") == "THROTTLED" for e in ours.errors or ()):
        _counts["throttled"] += 1
        return
    if kind is OperationType.MUTATION:
        roots = operation.selection_set.selections  # type: ignore[union-attr]
        if len(roots) != 1 or not isinstance(roots[0], FieldNode) or not payloads:
            _counts["mutations not compared"] += 1
            return
    allowed = HTTPOperations.from_http(adapter.method)
    if not view.allow_queries_via_get and adapter.method == "GET":
        allowed = allowed - {HTTPOperations.QUERY}
    with count_statements():  # not on the test's counter
        try:
            fresh = _fresh_context(context)
            fresh.__dict__[_PAYLOADS] = payloads
            theirs = await _plain_schema(view, replay=kind is OperationType.MUTATION).execute(
                request_data.query, variable_values=request_data.variables, context_value=fresh,
                operation_name=request_data.operation_name, operation_extensions=request_data.extensions,
                allowed_operation_types=allowed)
        except Exception as e:  # noqa: BLE001 - the first run answered; this one must too
            theirs = e
    _counts["mutation payloads" if kind is OperationType.MUTATION else "queries"] += 1
    expected, got = _comparable(view, theirs), _comparable(view, ours)
    if expected != got:
        _counts["differed"] += 1
        _found.append(_report(request_data, context, expected, got))


def _comparable(view: PortalGraphQL, result: Any) -> str:
    if isinstance(result, Exception):
        return f"raised {result!r}"
    errors = Counter(json.dumps([e.path, e.message, (e.extensions or {}).get("code")])
                     for e in result.errors or ())
    return json.dumps({"data": json.loads(view.encode_json(result.data)), "errors": sorted(errors.elements())},
                      indent=1, ensure_ascii=False)


def _report(request_data: Any, context: Any, expected: str, got: str) -> str:
    diff = list(difflib.unified_diff(expected.splitlines(), got.splitlines(), "Strawberry's plain execution",
                                     "schema.execution.Executor", lineterm="", n=2))
    shown = "\n".join(diff[:80]) + ("\n..." if len(diff) > 80 else "")
    return (f"our executor answered otherwise than Strawberry's plain one\n"
            f"query: {' '.join(request_data.query.split())[:500]}\nvariables: {request_data.variables}\n"
            f"caller: {context.caller.kind.value} {context.caller.user_id}\n{shown}")


def _phase(item: Any) -> Any:
    _found.clear()
    _checking[0] = item.get_closest_marker("no_executor_check") is None
    try:
        return (yield)
    except BaseException as e:
        for found in _found:
            e.add_note(found)
        raise
    else:
        if _found:
            raise AssertionError("\n\n".join(_found))
    finally:
        _found.clear()
        _checking[0] = False


# Fixtures send queries too: each phase of a test fails for the differences seen in it.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: Any) -> Any:
    return (yield from _phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: Any) -> Any:
    return (yield from _phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Any:
    return (yield from _phase(item))


def pytest_terminal_summary(terminalreporter: Any, config: Any) -> None:
    if not _enabled(config):
        terminalreporter.write_line("executor check: off")
        return
    terminalreporter.write_line(
        f"executor check: {_counts['queries']} queries and {_counts['mutation payloads']} mutation payloads "
        f"answered by our executor and Strawberry's plain one, {_counts['differed']} differently; not compared: "
        f"{_counts['mutations not compared']} mutations without a payload or of several fields, "
        f"{_counts['throttled']} throttled requests")
