"""Expected business failures, one family for every domain.

Domain code raises `Rejected` with a code from its own domain's enum (each domain keeps its
`...ErrorCode` beside its rules); the mutation path (resolvers/mutation.py) turns it into the
payload's userErrors, and since it is raised inside the mutation's transaction, nothing is written."""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Work to commit even though the mutation failed (a wrong code counted), run in a fresh transaction.
Effect = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class Problem:
    code: StrEnum
    message: str
    field: tuple[str, ...] | None = None


class Rejected(Exception):
    """Expected failures of one request.

    `effects` are committed on their own after the rollback; `facts` go into the failure's audit
    event (never secrets); `answer` fills payload fields that explain the failure (the prices that
    changed since a cart was filled). `attempted=False`: input refused for its shape before any
    attempt (an email of 300 characters), which a failure's audit event does not record: such a
    request is refused before it is rate limited, so nothing it does may be written."""

    def __init__(self, *problems: Problem, effects: list[Effect] | None = None,
                 answer: dict[str, Any] | None = None, attempted: bool = True, **facts: Any) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)
        self.effects = effects or []
        self.answer = answer or {}
        self.attempted = attempted
        self.facts = facts

    @property
    def code(self) -> StrEnum:
        return self.problems[0].code

    @property
    def message(self) -> str:
        return self.problems[0].message


def reject(code: StrEnum, message: str, *field: str, **kw: Any) -> Rejected:
    return Rejected(Problem(code, message, tuple(field) or None), **kw)
