"""Relay connections built from a keyset page; totalCount runs its COUNT only when asked for."""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from db.pagination import Page, PaginationError, check_window
from resolvers.context import Context
from resolvers.errors import bad_input


@dataclass(slots=True)
class Edge:
    cursor: str
    node: Any


@dataclass(slots=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


class Connection:
    def __init__(self, page: Page[Any], count: Callable[[], Awaitable[int]]) -> None:
        self.nodes = page.rows
        self.edges = [Edge(c, r) for c, r in zip(page.cursors, page.rows)]
        self.page_info = PageInfo(page.has_next_page, page.has_previous_page,
                                  page.cursors[0] if page.cursors else None,
                                  page.cursors[-1] if page.cursors else None)
        self._count = count

    @property
    def total_count(self) -> Awaitable[int]:
        return self._count()


@dataclass(frozen=True)
class Window:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def kwargs(self) -> dict[str, Any]:
        return {"first": self.first, "after": self.after, "last": self.last, "before": self.before}


async def paginate(ctx: Context, repo_factory: Callable[[Any], Any], filter_: Any, window: Window) -> Connection:
    """One page from a repository with `page(filter, ...)` and `count(filter)` methods."""
    try:
        check_window(window.first, window.last)
        async with ctx.db.session() as session:
            page = await repo_factory(session).page(filter_, **window.kwargs())
    except PaginationError as e:
        raise bad_input(str(e)) from None

    async def count() -> int:
        async with ctx.db.session() as session:
            return await repo_factory(session).count(filter_)
    return Connection(page, count)
