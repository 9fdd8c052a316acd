"""Sign-in sessions. Tokens are random; only their SHA-256 is stored."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field, utcnow


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    # How the session was made: password, token (CLI), and later magic link, API key, ...
    method: str = Field(default="password", max_length=32)
    created_at: datetime = utc_field(default_factory=utcnow)
    last_seen_at: datetime = utc_field(default_factory=utcnow)
    expires_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(nullable=True, default=None)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    # Sessions made by the merchant's backend (API key) act for this one account only.
    account_id: int | None = Field(default=None, sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("account.id", name="fk_auth_session_account"), nullable=True))
