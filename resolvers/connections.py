"""Relay connections built from a keyset page; totalCount runs its COUNT only when asked for."""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
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
        self._page = page
        self._count = count

    @cached_property
    def edges(self) -> list[Edge]:
        return [Edge(self._page.cursor(i), r) for i, r in enumerate(self._page.rows)]

    @cached_property
    def page_info(self) -> PageInfo:
        page = self._page
        return PageInfo(page.has_next_page, page.has_previous_page,
                        page.cursor(0) if page.rows else None, page.cursor(-1) if page.rows else None)

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
