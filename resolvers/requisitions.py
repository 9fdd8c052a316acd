"""Requisition lists: saved, named lists of variants and quantities, shared within an account."""
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from db.models import RequisitionList
from db.repositories import requisitions as repo
from db.repositories.accounts import AccountRepository
from db.repositories.requisitions import RequisitionListRepository
from domain import audit
from domain.errors import Problem, Rejected, reject
from permissions.caller import Caller
from permissions.policy import Rule, rule
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import forbidden
from resolvers.userrors import (UserErrorData, check_text, decode_or_reject, in_transaction, require_signed_in)

MAX_ITEMS = 500
MAX_QUANTITY = 100_000


class RequisitionListErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    NAME_REQUIRED = "NAME_REQUIRED"
    NAME_TAKEN = "NAME_TAKEN"
    TOO_LONG = "TOO_LONG"
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    UNKNOWN_VARIANT = "UNKNOWN_VARIANT"
    DUPLICATE_VARIANT = "DUPLICATE_VARIANT"


E = RequisitionListErrorCode
NAME_CONFLICT = Problem(E.NAME_TAKEN, "The account has a list of that name", ("input", "name"))


@dataclass
class ItemInputData:
    variant_id: str
    quantity: int


@dataclass
class RequisitionListPayload:
    requisition_list: RequisitionList | None = None
    deleted_id: str | None = None
    user_errors: list[UserErrorData] = field(default_factory=list)


def may_edit(caller: Caller, r: Rule, account_id: int) -> bool:
    """BUYER or ADMIN anywhere in the account: lists belong to the account, not to a location."""
    if caller.allows(r, account_id):
        return True
    return any(caller.allows(r, account_id, loc) for role, where in caller.roles_in(account_id).items()
               if role in r.roles and where for loc in where)


def _check_write(ctx: Context, key: str) -> Rule:
    require_signed_in(ctx)
    r = rule(key)
    if not ctx.caller.allows(r):
        raise forbidden("Only a BUYER or ADMIN of the account may change its requisition lists")
    return r


async def _items(s: Any, items: list[ItemInputData]) -> list[tuple[int, int]]:
    if len(items) > MAX_ITEMS:
        raise reject(E.TOO_MANY_ITEMS, f"A list holds at most {MAX_ITEMS} items", "input", "items")
    decoded = [(decode_or_reject(it.variant_id, "ProductVariant", E.UNKNOWN_VARIANT, "input", "items", str(i),
                                 "variantId"), it.quantity) for i, it in enumerate(items)]
    sellable = await repo.sellable_variants(s, [v for v, _ in decoded])
    problems, seen = [], set()
    for i, (variant_id, quantity) in enumerate(decoded):
        where = ("input", "items", str(i))
        if variant_id not in sellable:
            problems.append(Problem(E.UNKNOWN_VARIANT, "No variant with that ID is for sale", where + ("variantId",)))
        elif variant_id in seen:
            problems.append(Problem(E.DUPLICATE_VARIANT, "Each variant may appear once", where + ("variantId",)))
        elif not 1 <= quantity <= MAX_QUANTITY:
            problems.append(Problem(E.INVALID_QUANTITY, f"Quantities go from 1 to {MAX_QUANTITY}", where + ("quantity",)))
        seen.add(variant_id)
    if problems:
        raise Rejected(*problems)
    return decoded


def _name(name: str | None) -> str | None:
    if name is None:
        return None
    value = check_text(name, 200, E.TOO_LONG, "input", "name")
    if not value:
        raise reject(E.NAME_REQUIRED, "Give the list a name", "input", "name")
    return value


async def create(ctx: Context, account_id: str, name: str, description: str | None,
                 items: list[ItemInputData]) -> RequisitionListPayload:
    r = _check_write(ctx, "Mutation.requisitionListCreate")

    async def work(s: Any) -> dict[str, Any]:
        aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
        account = await AccountRepository(s, ctx.scope("rows:Account")).get(aid)
        if account is None:
            raise reject(E.NOT_FOUND, "No account with that ID", "input", "accountId")
        if not may_edit(ctx.caller, r, account.id):
            raise forbidden("Only a BUYER or ADMIN of the account may change its requisition lists")
        value = _name(name)
        assert value is not None
        text = check_text(description, 1000, E.TOO_LONG, "input", "description")
        wanted = await _items(s, items)
        if await repo.name_taken(s, account.id, value):
            raise reject(E.NAME_TAKEN, "The account has a list of that name", "input", "name")
        lst = RequisitionList(account_id=account.id, name=value, description=text,
                              created_by_user_id=ctx.caller.user_id, created_at=ctx.now, updated_at=ctx.now)
        s.add(lst)
        await s.flush()
        await repo.replace_items(s, lst.id, wanted)
        audit.record(s, ctx.actor, "requisition_list.create", ctx.now, account_id=account.id,
                     target_type="RequisitionList", target_id=lst.id, items=len(wanted))
        return {"requisition_list": lst}
    return await in_transaction(ctx, RequisitionListPayload, work, on_conflict=NAME_CONFLICT)


async def _editable(ctx: Context, s: Any, r: Rule, list_id: str) -> RequisitionList:
    lid = decode_or_reject(list_id, "RequisitionList", E.NOT_FOUND, "input", "id")
    lst = await RequisitionListRepository(s, ctx.scope("rows:RequisitionList")).get(lid)
    if lst is None:
        raise reject(E.NOT_FOUND, "No requisition list with that ID", "input", "id")
    if not may_edit(ctx.caller, r, lst.account_id):
        raise forbidden("Only a BUYER or ADMIN of the account may change its requisition lists")
    return lst


async def update(ctx: Context, list_id: str, name: str | None, description: str | None,
                 items: list[ItemInputData] | None) -> RequisitionListPayload:
    r = _check_write(ctx, "Mutation.requisitionListUpdate")

    async def work(s: Any) -> dict[str, Any]:
        lst = await _editable(ctx, s, r, list_id)
        value = _name(name)
        if value is not None:
            if await repo.name_taken(s, lst.account_id, value, except_id=lst.id):
                raise reject(E.NAME_TAKEN, "The account has a list of that name", "input", "name")
            lst.name = value
        if description is not None:
            lst.description = check_text(description, 1000, E.TOO_LONG, "input", "description")
        if items is not None:
            await repo.replace_items(s, lst.id, await _items(s, items))
        lst.updated_at = ctx.now
        s.add(lst)
        audit.record(s, ctx.actor, "requisition_list.update", ctx.now, account_id=lst.account_id,
                     target_type="RequisitionList", target_id=lst.id,
                     changed=[k for k, v in (("name", name), ("description", description), ("items", items))
                              if v is not None])
        return {"requisition_list": lst}
    return await in_transaction(ctx, RequisitionListPayload, work, on_conflict=NAME_CONFLICT)


async def delete(ctx: Context, list_id: str) -> RequisitionListPayload:
    r = _check_write(ctx, "Mutation.requisitionListDelete")

    async def work(s: Any) -> dict[str, Any]:
        lst = await _editable(ctx, s, r, list_id)
        audit.record(s, ctx.actor, "requisition_list.delete", ctx.now, account_id=lst.account_id,
                     target_type="RequisitionList", target_id=lst.id, name=lst.name)
        await repo.delete_list(s, lst)
        return {"deleted_id": list_id}
    return await in_transaction(ctx, RequisitionListPayload, work)


async def lists(ctx: Context, account_id: str | None, window: Window) -> Connection:
    require_signed_in(ctx)
    from resolvers.globalid import decode_as  # noqa: PLC0415
    account_ids = (decode_as(account_id, "Account"),) if account_id else ()
    scope = ctx.scope("rows:RequisitionList")
    return await paginate(ctx, lambda s: RequisitionListRepository(s, scope), account_ids, window)


@dataclass
class CartLine:
    variant_id: int
    sku: str
    quantity: int


async def cart_lines(ctx: Context, lst: RequisitionList) -> list[CartLine]:
    """The list as cart lines: items whose variant is still for sale, in list order."""
    items = await ctx.loaders.requisition_items.load(lst.id)
    variants = await ctx.loaders.variant.load_many([i.variant_id for i in items])
    products = await ctx.loaders.product.load_many(sorted({v.product_id for v in variants if v}))
    active = {p.id for p in products if p and p.is_active}
    return [CartLine(v.id, v.sku, i.quantity) for i, v in zip(items, variants)
            if v is not None and v.is_active and v.product_id in active]
