"""The codes of identity's expected failures, one enum per group of mutations (the GraphQL enum of
the same name). Flows raise them with `domain.errors.reject`; helpers shared by several groups
(emails, names, emailed tokens) take the group's enum."""
from enum import StrEnum


class SignInErrorCode(StrEnum):
    """Every way of signing in: password, second factor, emailed link or code, email verification,
    accepting an invitation."""
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_TOKEN = "INVALID_TOKEN"
    EXPIRED_TOKEN = "EXPIRED_TOKEN"
    USED_TOKEN = "USED_TOKEN"
    INVALID_CODE = "INVALID_CODE"
    NOT_ENABLED = "NOT_ENABLED"
    ALREADY_VERIFIED = "ALREADY_VERIFIED"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    INVALID_NAME = "INVALID_NAME"
    WEAK_PASSWORD = "WEAK_PASSWORD"


class CredentialsErrorCode(StrEnum):
    """Signing up, asking for emails (reset, magic link) and setting a new password."""
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_NAME = "INVALID_NAME"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_TOKEN = "INVALID_TOKEN"
    EXPIRED_TOKEN = "EXPIRED_TOKEN"
    USED_TOKEN = "USED_TOKEN"
    INVALID_INPUT = "INVALID_INPUT"


class EmailChangeErrorCode(StrEnum):
    """Changing one's email: asking (signed in), confirming from the new address, undoing from the old."""
    INVALID_EMAIL = "INVALID_EMAIL"
    SAME_EMAIL = "SAME_EMAIL"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_TOKEN = "INVALID_TOKEN"
    EXPIRED_TOKEN = "EXPIRED_TOKEN"
    USED_TOKEN = "USED_TOKEN"


class SessionErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"


class TwoFactorErrorCode(StrEnum):
    ALREADY_ENABLED = "ALREADY_ENABLED"
    NOT_ENROLLED = "NOT_ENROLLED"
    NOT_ENABLED = "NOT_ENABLED"
    INVALID_CODE = "INVALID_CODE"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"


class InvitationErrorCode(StrEnum):
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_ROLES = "INVALID_ROLES"
    INVALID_LOCATION = "INVALID_LOCATION"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    NOT_PENDING = "NOT_PENDING"


class MembershipErrorCode(StrEnum):
    INVALID_ROLES = "INVALID_ROLES"
    INVALID_LOCATION = "INVALID_LOCATION"
    LAST_ADMIN = "LAST_ADMIN"
    INVALID_AMOUNT = "INVALID_AMOUNT"


class OAuthClientErrorCode(StrEnum):
    INVALID_NAME = "INVALID_NAME"
    INVALID_SCOPE = "INVALID_SCOPE"


class CustomerSessionErrorCode(StrEnum):
    """POST /customer-sessions (server/customer_sessions.py): NOT_FOUND answers 404, the rest 400."""
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_EMAIL = "INVALID_EMAIL"
    NOT_FOUND = "NOT_FOUND"


class TokenErrorCode(StrEnum):
    """An integration's access token that does not authenticate: the UNAUTHENTICATED error's reason."""
    INVALID_TOKEN = "INVALID_TOKEN"
    SESSION_EXPIRED = "SESSION_EXPIRED"

