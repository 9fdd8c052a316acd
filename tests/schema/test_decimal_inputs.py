"""Every Decimal the schema takes refuses what is not a plain, holdable number: BAD_USER_INPUT
naming where it was given, before anything runs.

The Decimal inputs are found by walking the schema object, so a new one is covered without
touching this file: for each, a query is built from a root field down to the argument that
holds it (other required inputs filled with valid values), then sent with each bad value as a
literal and as a variable."""
import hashlib
import json
from collections import deque
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import (GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLObjectType,
                     GraphQLScalarType, Undefined, get_named_type, parse, validate)
from sqlmodel import SQLModel

from schema.root import schema
from schema.scalars import parse_decimal

STAFF = "ops@merchant.example"
# (as GraphQL literal text, as a JSON variable value)
BAD = {
    "NaN": ('"NaN"', "NaN"),
    "bare NaN": ("NaN", "NaN"),
    "Infinity": ('"Infinity"', "Infinity"),
    "-Infinity": ('"-Infinity"', "-Infinity"),
    "sNaN": ('"sNaN"', "sNaN"),
    "1e309": ("1e309", "1e309"),
    "1e-400": ("1e-400", "1e-400"),
    "100 digits": ("9" * 100, int("9" * 100)),
    "100 digits after the point": ("0." + "1" * 100, "0." + "1" * 100),
}
SAMPLE = {"String": "x", "ID": "x", "Int": 1, "Float": 1.5, "Boolean": True, "Decimal": "1.5",
          "Date": "2026-06-15", "DateTime": "2026-06-15T12:00:00+00:00", "JSON": {}}


def _required_value(t: Any, target: tuple[GraphQLInputObjectType, str] | None, bad: Any) -> Any:
    """A valid value of input type `t` (only required fields filled), with `bad` placed at
    `target` (an input type and its field) when `t` leads there."""
    if isinstance(t, GraphQLNonNull):
        return _required_value(t.of_type, target, bad)
    if isinstance(t, GraphQLList):
        return [_required_value(t.of_type, target, bad)]
    if isinstance(t, GraphQLEnumType):
        return _EnumValue(next(iter(t.values)))
    if isinstance(t, GraphQLScalarType):
        if t.name not in SAMPLE:
            raise LookupError(t.name)  # an Upload: not reachable by a plain request
        return SAMPLE[t.name]
    out = {}
    for name, field in t.fields.items():
        if target is not None and t is target[0] and name == target[1]:
            out[name] = bad
        elif target is not None and _leads_to(field.type, target[0]):
            out[name] = _required_value(field.type, target, bad)
        elif isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined:
            out[name] = _required_value(field.type, None, bad)
    return out


def _leads_to(t: Any, wanted: GraphQLInputObjectType, seen: frozenset = frozenset()) -> bool:
    named = get_named_type(t)
    if named is wanted:
        return True
    if not isinstance(named, GraphQLInputObjectType) or named.name in seen:
        return False
    return any(_leads_to(f.type, wanted, seen | {named.name}) for f in named.fields.values())


def _decimal_inputs() -> list[tuple[Any, str]]:
    """(input type or (object type, field), name) of every Decimal argument and input field."""
    found = []
    for t in schema._schema.type_map.values():
        if t.name.startswith("__"):
            continue
        if isinstance(t, GraphQLInputObjectType):
            found += [(t, n) for n, f in t.fields.items() if get_named_type(f.type).name == "Decimal"]
        if isinstance(t, GraphQLObjectType):
            for fname, f in t.fields.items():
                found += [((t, fname), a) for a, arg in f.args.items() if get_named_type(arg.type).name == "Decimal"]
    return found


def _routes() -> dict[str, list[tuple[str, str]]]:
    """For each object type reachable from the roots: the fields leading to it."""
    routes: dict[str, list[tuple[str, str]]] = {}
    queue: deque[GraphQLObjectType] = deque()
    for root in (schema._schema.query_type, schema._schema.mutation_type):
        routes[root.name] = [("root", root.name)]
        queue.append(root)
    while queue:
        t = queue.popleft()
        for fname, f in t.fields.items():
            named = get_named_type(f.type)
            if isinstance(named, GraphQLObjectType) and named.name not in routes and not named.name.startswith("__"):
                routes[named.name] = [*routes[t.name], (t.name, fname)]
                queue.append(named)
    return routes


class _EnumValue(str):
    """An enum value: bare in a literal, a string in variables."""


def _literal(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, _EnumValue):
        return str(value)
    return json.dumps(value)


def _case(where: Any, name: str) -> tuple[str, str, Any, str, Any]:
    """(operation, literal query with {BAD} to fill, variables builder, variable name, the field name in errors)."""
    routes = _routes()
    gschema = schema._schema
    # The argument that takes it: a Decimal argument, or one whose input type leads to `where`.
    uses = []
    for type_name, route in routes.items():
        t = gschema.type_map[type_name]
        for fname, f in t.fields.items():
            for aname, arg in f.args.items():
                if isinstance(where, tuple) and where == (t, fname) and aname == name:
                    uses.append((route, t, fname, aname, None))
                elif not isinstance(where, tuple) and _leads_to(arg.type, where):
                    uses.append((route, t, fname, aname, (where, name)))
    assert uses, f"{where}.{name}: no field of the schema takes it"
    route, t, fname, aname, target = min(uses, key=lambda u: len(u[0]))
    field = t.fields[fname]
    marker = "__BAD__"
    arguments = []
    for other, arg in field.args.items():
        if other == aname:
            value = _required_value(arg.type, target, marker) if target else marker
            text = _literal(value) if target else marker
            arguments.append(f"{other}: {text.replace(json.dumps(marker), '{BAD}')}")
        elif isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined:
            arguments.append(f"{other}: {_literal(_required_value(arg.type, None, None))}")
    selection = "{ __typename }" if isinstance(get_named_type(field.type), GraphQLObjectType) else ""
    inner = f"{fname}({', '.join(arguments)}) {selection}"
    for parent, via in reversed(route[1:]):
        required = [a for a in gschema.type_map[parent].fields[via].args.values()
                    if isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined]
        assert not required, f"{parent}.{via} needs arguments: extend this test"
        inner = f"{via} {{ {inner} }}"
    operation = "mutation" if route[0][1] == gschema.mutation_type.name else "query"
    literal_query = f"{operation} {{ {inner} }}"

    def variables(bad: Any) -> dict[str, Any]:
        return {aname: _required_value(field.args[aname].type, target, bad) if target else bad}
    arg_type = str(field.args[aname].type)
    var_inner = inner.replace(next(a for a in arguments if a.startswith(f"{aname}:")), f"{aname}: ${aname}")
    variable_query = f"{operation}(${aname}: {arg_type}) {{ {var_inner} }}"
    shown = name if target else aname
    return literal_query, variable_query, variables, aname, shown


async def _digest(db: Any) -> str:
    """Every row of every table: what "nothing changed" means."""
    h = hashlib.sha256()
    async with db.connection() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await conn.execute(sa.select(table))).all()
            h.update(repr(sorted(map(repr, rows))).encode())
    return h.hexdigest()


def test_the_walk_finds_the_known_decimal_inputs() -> None:
    names = {f"{w.name}.{n}" if not isinstance(w, tuple) else f"{w[0].name}.{w[1]}({n})"
             for w, n in _decimal_inputs()}
    assert {"InvoiceFilter.minTotal", "OrderLineInput.expectedUnitPrice",
            "AccountOrderingSettingsUpdateInput.secondApprovalThreshold", "PriceListEntryInput.price"} <= names


@pytest.mark.parametrize("value", [v for _, v in BAD.values()])
def test_the_scalar_refuses_each_bad_value(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_decimal(value)


@pytest.mark.parametrize("value, expected", [("12.5", Decimal("12.5")), (3, Decimal(3)), ("-0.0001", Decimal("-0.0001")),
                                             ("99999999999999.9999", Decimal("99999999999999.9999")),
                                             ("1.50000", Decimal("1.5")), ("1E+3", Decimal(1000))])
def test_the_scalar_takes_plain_amounts(value: Any, expected: Decimal) -> None:
    assert parse_decimal(value) == expected


async def test_every_decimal_input_refuses_non_finite_huge_and_overprecise_values(gql: Any, db: Any) -> None:
    await gql("{ __typename }", as_=STAFF)  # the session is made before the snapshot
    before = await _digest(db)
    cases = [(f"{w.name if not isinstance(w, tuple) else w[0].name + '.' + w[1]}.{n}", *_case(w, n))
             for w, n in _decimal_inputs()]
    assert len(cases) >= 13
    for label, literal_query, variable_query, variables, aname, shown in cases:
        # The query is right but for the value: with a good amount it validates.
        good = literal_query.replace("{BAD}", '"1.5"')
        assert validate(schema._schema, parse(good)) == [], (label, good)
        for kind, (literal, value) in BAD.items():
            for query, given in ((literal_query.replace("{BAD}", literal), None),
                                 (variable_query, variables(value))):
                body = await gql(query, given, as_=STAFF)
                where = f"{label} = {kind} ({'variable' if given else 'literal'})"
                assert body.get("data") is None, where
                assert body["_status"] == 200, where
                assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], (where, body)
                message = body["errors"][0]["message"]
                named = f"${aname}" if given is not None else f"Argument '{aname}'"
                assert named in message and shown in message, (where, message)
    assert await _digest(db) == before
