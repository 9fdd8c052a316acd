"""The one path every mutation goes through.

    @mutation("orderApprove", OrderDecisionPayload, audit="order.approve")
    async def order_approve(ctx, s, order_id, comment) -> dict: ...

1. The mutation's policy entry is looked up when the module is imported (a mutation without one
   cannot be written) and checked before anything runs: UNAUTHENTICATED or FORBIDDEN at the top
   level when the caller's kind, roles or scopes can never allow it (NOT_FOUND for a mutation of
   one row by ID, `not_found=`, whose rows such a caller cannot see either). Which account or
   location the change touches is checked by the work itself (`require`), once it has read the row.
2. The work runs in one transaction on the session it is given and returns the payload's fields.
3. `Rejected` (domain/errors.py) rolls it back and becomes the payload's userErrors; its effects
   (a wrong code counted) and, for `failed_audit`, an audit event are then committed on their own.
4. A unique constraint that a concurrent writer won becomes the `on_conflict` userError.
5. A committed mutation always leaves an audit event: the domain's own, or one named `audit`
   for the first changed row of the payload.
6. When the transaction does not commit, the steps the work registered to undo what it did
   outside the database (domain/rollback.py: a card charge refunded) run."""
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from domain import audit as audit_log
from domain.errors import Problem, Rejected
from domain.rollback import rolled_back
from permissions.caller import CallerKind
from permissions.policy import Rule, rule
from resolvers.context import Context
from resolvers.errors import UserError, forbidden, not_found, unauthenticated


@dataclass(frozen=True)
class MutationSpec:
    name: str
    rule: Rule
    audit: str
    failed_audit: str | None
    # What the mutation changes by ID, when a caller who may never change it cannot see it either.
    not_found: str | None = None


# Every mutation by its GraphQL name: tests walk it against the schema.
MUTATIONS: dict[str, MutationSpec] = {}


class Payload:
    """A mutation's answer for payload types with no dataclass of their own: the fields given,
    null for any other (after a failure)."""

    def __init__(self, user_errors: list[UserError] | None = None, **values: Any) -> None:
        self.user_errors = user_errors or []
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None


def admit(ctx: Context, name: str, policy: Rule, hidden: str | None = None) -> None:
    """Could the policy entry ever allow this caller? If not, stop before anything runs: FORBIDDEN,
    or NOT_FOUND (`hidden`: the kind of row named by ID) as for any ID the caller cannot see."""
    caller = ctx.caller
    if policy.public:
        return
    if not caller.is_authenticated:
        raise unauthenticated()
    if caller.kind is CallerKind.STAFF:
        allowed = caller.staff_role in policy.staff
    elif caller.kind is CallerKind.INTEGRATION:
        allowed = policy.oauth_scope is not None and policy.oauth_scope in caller.oauth_scopes
    else:
        allowed = policy.owner or any(role in policy.roles for held in caller.grants.values() for role in held)
    if not allowed:
        raise not_found(hidden) if hidden else forbidden(f"Your role does not allow {name}")


def require(ctx: Context, key: str, account_id: int | None, location_id: int | None = None,
            owner_user_id: int | None = None) -> None:
    """The policy entry `key` must allow the caller on this account (and location, and owner);
    else a top-level FORBIDDEN and nothing is written."""
    if not ctx.caller.allows(rule(key), account_id, location_id, owner_user_id):
        raise forbidden(f"Your role does not allow {key.removeprefix('Mutation.')} here")


def user_errors(e: Rejected) -> list[UserError]:
    return [UserError(p.message, p.code, list(p.field) if p.field else None) for p in e.problems]


def _audit_target(fields: dict[str, Any]) -> dict[str, Any]:
    """The first changed row of the payload, as the audit event's target."""
    for value in fields.values():
        if hasattr(value, "id") and hasattr(value, "__table__"):
            return {"target_type": type(value).__name__, "target_id": value.id,
                    "account_id": getattr(value, "account_id", None)}
    return {}


async def _commit_failure(ctx: Context, spec: MutationSpec, e: Rejected) -> None:
    action = spec.failed_audit if e.attempted else None
    if not e.effects and action is None:
        return
    async with ctx.db.transaction() as s:
        for effect in e.effects:
            await effect(s)
        if action is not None:
            facts = dict(e.facts)
            target = facts.pop("target_user_id", None)
            audit_log.record(s, ctx.actor, action, ctx.now, target_type="User" if target else None,
                             target_id=target, code=e.code.value, **facts)


Work = Callable[..., Awaitable[dict[str, Any]]]


async def run(ctx: Context, spec: MutationSpec, payload: Callable[..., Any], work: Work, *args: Any,
              on_conflict: Problem | None = None, **kwargs: Any) -> Any:
    admit(ctx, spec.name, spec.rule, spec.not_found)
    try:
        session = None
        try:
            async with ctx.db.transaction() as s:
                session = s
                fields = await work(ctx, s, *args, **kwargs)
                if not audit_log.was_recorded(s):
                    audit_log.record(s, ctx.actor, spec.audit, ctx.now, **_audit_target(fields))
        except BaseException:
            if session is not None:  # what the work did outside the database (a card charged) is undone
                await rolled_back(session)
            raise
    except Rejected as e:
        await _commit_failure(ctx, spec, e)
        return payload(user_errors=user_errors(e), **e.answer)
    except IntegrityError:
        if on_conflict is None:
            raise
        return payload(user_errors=user_errors(Rejected(on_conflict)))
    return payload(**fields)


def mutation(name: str, payload: Callable[..., Any] = Payload, *, audit: str, failed_audit: str | None = None,
             on_conflict: Problem | None = None,
             not_found: str | None = None) -> Callable[[Work], Callable[..., Awaitable[Any]]]:
    """Make `work(ctx, session, *args)` the mutation `name`: see the module's docstring."""
    spec = MutationSpec(name, rule(f"Mutation.{name}"), audit, failed_audit, not_found)
    if name in MUTATIONS:
        raise ValueError(f"mutation {name} is defined twice")
    MUTATIONS[name] = spec

    def decorate(work: Work) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(work)
        async def resolve(ctx: Context, *args: Any, **kwargs: Any) -> Any:
            return await run(ctx, spec, payload, work, *args, on_conflict=on_conflict, **kwargs)
        return resolve
    return decorate
