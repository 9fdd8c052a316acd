"""Small helpers shared by tests: global IDs of demo objects, error codes of a response, a slowed step for races."""
import asyncio
from typing import Any

from sqlmodel import select

from db.engine import Database
from resolvers.globalid import encode


async def gid(db: Database, model: Any, **where: Any) -> str:
    """The global ID of the one row of `model` matching `where`."""
    async with db.session() as s:
        stmt = select(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        row = (await s.exec(stmt)).one()
    return encode(model.__name__ if model.__name__ != "ProductVariant" else "ProductVariant", row.id)


async def row(db: Database, model: Any, **where: Any) -> Any:
    async with db.session() as s:
        stmt = select(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return (await s.exec(stmt)).one()


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


# Every demo person: the customers of Acme (each role), Globex and Jo, and merchant staff.
DEMO_PEOPLE = ("admin@acme.example", "buyer@acme.example", "approver@acme.example", "ap@acme.example",
               "viewer@acme.example", "admin@globex.example", "jo@example.com", "support@merchant.example",
               "ops@merchant.example")


async def finders(gql: Any, global_id: str) -> set[str]:
    """Who of DEMO_PEOPLE finds the object by its ID; everybody else must get NOT_FOUND."""
    found = set()
    for who in DEMO_PEOPLE:
        body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": global_id}, as_=who)
        if body["data"]["node"] == {"id": global_id}:
            found.add(who)
        else:
            assert codes(body) == ["NOT_FOUND"], (global_id, who, body)
    return found


def error_paths(body: dict[str, Any], code: str) -> list[list[Any]]:
    return [e.get("path") for e in body.get("errors", []) if e.get("extensions", {}).get("code") == code]


def slowed(monkeypatch: Any, module: Any, name: str, seconds: float = 0.2) -> None:
    """`module.name` waits after it answers: requests sent at once are all past it before any goes
    on, so a test of concurrent changes sees the race whatever the machine's speed."""
    original = getattr(module, name)

    async def slow(*args: Any, **kwargs: Any) -> Any:
        found = await original(*args, **kwargs)
        await asyncio.sleep(seconds)
        return found
    monkeypatch.setattr(module, name, slow)
