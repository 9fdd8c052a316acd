"""Child rows seen through their parent: a line through its order, a variant through a location.

Permission checks and prices need the parent's account and location; the row lacks them.
Attribute reads fall through to the row, so schema types read it as if it were the row."""
from typing import Any


class Within:
    __slots__ = ("row", "account_id", "location_id")

    def __init__(self, row: Any, account_id: int | None, location_id: int | None) -> None:
        self.row = row
        self.account_id = account_id
        self.location_id = location_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def within(rows: list[Any], parent: Any) -> list[Within]:
    account_id, location_id = parent.account_id, parent.location_id
    return [Within(r, account_id, location_id) for r in rows]
