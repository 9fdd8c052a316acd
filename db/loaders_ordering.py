"""Batch functions of the ordering loaders (carts, approvals, quotes): one statement per relation."""
from collections.abc import Sequence
from typing import Any

from db.engine import Database
from db.loaders import by_id, children
from db.models import Address, Cart, CartLine, OrderApprovalRequest, Quote
from db.repositories import ordering as order_repo
from db.repositories.quotes import lines_by_quote

address_by_id = by_id(Address)
cart_by_id = by_id(Cart)
quote_by_id = by_id(Quote)
lines_by_cart = children(CartLine, "cart_id", CartLine.position)


async def approvals_by_order_id(db: Database, keys: Sequence[int]) -> list[list[Any]]:
    async with db.session() as s:
        found = await order_repo.approvals_by_order(s, list(keys))
    return [found.get(k, []) for k in keys]


async def approval_request_by_order_id(db: Database, keys: Sequence[int]) -> list[OrderApprovalRequest | None]:
    async with db.session() as s:
        found = await order_repo.requests_by_order(s, list(keys))
    return [found.get(k) for k in keys]


async def lines_by_quote_id(db: Database, keys: Sequence[int]) -> list[list[Any]]:
    async with db.session() as s:
        found = await lines_by_quote(s, list(keys))
    return [found.get(k, []) for k in keys]

