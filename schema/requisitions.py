"""Requisition lists: named lists of variants and quantities that an account's members share."""
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from db import models
from domain.requisitions import RequisitionListErrorCode
from resolvers import requisitions as resolve
from resolvers.connections import Window
from resolvers.globalid import encode
from schema.relations import relation
from schema.common import Connection, Node, UserError, node_id, rows_of, user_errors

if TYPE_CHECKING:
    from schema.accounts import Account, Person
    from schema.catalog import ProductVariant

RequisitionListErrorCodeEnum = strawberry.enum(RequisitionListErrorCode, name="RequisitionListErrorCode")


@strawberry.type
class RequisitionListItem:
    quantity: int

    variant = relation(Annotated["ProductVariant", strawberry.lazy("schema.catalog")], "catalog.variant", "variant_id")

    @strawberry.field(description="Whether the variant is still for sale.")
    async def available(self, info: Info) -> bool:
        variant = await info.context.loaders.catalog.variant.load(self.variant_id)  # type: ignore[attr-defined]
        product = await info.context.loaders.catalog.product.load(variant.product_id)
        return bool(variant.is_active and product.is_active)


@strawberry.type(description="A line in the shape a cart takes (variant or SKU, and quantity).")
class CartLineSpec:
    variant_id: strawberry.ID = strawberry.field(resolver=lambda root: strawberry.ID(encode("ProductVariant", root.variant_id)))
    sku: str
    quantity: int


@strawberry.type(description="A saved, named list of variants and quantities, shared within the account.")
class RequisitionList(Node):
    id: strawberry.ID = node_id("RequisitionList")
    is_type_of = rows_of(models.RequisitionList)
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime

    items = relation("list[RequisitionListItem]", "requisitions.items")

    @strawberry.field(description="The items still for sale, as lines to add to a cart (quantity rules and prices "
                                  "are checked when they are added).")
    async def cart_lines(self, info: Info) -> list[CartLineSpec]:
        return await resolve.cart_lines(info.context, self)  # type: ignore[arg-type,return-value]

    account = relation(Annotated["Account", strawberry.lazy("schema.accounts")], "accounts.account", "account_id")
    created_by = relation(Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user", "created_by_user_id")


RequisitionListConnection = Connection[RequisitionList]


@strawberry.type
class RequisitionListError(UserError):
    is_type_of = user_errors()
    code: RequisitionListErrorCodeEnum  # type: ignore[valid-type]


@strawberry.input
class RequisitionListItemInput:
    variant_id: strawberry.ID
    quantity: int


@strawberry.input
class RequisitionListCreateInput:
    account_id: strawberry.ID
    name: str
    description: str | None = None
    items: list[RequisitionListItemInput] = strawberry.field(default_factory=list)


@strawberry.input
class RequisitionListUpdateInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    items: list[RequisitionListItemInput] | None = strawberry.field(
        default=None, description="The whole new list of items; leave out to keep the items.")


@strawberry.input
class RequisitionListDeleteInput:
    id: strawberry.ID


@strawberry.type
class RequisitionListPayload:
    requisition_list: RequisitionList | None
    user_errors: list[RequisitionListError]


@strawberry.type
class RequisitionListDeletePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[RequisitionListError]


def _items(items: list[RequisitionListItemInput]) -> list[resolve.ItemInputData]:
    return [resolve.ItemInputData(i.variant_id, i.quantity) for i in items]


@strawberry.type
class RequisitionQueries:
    @strawberry.field(description="Requisition lists of the caller's accounts (or of one), by name.")
    async def requisition_lists(self, info: Info, account_id: strawberry.ID | None = None, first: int | None = None,
                                after: str | None = None, last: int | None = None,
                                before: str | None = None) -> RequisitionListConnection:  # type: ignore[valid-type]
        return await resolve.lists(info.context, account_id, Window(first, after, last, before))  # type: ignore[return-value]


@strawberry.type
class RequisitionMutations:
    @strawberry.mutation(description="Save a named list of variants and quantities for the account (BUYER, ADMIN).")
    async def requisition_list_create(self, info: Info, input: RequisitionListCreateInput) -> RequisitionListPayload:
        return await resolve.create(info.context, input.account_id, input.name, input.description,  # type: ignore[return-value]
                                    _items(input.items))

    @strawberry.mutation(description="Rename a list, change its description or replace its items (BUYER, ADMIN).")
    async def requisition_list_update(self, info: Info, input: RequisitionListUpdateInput) -> RequisitionListPayload:
        return await resolve.update(info.context, input.id, input.name, input.description,  # type: ignore[return-value]
                                    None if input.items is None else _items(input.items))

    @strawberry.mutation(description="Delete a requisition list (BUYER, ADMIN).")
    async def requisition_list_delete(self, info: Info,
                                      input: RequisitionListDeleteInput) -> RequisitionListDeletePayload:
        return await resolve.delete(info.context, input.id)  # type: ignore[return-value]
