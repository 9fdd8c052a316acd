"""Reading the row a mutation changes: among the rows the caller sees, and under lock when it is
to be changed, so a state change always decides on the state the last writer committed."""
from enum import StrEnum
from typing import Any

from domain.errors import reject
from resolvers.errors import not_found
from resolvers.globalid import decode_as


async def find_row(repository: Any, gid: str, type_name: str, code: StrEnum, field: str, *,
                   lock: bool = True) -> Any:
    """The row of an ID among those the caller sees (read under lock to change it: see
    ScopedRepository.get_locked), else the domain's not-found userError at input.`field`."""
    pk = decode_as(gid, type_name)
    row = await (repository.get_locked(pk) if lock else repository.get(pk))
    if row is None:
        raise reject(code, f"No {type_name.lower()} with that ID", "input", field)
    return row


async def find_locked(repository: Any, gid: str, type_name: str, what: str) -> Any:
    """The row of an ID among those the caller sees, under lock; else a top-level NOT_FOUND, the
    same answer as for a row that does not exist."""
    row = await repository.get_locked(decode_as(gid, type_name))
    if row is None:
        raise not_found(what)
    return row
