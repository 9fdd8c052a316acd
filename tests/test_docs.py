"""The docs name only what exists: every GraphQL name in their code (inline `...` and fenced blocks)
is in schema.graphql, every `Type.field` is a field of that type, and every PORTALQL_* variable is
read by the settings (or, for the test and benchmark harness, by tests/conftest.py and its plugins beside it, and bench/)."""
import ast
import re
from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType, build_schema

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)
CAMEL = re.compile(r"(?<![\w.$/-])([a-z][a-z0-9]*[A-Z][A-Za-z0-9]*)\b")  # signIn, userErrors; not snake_case
MEMBER = re.compile(r"\b([A-Z][A-Za-z0-9]*)\.([a-z][A-Za-z0-9]*)(\*?)")  # ProductVariant.listPrice, Mutation.cart*
NOT_GRAPHQL = {"cProfile"}  # camelCase names of Python modules the docs mention
VARIABLE = re.compile(r"\bPORTALQL_[A-Z0-9_]*[A-Z0-9]\b")


def schema_names() -> tuple[set[str], dict[str, set[str]]]:
    """All field, argument and input field names of schema.graphql, and the fields of each type."""
    schema = build_schema((ROOT / "schema.graphql").read_text())
    names: set[str] = set()
    fields: dict[str, set[str]] = {}
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            fields[type_.name] = set(type_.fields)
            names |= set(type_.fields)
            for field in type_.fields.values():
                names |= set(getattr(field, "args", None) or ())
    return names, fields


def string_literals(paths: list[Path]) -> set[str]:
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def code_of(text: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in CODE.finditer(text)]


def stale_names(text: str, names: set[str], fields: dict[str, set[str]], protocol: set[str],
                variables: set[str]) -> list[str]:
    """What `text` names in its code that does not exist, and every PORTALQL_* it names anywhere
    that nothing reads."""
    stale = []
    for code in code_of(text):
        for name in CAMEL.findall(code):
            if name not in names and name not in protocol and name not in NOT_GRAPHQL:
                stale.append(name)
        for type_name, field, wildcard in MEMBER.findall(code):
            if type_name not in fields:
                continue  # a Python name (db.models, Within.row), not a GraphQL type
            known = fields[type_name]
            if not (any(f.startswith(field) for f in known) if wildcard else field in known):
                stale.append(f"{type_name}.{field}{wildcard}")
    stale += [v for v in VARIABLE.findall(text) if v not in variables]
    return stale


def webhook_payload_names() -> set[str]:
    from domain.webhooks.catalogue import OBJECTS  # noqa: PLC0415
    from domain.webhooks.outbox import _camel  # noqa: PLC0415

    return {_camel(f) for kind in OBJECTS.values() for f in kind.fields} | {
        _camel(column.removesuffix("_id")) + "Id" for kind in OBJECTS.values() for column, _ in kind.links}


def known() -> tuple[set[str], dict[str, set[str]], set[str], set[str]]:
    names, fields = schema_names()
    # Names of the HTTP protocol around the schema: response extensions (cost, errors), the
    # customer-sessions and token endpoints' JSON.
    protocol = {s for s in string_literals(sorted((ROOT / "server").glob("*.py")) + sorted((ROOT / "schema").glob("*.py"))
                                       + [ROOT / "domain" / "throttle.py"])
                if re.fullmatch(r"[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*", s)}
    # Webhook payloads' field names (docs/webhook-events.md) and the signature example's text.
    protocol |= webhook_payload_names() | {"g0hM9SsE"}
    harness = [p for p in sorted((ROOT / "tests").glob("*.py")) if not p.name.startswith("test_")]
    settings_code = [ROOT / "server" / "settings.py", *harness, *sorted((ROOT / "tests").glob("*/conftest.py")),
                     *sorted((ROOT / "bench").glob("*.py"))]
    variables = {s for s in string_literals(settings_code) if VARIABLE.fullmatch(s)}
    return names, fields, protocol, variables


def test_every_name_the_docs_give_exists():
    names, fields, protocol, variables = known()
    assert "signIn" in names and "PORTALQL_SECRET_KEY" in variables  # the sources were read
    stale = {str(doc.relative_to(ROOT)): found for doc in DOCS
             if (found := stale_names(doc.read_text(), names, fields, protocol, variables))}
    assert stale == {}


def test_a_stale_name_is_caught():
    names, fields, protocol, variables = known()
    text = """Call `requisitionListAddToBasket(input: {listId})` and read `viewer { sessions { lastSeenAt } }`,
```graphql
{ viewer { orders(first: 5) { nodes { trackingNumbr } } } }
```
`ProductVariant.listPrice` and `ProductVariant.costPrice`, `Mutation.cart*` and `Mutation.basket*`;
set PORTALQL_SECRET_KEY and `PORTALQL_NO_SUCH_SETTING`. Plain words (a listId outside code) are not read."""
    assert stale_names(text, names, fields, protocol, variables) == [
        "requisitionListAddToBasket", "listId", "trackingNumbr", "ProductVariant.costPrice", "Mutation.basket*",
        "PORTALQL_NO_SUCH_SETTING"]


def test_the_deployment_guide_lists_every_variable_the_settings_read():
    read = {s for s in string_literals([ROOT / "server" / "settings.py"]) if VARIABLE.fullmatch(s)}
    table = set(re.findall(r"^\| `(PORTALQL_[A-Z0-9_]+)` \|", (ROOT / "docs" / "deployment.md").read_text(), re.M))
    assert read - table == set()
