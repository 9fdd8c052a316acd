"""Calculated query cost (after Shopify's): computed from the schema and the query's AST before
execution, so it follows every type and mutation other modules add without a list to maintain.

Rules:
- a field of object, interface or union type costs 1, plus the cost of what it selects;
- a scalar or enum field costs 0, and so does a value object: an object with scalar fields only
  that a field computes from its parent without fetching anything (Money, MailingAddress,
  PageInfo), so that a list page is charged for its rows and not for the amounts on each row;
- a connection (a field with `first`/`last` whose type has `nodes` or `edges`) multiplies the
  cost of `nodes`/`edges` by `first` or `last` (the default page size when neither is given);
- a top-level mutation field costs 10 plus what its payload selects;
- fragments on different types of an abstract field count the most expensive one, not the sum;
- a list that is not a connection counts as one element (its size is bounded by its parent: the
  lines of one order), in the requested cost as in the actual one.

A field can say otherwise with `strawberry.field(metadata={"cost": 5})` or
`metadata={"cost_multiplier": "ids"}` (a list argument whose length multiplies the cost), or by an
entry in COST_OVERRIDES ("Type.field"). `actual_cost` applies the same formula to the response data with
each connection's actual page size (a field that holds no connection costs what was requested for
it unless it is null); the difference to the requested cost is given back to the bucket.
"""
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_leaf_type,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import SchemaExtension

from db.pagination import DEFAULT_PAGE
from db.recent import Recent
from domain.throttle import Meter, ThrottleStatus
from schema.limits import Limits, check_document

OBJECT_COST = 1
MUTATION_COST = 10
ITEM_FIELDS = frozenset({"nodes", "edges"})


@dataclass(frozen=True)
class FieldCost:
    cost: int | None = None             # own cost instead of 1 (object) or 0 (scalar)
    multiplier_arg: str | None = None   # a list argument whose length multiplies the field's cost


# Fields whose cost the rules above get wrong. Prefer metadata on the field where you define it.
COST_OVERRIDES: dict[str, FieldCost] = {
    "Query.nodes": FieldCost(multiplier_arg="ids"),
}


@dataclass(frozen=True)
class _Rule:
    cost: int | None
    multiplier_arg: str | None
    connection: bool


_NO_RULE = _Rule(None, None, False)
_VALUE = _Rule(0, None, False)


def _is_value(name: str, field: Any, definition: Any) -> bool:
    """A value object: scalar fields only, computed by a plain attribute or a synchronous resolver
    (asynchronous ones are what fetch), and not the items of a connection (each is a row)."""
    named = get_named_type(field.type)
    if definition is None or name in ITEM_FIELDS or not isinstance(named, GraphQLObjectType) or named.interfaces:
        return False
    resolver = getattr(definition, "base_resolver", None)
    if resolver is not None and (inspect.iscoroutinefunction(resolver.wrapped_func)
                                 or hasattr(resolver.wrapped_func, "prefetch")):
        return False
    return all(is_leaf_type(get_named_type(f.type)) for f in named.fields.values())
_rules_cache: dict[tuple[int, str, str], _Rule] = {}


def _rule(parent: Any, name: str, field: Any) -> _Rule:
    key = (id(parent), parent.name, name)
    found = _rules_cache.get(key)
    if found is not None:
        return found
    override = COST_OVERRIDES.get(f"{parent.name}.{name}")
    definition = (field.extensions or {}).get("strawberry-definition")
    metadata = getattr(definition, "metadata", None) or {}
    cost = override.cost if override and override.cost is not None else metadata.get("cost")
    multiplier = override.multiplier_arg if override and override.multiplier_arg else metadata.get("cost_multiplier")
    named = get_named_type(field.type)
    connection = (("first" in field.args or "last" in field.args)
                  and bool(ITEM_FIELDS & set(getattr(named, "fields", {}) or {})))
    if cost is not None or multiplier or connection:
        found = _Rule(cost, multiplier, connection)
    else:
        found = _VALUE if _is_value(name, field, definition) else _NO_RULE
    _rules_cache[key] = found
    return found


def _field_def(schema: GraphQLSchema, parent: Any, name: str) -> Any:
    if name == "__schema" and parent is schema.query_type:
        return SchemaMetaFieldDef
    if name == "__type" and parent is schema.query_type:
        return TypeMetaFieldDef
    fields = getattr(parent, "fields", None)
    return fields.get(name) if fields else None


class _Calc:
    def __init__(self, schema: GraphQLSchema, doc: DocumentNode, variables: dict[str, Any] | None) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
        self._plans: dict[tuple[int, int], Any] = {}
        self._deep: dict[tuple[int, int], bool] = {}
        self._statics: dict[int, int] = {}

    def _arg(self, node: FieldNode, name: str) -> Any:
        for arg in node.arguments or ():
            if arg.name.value == name:
                v = arg.value
                if isinstance(v, VariableNode):
                    return self.variables.get(v.name.value)
                if isinstance(v, ListValueNode):
                    return v.values
                return getattr(v, "value", None)
        return None

    def _page(self, node: FieldNode) -> int:
        for name in ("first", "last"):
            value = self._arg(node, name)
            if value is not None:
                try:
                    return max(int(value), 0)
                except (TypeError, ValueError):
                    return DEFAULT_PAGE
        return DEFAULT_PAGE

    def _parts(self, parent: Any, sel: SelectionSetNode) -> Iterator[tuple[Any, Any]]:
        """(type condition or None, field node) over the selection set, fragments expanded."""
        for s in sel.selections:
            if isinstance(s, FieldNode):
                yield None, s
                continue
            if isinstance(s, InlineFragmentNode):
                cond, inner = s.type_condition, s.selection_set
            elif isinstance(s, FragmentSpreadNode) and s.name.value in self.fragments:
                frag = self.fragments[s.name.value]
                cond, inner = frag.type_condition, frag.selection_set
            else:
                continue
            cond_type = self.schema.get_type(cond.name.value) if cond is not None else None
            if cond_type is None or cond_type is parent:
                yield from self._parts(parent, inner)
            else:
                for _, f in self._parts(cond_type, inner):
                    yield cond_type, f

    def requested(self, parent: Any, sel: SelectionSetNode | None, items: int = 1) -> int:
        if sel is None:
            return 0
        common = 0
        branches: dict[str, int] = {}
        for cond, node in self._parts(parent, sel):
            owner = cond or parent
            c = self.requested_field(owner, node)
            if items != 1 and node.name.value in ITEM_FIELDS:
                c *= items
            if cond is None:
                common += c
            else:
                branches[cond.name] = branches.get(cond.name, 0) + c
        return common + max(branches.values(), default=0)

    def requested_field(self, parent: Any, node: FieldNode) -> int:
        name = node.name.value
        field = _field_def(self.schema, parent, name)
        if field is None:
            return 0
        rule = _rule(parent, name, field)
        named = get_named_type(field.type)
        if is_leaf_type(named):
            cost = rule.cost or 0
        else:
            own = OBJECT_COST if rule.cost is None else rule.cost
            cost = own + self.requested(named, node.selection_set, self._page(node) if rule.connection else 1)
        if rule.multiplier_arg:
            value = self._arg(node, rule.multiplier_arg)
            cost *= max(len(value), 1) if isinstance(value, list | tuple) else 1
        return cost

    # --- actual cost: the requested formula with each connection's actual page size ------------
    # A field whose subtree holds no connection costs what was requested for it when it is not
    # null, so the walk only descends where connections are: a 50-order page is a handful of
    # steps instead of a visit to each of its thousand objects.

    def _plan(self, parent: Any, sel: SelectionSetNode) -> list[tuple[Any, ...]]:
        """(response key, type condition, field node, owner type, named type, own cost, rule,
        subtree has a connection) for the fields of one selection set that cost something."""
        key = (id(parent), id(sel))
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        plan = []
        for cond, node in self._parts(parent, sel):
            owner = cond or parent
            field = _field_def(self.schema, owner, node.name.value)
            if field is None:
                continue
            rule = _rule(owner, node.name.value, field)
            named = get_named_type(field.type)
            response_key = node.alias.value if node.alias else node.name.value
            cond_name = cond.name if cond is not None else None
            if is_leaf_type(named):
                if rule.cost:
                    plan.append((response_key, cond_name, node, owner, None, rule.cost, rule, False))
                continue
            own = OBJECT_COST if rule.cost is None else rule.cost
            deep = rule.connection or self._has_connection(named, node.selection_set)
            plan.append((response_key, cond_name, node, owner, named, own, rule, deep))
        self._plans[key] = plan
        return plan

    def _has_connection(self, parent: Any, sel: SelectionSetNode | None) -> bool:
        if sel is None:
            return False
        key = (id(parent), id(sel))
        found = self._deep.get(key)
        if found is None:
            self._deep[key] = False  # fragments cannot cycle (validated), this only guards recursion
            found = any(step[7] for step in self._plan(parent, sel))
            self._deep[key] = found
        return found

    def _static(self, owner: Any, node: FieldNode) -> int:
        found = self._statics.get(id(node))
        if found is None:
            found = self._statics[id(node)] = self.requested_field(owner, node)
        return found

    def actual(self, parent: Any, sel: SelectionSetNode | None, data: Any) -> int:
        if sel is None or not isinstance(data, dict):
            return 0
        common = 0
        branches: dict[str, int] = {}
        for key, cond_name, node, owner, named, own, rule, deep in self._plan(parent, sel):
            value = data.get(key)
            if value is None:
                continue
            if named is None:
                c = own
            elif not deep:
                c = self._static(owner, node)
            elif rule.connection:
                c = own + self._connection(named, node.selection_set, value)
            else:
                c = self._objects(named, node.selection_set, value, own)
            if cond_name is None:
                common += c
            else:
                branches[cond_name] = branches.get(cond_name, 0) + c
        return common + max(branches.values(), default=0)

    def _connection(self, conn_type: Any, sel: SelectionSetNode | None, value: Any) -> int:
        """A connection's selection, with `nodes`/`edges` counted item by item."""
        if sel is None or not isinstance(value, dict):
            return 0
        total = 0
        for key, cond_name, node, owner, named, own, rule, deep in self._plan(conn_type, sel):
            items = value.get(key)
            if items is None:
                continue
            if named is None:
                total += own
            elif node.name.value in ITEM_FIELDS and isinstance(items, list):
                if deep:
                    total += sum(self._objects(named, node.selection_set, i, own) for i in items)
                else:
                    total += self._static(owner, node) * sum(1 for i in items if i is not None)
            else:
                total += self._static(owner, node) if not deep else self._objects(named, node.selection_set, items, own)
        return total

    def _objects(self, named: Any, sel: SelectionSetNode | None, value: Any, own: int) -> int:
        if value is None:
            return 0
        if isinstance(value, list):  # not a connection: its dearest element, as requested
            return max((self._objects(named, sel, v, own) for v in value), default=0)
        return own + self.actual(named, sel, value)

    def actual_field(self, parent: Any, node: FieldNode, value: Any) -> int:
        field = _field_def(self.schema, parent, node.name.value)
        if field is None or value is None:
            return 0
        rule = _rule(parent, node.name.value, field)
        named = get_named_type(field.type)
        if is_leaf_type(named):
            return rule.cost or 0
        own = OBJECT_COST if rule.cost is None else rule.cost
        if rule.connection:
            return own + self._connection(named, node.selection_set, value)
        return self._objects(named, node.selection_set, value, own)


def _operation(doc: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    return get_operation_ast(doc, operation_name)


def requested_cost(schema: GraphQLSchema, doc: DocumentNode, operation_name: str | None = None,
                   variables: dict[str, Any] | None = None) -> int:
    op = _operation(doc, operation_name)
    if op is None:
        return 0
    calc = _Calc(schema, doc, variables)
    root = schema.get_root_type(op.operation)
    if op.operation is OperationType.MUTATION:
        return sum(MUTATION_COST - OBJECT_COST + calc.requested_field(root, f)
                   for _, f in calc._parts(root, op.selection_set))
    return calc.requested(root, op.selection_set)


def actual_cost(schema: GraphQLSchema, doc: DocumentNode, operation_name: str | None, data: Any,
                variables: dict[str, Any] | None = None) -> int:
    op = _operation(doc, operation_name)
    if op is None or not isinstance(data, dict):
        return 0
    calc = _Calc(schema, doc, variables)
    root = schema.get_root_type(op.operation)
    if op.operation is OperationType.MUTATION:
        total = 0
        for _, f in calc._parts(root, op.selection_set):
            key = f.alias.value if f.alias else f.name.value
            if key in data:
                total += MUTATION_COST - OBJECT_COST + max(calc.actual_field(root, f, data[key]), OBJECT_COST)
        return total
    return calc.actual(root, op.selection_set, data)


_VALID_CACHE_SIZE = 512
_valid_queries: Recent[tuple[Any, ...], bool] = Recent(_VALID_CACHE_SIZE)  # texts that passed validation
_requested_costs: Recent[tuple[Any, ...], int] = Recent(_VALID_CACHE_SIZE)
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class QueryCost(SchemaExtension):
    """Limits, cost and throttling for one operation. `configured` makes the subclass the
    server installs (strawberry makes one instance per request of a class)."""
    limits = Limits()
    production = False
    meter_for: Callable[[Any], Meter | None] = staticmethod(lambda context: None)

    @classmethod
    def configured(cls, limits: Limits, production: bool,
                   meter_for: Callable[[Any], Meter | None]) -> type["QueryCost"]:
        return type("ConfiguredQueryCost", (cls,), {"limits": limits, "production": production,
                                                    "meter_for": staticmethod(meter_for)})

    def __init__(self, *, execution_context: Any = None) -> None:
        super().__init__(execution_context=execution_context)
        self.requested: int | None = None
        self.actual: int | None = None
        self.status: ThrottleStatus | None = None
        self.meter: Meter | None = None
        self._validating: tuple[Any, ...] | None = None

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.limits.max_tokens
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        if self.production:
            for error in result.errors:  # no schema hints for strangers
                error.message = _SUGGESTION.sub("", error.message)
        state = self._request_state()
        if state is not None:
            state.error_codes = [(e.extensions or {}).get("code", "") for e in result.errors]

    def _request_state(self) -> Any:
        return getattr(getattr(self.execution_context.context, "request", None), "state", None)

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.graphql_document is not None and ec.pre_execution_errors is None:
            error = check_document(ec.graphql_document, self.limits, ec.variables)
            if error is not None:
                ec.pre_execution_errors = [error]
            elif ec.query is not None:
                # Validation depends on the schema, the rules and the text only (the limits above
                # also look at variables): a text seen valid before is valid again. Saves ~2 ms
                # on a page query.
                key = (id(ec.schema), tuple(ec.validation_rules), ec.query)
                if _valid_queries.recall(key):
                    ec.pre_execution_errors = []
                else:
                    self._validating = key
        yield
        if self._validating is not None and ec.pre_execution_errors == []:
            _valid_queries.keep(self._validating, True)

    def _requested(self, schema: GraphQLSchema) -> int:
        """The requested cost, remembered per text, operation and variables, which with the schema
        are all it depends on."""
        ec = self.execution_context
        key = None
        if ec.query is not None:
            try:
                key = (id(schema), ec.query, ec.operation_name,
                       orjson.dumps(ec.variables, option=orjson.OPT_SORT_KEYS))
            except TypeError:  # variables that are not JSON: not from a request body
                key = None
        found = _requested_costs.recall(key) if key is not None else None
        if found is None:
            found = requested_cost(schema, ec.graphql_document, ec.operation_name, ec.variables)
            if key is not None:
                _requested_costs.keep(key, found)
        return found

    async def on_execute(self) -> Any:
        ec = self.execution_context
        schema = ec.schema._schema
        self.requested = self._requested(schema)
        error = None
        maximum = self.limits.cost_maximum
        if self.requested > maximum:
            error = GraphQLError(f"Query cost {self.requested} is above the maximum of {maximum}",
                                 extensions={"code": "MAX_COST_EXCEEDED", "cost": self.requested,
                                             "maximumCost": maximum})
        else:
            self.meter = self.meter_for(ec.context)
            if self.meter is not None:
                self.status = await self.meter.take(self.requested)
                if not self.status.allowed:
                    wait = round(self.status.wait_seconds, 2)
                    error = GraphQLError(f"Throttled: try again in {wait} seconds",
                                         extensions={"code": "THROTTLED", "retryAfter": wait})
                    response = getattr(ec.context, "response", None)
                    if response is not None:
                        response.headers["retry-after"] = str(max(1, int(wait + 0.999)))
        if error is not None:
            self.actual = 0
            ec.result = GraphQLExecutionResult(data=None, errors=[error])
            yield
            return
        yield
        result = ec.result
        data = getattr(result, "data", None)
        self.actual = actual_cost(schema, ec.graphql_document, ec.operation_name, data, ec.variables)
        if self.meter is not None and self.actual < self.requested:
            self.status = await self.meter.refund(self.requested - self.actual)

    async def get_results(self) -> dict[str, Any]:
        if self.status is None:
            meter = self.meter or self.meter_for(self.execution_context.context)
            if meter is not None:
                self.status = await meter.peek()
        cost: dict[str, Any] = {"requestedQueryCost": self.requested or 0, "actualQueryCost": self.actual or 0}
        if self.status is not None:
            cost["throttleStatus"] = self.status.as_json()
        state = self._request_state()
        if state is not None:  # for the access log and metrics
            state.cost = cost
            state.operation_name = self.execution_context.operation_name
        return {"cost": cost}
