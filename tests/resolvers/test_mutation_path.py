"""The one mutation path: every mutation of the schema goes through it, and it checks the policy
before anything runs, writes nothing on a Rejected, turns a unique-constraint race into a userError,
commits failure effects on their own and audits every committed mutation."""
from datetime import datetime, timezone
from decimal import Decimal
from enum import StrEnum

import pytest
from graphql import GraphQLError
from sqlmodel import func, select

from db.models import AuditEvent, Product, ProductVariant
from domain.audit import Actor
from domain.clock import FixedClock
from domain.errors import Problem, Rejected, reject
from permissions.caller import ANONYMOUS, Caller, CallerKind
from db.enums import Role, StaffRole
from permissions.policy import POLICY, rule
from resolvers.context import Context
from resolvers.mutation import MUTATIONS, MutationSpec, Payload, run
from schema.root import schema

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


class Code(StrEnum):
    NOPE = "NOPE"
    TAKEN = "TAKEN"


def test_every_mutation_of_the_schema_goes_through_the_path_with_a_policy_entry_and_an_audit_action():
    names = set(schema._schema.mutation_type.fields)  # noqa: SLF001 - the GraphQL names
    assert len(names) > 50
    missing = sorted(names - set(MUTATIONS))
    assert missing == [], f"mutations that do not go through resolvers.mutation: {missing}"
    assert set(MUTATIONS) <= names, "a registered mutation the schema does not have"
    for name, spec in MUTATIONS.items():
        assert POLICY[f"Mutation.{name}"] is spec.rule
        assert spec.audit and "." in spec.audit, f"{name}: audit action {spec.audit!r}"


def _ctx(db, caller: Caller) -> Context:
    return Context(db=db, caller=caller, clock=FixedClock(NOW))


async def _count(db, model) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


def _product(title: str) -> Product:
    return Product(title=title, created_at=NOW)


async def _variant(s, sku: str) -> ProductVariant:
    product = _product(sku)
    s.add(product)
    await s.flush()
    return ProductVariant(product_id=product.id, sku=sku, title=sku, list_price=Decimal("1.00"), currency="USD")


STAFF_ADMIN = Caller(kind=CallerKind.STAFF, user_id=None, staff_role=StaffRole.STAFF_ADMIN)
SPEC = MutationSpec("productCreate", rule("Mutation.productCreate"), "test.product_create", None)


async def test_the_policy_is_checked_before_the_work_runs(db):
    ran = []

    async def work(ctx, s):
        ran.append(1)
        return {}
    viewer = Caller(kind=CallerKind.CUSTOMER, user_id=1, grants={1: {Role.VIEWER: None}})
    support = Caller(kind=CallerKind.STAFF, user_id=1, staff_role=StaffRole.STAFF_SUPPORT)
    integration = Caller(kind=CallerKind.INTEGRATION, grants={1: {Role.ADMIN: None}},
                         oauth_scopes=frozenset({"orders:read"}))
    for caller, code in ((ANONYMOUS, "UNAUTHENTICATED"), (viewer, "FORBIDDEN"), (support, "FORBIDDEN"),
                         (integration, "FORBIDDEN")):
        with pytest.raises(GraphQLError) as raised:
            await run(_ctx(db, caller), SPEC, Payload, work)
        assert raised.value.extensions["code"] == code
    assert ran == []
    await run(_ctx(db, STAFF_ADMIN), SPEC, Payload, work)
    assert ran == [1]


async def test_rejected_writes_nothing_and_commits_only_its_effects_and_failure_audit(db):
    products, events = await _count(db, Product), await _count(db, AuditEvent)
    effects = []

    async def effect(s):
        effects.append(1)
        s.add(AuditEvent(at=NOW, actor_kind="SYSTEM", action="test.effect", data={}))

    async def work(ctx, s):
        s.add(_product("path-rejected"))
        await s.flush()
        raise reject(Code.NOPE, "Not like this", "input", "handle", effects=[effect], answer={"extra": 7},
                     target_user_id=5, why="test")
    spec = MutationSpec("productCreate", SPEC.rule, "test.product_create", "test.product_create_failed")
    answer = await run(_ctx(db, STAFF_ADMIN), spec, Payload, work)
    assert [(e.code, e.message, e.field) for e in answer.user_errors] == [(Code.NOPE, "Not like this",
                                                                          ["input", "handle"])]
    assert answer.extra == 7 and answer.product is None
    assert await _count(db, Product) == products
    async with db.session() as s:
        new = (await s.exec(select(AuditEvent).where(AuditEvent.id > events).order_by(AuditEvent.id))).all()
    assert [(e.action, e.target_type, e.target_id) for e in new] == [("test.effect", None, None),
                                                                    ("test.product_create_failed", "User", 5)]
    assert new[1].data == {"code": "NOPE", "why": "test"}


async def test_input_refused_for_its_shape_is_no_audited_attempt_and_a_row_hidden_by_role_is_not_found(db):
    events = await _count(db, AuditEvent)

    async def work(ctx, s):
        raise reject(Code.NOPE, "Far too long", "input", attempted=False)
    spec = MutationSpec("productCreate", SPEC.rule, "test.product_create", "test.product_create_failed")
    answer = await run(_ctx(db, STAFF_ADMIN), spec, Payload, work)
    assert [e.code for e in answer.user_errors] == [Code.NOPE] and await _count(db, AuditEvent) == events
    hidden = MutationSpec("productCreate", SPEC.rule, "test.product_create", None, not_found="product")
    support = Caller(kind=CallerKind.STAFF, user_id=1, staff_role=StaffRole.STAFF_SUPPORT)
    with pytest.raises(GraphQLError) as raised:
        await run(_ctx(db, support), hidden, Payload, work)
    assert raised.value.extensions["code"] == "NOT_FOUND"


async def test_a_unique_constraint_race_becomes_the_coded_user_error(db):
    async with db.transaction() as s:
        s.add(await _variant(s, "PATH-TAKEN"))
    products = await _count(db, Product)

    async def work(ctx, s):
        s.add(await _variant(s, "PATH-TAKEN"))
        await s.flush()
        return {}
    conflict = Problem(Code.TAKEN, "Someone took this handle a moment ago", ("input", "handle"))
    answer = await run(_ctx(db, STAFF_ADMIN), SPEC, Payload, work, on_conflict=conflict)
    assert [(e.code, e.field) for e in answer.user_errors] == [(Code.TAKEN, ["input", "handle"])]
    assert await _count(db, Product) == products
    with pytest.raises(Exception, match="UNIQUE|unique|duplicate"):
        await run(_ctx(db, STAFF_ADMIN), SPEC, Payload, work)


async def test_a_committed_mutation_is_audited_once_by_the_domain_or_else_by_the_path(db):
    async def silent(ctx, s):
        product = _product("path-silent")
        s.add(product)
        await s.flush()
        return {"product": product}

    async def audited(ctx, s):
        from domain import audit
        audit.record(s, Actor("STAFF"), "test.own_event", NOW)
        return {}
    before = await _count(db, AuditEvent)
    answer = await run(_ctx(db, STAFF_ADMIN), SPEC, Payload, silent)
    assert answer.user_errors == [] and answer.product.title == "path-silent"
    await run(_ctx(db, STAFF_ADMIN), SPEC, Payload, audited)
    async with db.session() as s:
        new = (await s.exec(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id))).all()
    assert [(e.action, e.target_type, e.target_id) for e in new] == [
        ("test.product_create", "Product", answer.product.id), ("test.own_event", None, None)]


def test_rejected_carries_every_problem():
    e = Rejected(Problem(Code.NOPE, "a"), Problem(Code.TAKEN, "b", ("x",)))
    assert (e.code, e.message, [p.code for p in e.problems]) == (Code.NOPE, "a", [Code.NOPE, Code.TAKEN])
