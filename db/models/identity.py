"""Identity tables: single-use tokens, two-factor secrets, invitations, API keys, OAuth clients.

Secrets (tokens, codes, client secrets, API keys) are stored only as SHA-256 digests."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field, utcnow


class AuthToken(SQLModel, table=True):
    """A single-use token sent by email (verification, reset, magic link, invitation) or handed
    out as a two-factor challenge. `data` carries what the token completes (never a secret)."""

    __tablename__ = "auth_token"
    __table_args__ = (sa.Index("ix_auth_token_email_purpose", "email", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=32)  # VERIFY_EMAIL, PASSWORD_RESET, MAGIC_LINK, TWO_FACTOR
    email: str = Field(max_length=254)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    # The short code typed by hand (magic links), hashed with the token's salt.
    code_hash: str | None = Field(default=None, max_length=64)
    attempts: int = Field(default=0)
    created_at: datetime = utc_field(default_factory=utcnow)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True, default=None)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class TwoFactor(SQLModel, table=True):
    """A user's TOTP secret (sealed, see domain/identity/sealing.py): pending until confirmed."""

    __tablename__ = "two_factor"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", sa_column_kwargs={"unique": True})
    secret: str = Field(max_length=255)
    created_at: datetime = utc_field(default_factory=utcnow)
    enabled_at: datetime | None = utc_field(nullable=True, default=None)
    # The last TOTP time step accepted: a code of that step or earlier is a replay.
    last_step: int = Field(default=0, sa_type=sa.BigInteger)


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = utc_field(nullable=True, default=None)


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    email: str = Field(max_length=254, index=True)
    # [{"role": "BUYER", "location_id": 3 | null}, ...]
    roles: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    invited_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = utc_field(default_factory=utcnow)
    expires_at: datetime = utc_field()
    accepted_at: datetime | None = utc_field(nullable=True, default=None)
    accepted_user_id: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = utc_field(nullable=True, default=None)


class ApiKey(SQLModel, table=True):
    """A secret key of the merchant's own backend (server-made customer sessions)."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)  # the first characters, to recognise a key in a list
    key_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = utc_field(default_factory=utcnow)
    last_used_at: datetime | None = utc_field(nullable=True, default=None)
    revoked_at: datetime | None = utc_field(nullable=True, default=None)


class OAuthClient(SQLModel, table=True):
    """An integration (OAuth 2 client credentials) acting for one account within its scopes."""

    __tablename__ = "oauth_client"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    client_id: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    secret_hash: str = Field(max_length=64)
    name: str = Field(max_length=100)
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)
    last_used_at: datetime | None = utc_field(nullable=True, default=None)
    revoked_at: datetime | None = utc_field(nullable=True, default=None)
