"""Requisition lists: saved, named lists of variants and quantities that belong to an account."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import RequisitionList
from db.repositories import requisitions as repo
from db.repositories.accounts import AccountRepository
from db.repositories.requisitions import RequisitionListRepository
from db.scope import RowScope
from domain import audit
from domain.audit import Actor
from domain.errors import Problem, Rejected, reject
from domain.text import check_text

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
# Two members naming lists alike at once: the database's unique name wins over our check.
NAME_CONFLICT = Problem(E.NAME_TAKEN, "The account has a list of that name", ("input", "name"))

# The caller's policy check on the account of the list: raises when it may not change its lists.
Guard = Callable[[int], None]


@dataclass(frozen=True)
class WantedItem:
    variant_id: int
    quantity: int


@dataclass(frozen=True)
class ListChanges:
    """What a create or update gives; None leaves a field as it is (on update)."""

    name: str | None = None
    description: str | None = None
    items: list[WantedItem] | None = None


def check_size(count: int) -> None:
    if count > MAX_ITEMS:
        raise reject(E.TOO_MANY_ITEMS, f"A list holds at most {MAX_ITEMS} items", "input", "items")


async def _items(s: AsyncSession, items: list[WantedItem]) -> list[tuple[int, int]]:
    check_size(len(items))
    sellable = await repo.sellable_variants(s, [it.variant_id for it in items])
    problems, seen = [], set()
    for i, it in enumerate(items):
        where = ("input", "items", str(i))
        if it.variant_id not in sellable:
            problems.append(Problem(E.UNKNOWN_VARIANT, "No variant with that ID is for sale", where + ("variantId",)))
        elif it.variant_id in seen:
            problems.append(Problem(E.DUPLICATE_VARIANT, "Each variant may appear once", where + ("variantId",)))
        elif not 1 <= it.quantity <= MAX_QUANTITY:
            problems.append(Problem(E.INVALID_QUANTITY, f"Quantities go from 1 to {MAX_QUANTITY}",
                                    where + ("quantity",)))
        seen.add(it.variant_id)
    if problems:
        raise Rejected(*problems)
    return [(it.variant_id, it.quantity) for it in items]


def _name(name: str | None) -> str | None:
    if name is None:
        return None
    value = check_text(name, 200, E.TOO_LONG, "input", "name")
    if not value:
        raise reject(E.NAME_REQUIRED, "Give the list a name", "input", "name")
    return value


async def create(s: AsyncSession, actor: Actor, now: datetime, scope: RowScope, guard: Guard, account_id: int,
                 wanted: ListChanges) -> RequisitionList:
    account = await AccountRepository(s, scope).get(account_id)
    if account is None:
        raise reject(E.NOT_FOUND, "No account with that ID", "input", "accountId")
    guard(account.id)
    name = _name(wanted.name or "")
    text = check_text(wanted.description, 1000, E.TOO_LONG, "input", "description")
    items = await _items(s, wanted.items or [])
    if await repo.name_taken(s, account.id, name):  # type: ignore[arg-type]
        raise reject(E.NAME_TAKEN, "The account has a list of that name", "input", "name")
    lst = RequisitionList(account_id=account.id, name=name, description=text, created_by_user_id=actor.user_id,
                          created_at=now, updated_at=now)
    s.add(lst)
    await s.flush()
    await repo.replace_items(s, lst.id, items)  # type: ignore[arg-type]
    audit.record(s, actor, "requisition_list.create", now, account_id=account.id,
                 target_type="RequisitionList", target_id=lst.id, items=len(items))
    return lst


async def _editable(s: AsyncSession, scope: RowScope, guard: Guard, list_id: int) -> RequisitionList:
    lst = await RequisitionListRepository(s, scope).get(list_id)
    if lst is None:
        raise reject(E.NOT_FOUND, "No requisition list with that ID", "input", "id")
    guard(lst.account_id)
    return lst


async def update(s: AsyncSession, actor: Actor, now: datetime, scope: RowScope, guard: Guard, list_id: int,
                 changes: ListChanges) -> RequisitionList:
    lst = await _editable(s, scope, guard, list_id)
    name = _name(changes.name)
    if name is not None:
        if await repo.name_taken(s, lst.account_id, name, except_id=lst.id):
            raise reject(E.NAME_TAKEN, "The account has a list of that name", "input", "name")
        lst.name = name
    if changes.description is not None:
        lst.description = check_text(changes.description, 1000, E.TOO_LONG, "input", "description")
    if changes.items is not None:
        await repo.replace_items(s, lst.id, await _items(s, changes.items))  # type: ignore[arg-type]
    lst.updated_at = now
    s.add(lst)
    audit.record(s, actor, "requisition_list.update", now, account_id=lst.account_id,
                 target_type="RequisitionList", target_id=lst.id,
                 changed=[k for k in ("name", "description", "items") if getattr(changes, k) is not None])
    return lst


async def delete(s: AsyncSession, actor: Actor, now: datetime, scope: RowScope, guard: Guard, list_id: int) -> None:
    lst = await _editable(s, scope, guard, list_id)
    audit.record(s, actor, "requisition_list.delete", now, account_id=lst.account_id,
                 target_type="RequisitionList", target_id=lst.id, name=lst.name)
    await repo.delete_list(s, lst)
