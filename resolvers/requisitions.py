"""Requisition lists: saved, named lists of variants and quantities, shared within an account."""
from dataclasses import dataclass, field
from typing import Any

from db.models import RequisitionList
from db.repositories.requisitions import RequisitionListRepository
from domain import requisitions
from domain.requisitions import NAME_CONFLICT, ListChanges, RequisitionListErrorCode as E, WantedItem
from permissions.policy import rule
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import UserError, forbidden, unauthenticated
from resolvers.globalid import decode_as, decode_or_reject
from resolvers.mutation import mutation


@dataclass
class ItemInputData:
    variant_id: str
    quantity: int


@dataclass
class RequisitionListPayload:
    requisition_list: RequisitionList | None = None
    deleted_id: str | None = None
    user_errors: list[UserError] = field(default_factory=list)


def _guard(ctx: Context, key: str) -> requisitions.Guard:
    """BUYER or ADMIN anywhere in the account: lists belong to the account, not to a location."""
    r = rule(key)

    def check(account_id: int) -> None:
        caller = ctx.caller
        if caller.allows(r, account_id) or any(
                caller.allows(r, account_id, loc) for role, where in caller.roles_in(account_id).items()
                if role in r.roles and where for loc in where):
            return
        raise forbidden("Only a BUYER or ADMIN of the account may change its requisition lists")
    return check


def _items(items: list[ItemInputData] | None) -> list[WantedItem] | None:
    if items is None:
        return None
    requisitions.check_size(len(items))
    return [WantedItem(decode_or_reject(it.variant_id, "ProductVariant", E.UNKNOWN_VARIANT, "input", "items", str(i),
                                        "variantId"), it.quantity) for i, it in enumerate(items)]


@mutation("requisitionListCreate", RequisitionListPayload, audit="requisition_list.create", on_conflict=NAME_CONFLICT)
async def create(ctx: Context, s: Any, account_id: str, name: str, description: str | None,
                 items: list[ItemInputData]) -> dict[str, Any]:
    aid = decode_or_reject(account_id, "Account", E.NOT_FOUND, "input", "accountId")
    lst = await requisitions.create(s, ctx.actor, ctx.now, ctx.scope("rows:Account"),
                                    _guard(ctx, "Mutation.requisitionListCreate"), aid,
                                    ListChanges(name, description, _items(items)))
    return {"requisition_list": lst}


@mutation("requisitionListUpdate", RequisitionListPayload, audit="requisition_list.update", on_conflict=NAME_CONFLICT)
async def update(ctx: Context, s: Any, list_id: str, name: str | None, description: str | None,
                 items: list[ItemInputData] | None) -> dict[str, Any]:
    lid = decode_or_reject(list_id, "RequisitionList", E.NOT_FOUND, "input", "id")
    lst = await requisitions.update(s, ctx.actor, ctx.now, ctx.scope("rows:RequisitionList"),
                                    _guard(ctx, "Mutation.requisitionListUpdate"), lid,
                                    ListChanges(name, description, _items(items)))
    return {"requisition_list": lst}


@mutation("requisitionListDelete", RequisitionListPayload, audit="requisition_list.delete")
async def delete(ctx: Context, s: Any, list_id: str) -> dict[str, Any]:
    lid = decode_or_reject(list_id, "RequisitionList", E.NOT_FOUND, "input", "id")
    await requisitions.delete(s, ctx.actor, ctx.now, ctx.scope("rows:RequisitionList"),
                              _guard(ctx, "Mutation.requisitionListDelete"), lid)
    return {"deleted_id": list_id}


async def lists(ctx: Context, account_id: str | None, window: Window) -> Connection:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
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
    items = await ctx.loaders.requisitions.items.load(lst.id)
    variants = await ctx.loaders.catalog.variant.load_many([i.variant_id for i in items])
    products = await ctx.loaders.catalog.product.load_many(sorted({v.product_id for v in variants if v}))
    active = {p.id for p in products if p and p.is_active}
    return [CartLine(v.id, v.sku, i.quantity) for i, v in zip(items, variants)
            if v is not None and v.is_active and v.product_id in active]
