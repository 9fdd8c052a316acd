"""A person's own notification preferences (viewer.notificationPreferences and their update)."""
from typing import Any

from domain import notifications
from domain.notifications import Category
from resolvers.context import Context
from resolvers.identity import require_person
from resolvers.mutation import mutation


def _listed(prefs: dict[Category, bool]) -> list[tuple[Category, bool]]:
    return list(prefs.items())


async def my_preferences(ctx: Context) -> list[tuple[Category, bool]]:
    if ctx.caller.user_id is None:
        return []
    async with ctx.db.session() as s:
        return _listed(await notifications.preferences(s, ctx.caller.user_id))


@mutation("notificationPreferencesUpdate", audit="notifications.update")
async def update(ctx: Context, s: Any, changes: list[tuple[Category, bool]]) -> dict[str, Any]:
    # The caller's own preferences and no one else's: the input names no user.
    user_id = require_person(ctx, delegated_ok=True)
    return {"preferences": _listed(await notifications.update(s, user_id, changes, ctx.now, ctx.actor))}
