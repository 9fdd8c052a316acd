"""Steps that undo, outside the database, what a transaction did there before it failed to commit:
a card charged inside a transaction that then rolls back is refunded. The mutation path
(resolvers/mutation.py) runs a session's steps when its transaction does not commit."""
from collections.abc import Awaitable, Callable
from typing import Any

_STEPS = "rollback.steps"


def on_rollback(session: Any, step: Callable[[], Awaitable[None]]) -> None:
    session.info.setdefault(_STEPS, []).append(step)


async def rolled_back(session: Any) -> None:
    """Run the session's steps, newest first; each one's failure is left to its own logging."""
    for step in reversed(session.info.pop(_STEPS, [])):
        await step()
