"""Imports follow the layers DESIGN.md draws: `server → schema → resolvers → domain → db`, with
`permissions` used by schema and resolvers, integrations used by domain through Protocols defined
in domain (the adapter in integrations implements them; the server wires it in), formatting in
i18n, and nothing in domain or db importing Strawberry.

Every module of every package is parsed (ast, so nothing is run): each import, at the top or
inside a function, must be one of these. A package may always import itself, and the standard
library and third-party libraries but those named below.

    package       may import (first-party)
    server        schema, permissions, domain, db, i18n, integrations
                  (not resolvers: the schema is the server's way into the API)
    schema        resolvers, permissions, domain, db, i18n
    resolvers     permissions, domain, db, i18n
    permissions   domain, db
    integrations  domain (its Protocols), db, i18n
    domain        db, i18n
    db            -
    i18n          -

    Not in domain or db: strawberry, graphql, starlette, uvicorn (no GraphQL, no HTTP).
    Not in domain: Babel's formatting (babel.dates, babel.numbers.format_*): that is i18n's.
    Babel's data (a currency's precision, the list of currencies) is not formatting."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAY_IMPORT: dict[str, set[str]] = {
    "server": {"schema", "permissions", "domain", "db", "i18n", "integrations"},
    "schema": {"resolvers", "permissions", "domain", "db", "i18n"},
    "resolvers": {"permissions", "domain", "db", "i18n"},
    "permissions": {"domain", "db"},
    "integrations": {"domain", "db", "i18n"},
    "domain": {"db", "i18n"},
    "db": set(),
    "i18n": set(),
}
NO_GRAPHQL_OR_HTTP = {"strawberry", "graphql", "starlette", "uvicorn"}
WITHOUT_GRAPHQL_OR_HTTP = {"domain", "db"}

def imports_of(source: str, module: str) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names taken from it) for every import in a module's source,
    relative ones resolved against `module` (its dotted name: "db.loaders.__init__" for a package)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            names = [alias.name for alias in node.names]
            if not node.module and node.level:  # from . import x: x may be a module
                out.extend((node.lineno, f"{base}.{name}".lstrip("."), []) for name in names)
            else:
                out.append((node.lineno, base, names))
    return out


def violations(package: str, relative: str, found: list[tuple[int, str, list[str]]]) -> list[str]:
    """What in one file's imports goes against the matrix above."""
    out = []
    for line, imported, names in found:
        top = imported.split(".")[0]
        where = f"{relative}:{line} imports {imported}"
        if top in MAY_IMPORT and top != package and top not in MAY_IMPORT[package]:
            out.append(f"{where}: {package} may not import {top}")
        elif package in WITHOUT_GRAPHQL_OR_HTTP and top in NO_GRAPHQL_OR_HTTP:
            out.append(f"{where}: no GraphQL or HTTP in {package}")
        elif package == "domain" and top == "babel" and (
                imported.startswith("babel.dates") or any(n.startswith("format_") for n in names)):
            out.append(f"{where}: formatting belongs in i18n")
    return out


def modules() -> list[tuple[str, str, Path]]:
    """(package, path from the root, file) of every module of the application's packages."""
    return [(package, path.relative_to(ROOT).as_posix(), path)
            for package in MAY_IMPORT for path in sorted((ROOT / package).rglob("*.py"))]


def dotted(relative: str) -> str:
    return relative.removesuffix(".py").replace("/", ".")


def test_the_check_finds_imports_against_the_arrows():
    def check(package: str, relative: str, source: str) -> list[str]:
        return violations(package, relative, imports_of(source, dotted(relative)))

    assert check("server", "server/x.py", "from resolvers.context import Context\n")
    assert check("integrations", "integrations/x.py", "def f():\n    from schema.cost import QueryCost\n")
    assert check("domain", "domain/x.py", "import strawberry\n")
    assert check("db", "db/x.py", "from graphql import GraphQLError\n")
    assert check("domain", "domain/x.py", "from babel.numbers import format_currency\n")
    assert check("domain", "domain/x.py", "from babel.dates import get_timezone\n")
    assert check("resolvers", "resolvers/x.py", "from .. import schema\n")
    assert check("domain", "domain/identity/x.py", "from ...resolvers import errors\n")
    # ... and lets through what the arrows allow.
    assert not check("server", "server/x.py", "from schema.requests import Context\nimport integrations.smtp\n")
    assert not check("domain", "domain/x.py", "from db.models import Order\nfrom .money import minor_unit\n")
    assert not check("domain", "domain/x.py", "from babel.numbers import get_currency_precision\n")


def test_every_import_follows_the_layers():
    found = []
    for package, relative, path in modules():
        found += violations(package, relative, imports_of(path.read_text(), dotted(relative)))
    assert not found, "imports against DESIGN.md's layers:\n" + "\n".join(found)
