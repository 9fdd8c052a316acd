"""Strawberry permission classes that enforce the policy table field by field."""
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from permissions.policy import rule as policy_rule


class Allowed(BasePermission):
    """The field's policy entry must allow the caller on the object (its account, location, owner)."""

    message = "You do not have permission to read this field"
    error_extensions = {"code": "FORBIDDEN"}

    def __init__(self, key: str) -> None:
        self.key = key
        self.rule = policy_rule(key)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.caller.allows_on(self.rule, source)


class IsAuthenticated(BasePermission):
    message = "Sign in first: send a session token as 'Authorization: Bearer <token>'"
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.caller.is_authenticated


def guarded(key: str, **kwargs: Any) -> Any:
    """A field readable only as the policy entry `key` says; its description names the roles."""
    rule = policy_rule(key)
    roles = ", ".join(sorted(r.value for r in rule.roles)) or "merchant staff"  # no customer role: staff only
    note = f"Requires {roles}" + (" or the owner" if rule.owner else "") + "."
    description = kwargs.pop("description", None)
    kwargs["description"] = f"{description} {note}" if description else note
    extensions = list(kwargs.pop("extensions", []))
    extensions.append(PermissionExtension(permissions=[Allowed(key)], use_directives=False))
    return strawberry.field(extensions=extensions, **kwargs)


def authenticated(**kwargs: Any) -> Any:
    extensions = list(kwargs.pop("extensions", []))
    extensions.append(PermissionExtension(permissions=[IsAuthenticated()], use_directives=False))
    return strawberry.field(extensions=extensions, **kwargs)


def forbidden(message: str = "You do not have permission to do this") -> GraphQLError:
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})
