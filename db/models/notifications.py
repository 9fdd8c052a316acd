"""Which emails a person wants (a row only where they chose other than the default), and the
unsubscribe links that have been used (each works once)."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import utc_field


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "category", name="uq_notification_preference"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    category: str = Field(max_length=32)  # domain.notifications.Category
    enabled: bool
    updated_at: datetime = utc_field()


class UnsubscribeUse(SQLModel, table=True):
    """An unsubscribe link that was used: the link names the outbox message it was sent with, so
    the message's id is unique here and a second use of the same link is refused."""

    __tablename__ = "unsubscribe_use"

    message_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(foreign_key="user.id", index=True)
    category: str = Field(max_length=32)
    used_at: datetime = utc_field()
