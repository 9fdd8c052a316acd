"""Which emails the viewer receives: its notification preferences."""
import strawberry
from strawberry.types import Info

from domain.notifications import Category, NotificationErrorCode
from resolvers import notifications as resolve
from schema.common import UserError, user_errors

NotificationCategoryEnum = strawberry.enum(Category, name="NotificationCategory", description=(
    "A kind of email a person may turn off. Legal and security mail (receipts, sign-in links, password "
    "changes) is always sent and has no category; MARKETING is off unless chosen."))
NotificationErrorCodeEnum = strawberry.enum(NotificationErrorCode, name="NotificationErrorCode")


@strawberry.type(description="Whether the viewer receives the emails of one category.")
class NotificationPreference:
    category: NotificationCategoryEnum = strawberry.field(resolver=lambda root: root[0])  # type: ignore[valid-type]
    enabled: bool = strawberry.field(resolver=lambda root: root[1])


@strawberry.type
class NotificationError(UserError):
    is_type_of = user_errors()
    code: NotificationErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class NotificationPreferencesUpdatePayload:
    preferences: list[NotificationPreference] | None = strawberry.field(description="Every category, after the change.")
    user_errors: list[NotificationError]


@strawberry.input
class NotificationPreferenceInput:
    category: NotificationCategoryEnum  # type: ignore[valid-type]
    enabled: bool


@strawberry.input(description="The categories to change; the others stay as they are.")
class NotificationPreferencesUpdateInput:
    preferences: list[NotificationPreferenceInput]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(description="Turn categories of the viewer's own emails on or off.")
    async def notification_preferences_update(self, info: Info, input: NotificationPreferencesUpdateInput
                                              ) -> NotificationPreferencesUpdatePayload:
        changes = [(Category(p.category), p.enabled) for p in input.preferences]
        return await resolve.update(info.context, changes)  # type: ignore[return-value]
