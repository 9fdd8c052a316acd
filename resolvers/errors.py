"""Top-level GraphQL errors with an extensions.code, as DESIGN.md lists them, and the user errors
that mutation payloads carry for expected business failures."""
from dataclasses import dataclass
from enum import Enum

from graphql import GraphQLError


@dataclass
class UserError:
    """One entry of a payload's userErrors; `code` is a member of the mutation's own code enum."""

    message: str
    code: Enum | str
    field: list[str] | None = None


def coded(message: str, code: str, **extra: object) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extra})


def not_found(what: str = "object") -> GraphQLError:
    # Same answer for "does not exist" and "belongs to someone else".
    return coded(f"No {what} with that ID", "NOT_FOUND")


def bad_input(message: str) -> GraphQLError:
    return coded(message, "BAD_USER_INPUT")


def unauthenticated(message: str = "Sign in first", reason: str | None = None) -> GraphQLError:
    extra = {"reason": reason} if reason else {}
    return coded(message, "UNAUTHENTICATED", **extra)


def forbidden(message: str = "You do not have permission to do this") -> GraphQLError:
    return coded(message, "FORBIDDEN")
