"""What rows a caller may see, as the repositories need it to write their WHERE clauses.

The permissions package computes a RowScope from the policy table and the caller's roles;
repositories turn it into SQL, so tenancy holds wherever rows are read."""
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from db.recent import Recent


@dataclass(frozen=True)
class AccountScope:
    account_id: int
    # None: every location of the account. Otherwise only these (possibly none).
    location_ids: frozenset[int] | None
    # Rows owned by this user (orders it placed, its own membership) are visible too.
    own_user_id: int | None = None


@dataclass(frozen=True)
class RowScope:
    everything: bool = False
    accounts: tuple[AccountScope, ...] = ()

    def where(self, account_col: ColumnElement, location_col: ColumnElement | None = None,
              owner_col: ColumnElement | None = None) -> ColumnElement[bool]:
        # Built once per scope and columns (a page and its count both ask; building costs ~0.1 ms).
        # Expressions are immutable, so one may serve many statements.
        key = (self, id(account_col), id(location_col), id(owner_col))
        # The entry holds its columns, so no other column can take their ids while it is kept.
        found = _WHERE.recall(key) or _WHERE.keep(key, (account_col, location_col, owner_col,
                                                        self._where(account_col, location_col, owner_col)))
        return found[3]

    def _where(self, account_col: ColumnElement, location_col: ColumnElement | None,
               owner_col: ColumnElement | None) -> ColumnElement[bool]:
        if self.everything:
            return sa.true()
        clauses = []
        for a in self.accounts:
            if a.location_ids is None:
                clauses.append(account_col == a.account_id)
                continue
            parts = []
            if location_col is not None and a.location_ids:
                parts.append(location_col.in_(sorted(a.location_ids)))
            if owner_col is not None and a.own_user_id is not None:
                parts.append(owner_col == a.own_user_id)
            if location_col is None and owner_col is None and a.location_ids:
                # Rows of the account itself: a role at any of its locations shows them.
                clauses.append(account_col == a.account_id)
            elif parts:
                clauses.append(sa.and_(account_col == a.account_id, sa.or_(*parts)))
        return sa.or_(*clauses) if clauses else sa.false()


_WHERE: Recent[tuple[RowScope, int, int, int], tuple[Any, Any, Any, ColumnElement[bool]]] = Recent(2048)

NOTHING = RowScope()
EVERYTHING = RowScope(everything=True)
