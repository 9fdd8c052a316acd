"""Support tickets (messages, attachments, internal notes) and the knowledge base (topics,
articles in several locales, and the deflections recorded when an article answered a question)."""
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.types import enum_field, utc_field, utcnow


class TicketStatus(StrEnum):
    OPEN = "OPEN"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    WAITING_ON_MERCHANT = "WAITING_ON_MERCHANT"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class TicketPriority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class MessageAuthor(StrEnum):
    CUSTOMER = "CUSTOMER"
    STAFF = "STAFF"


class ArticleVisibility(StrEnum):
    PUBLIC = "PUBLIC"          # anyone, signed in or not
    SIGNED_IN = "SIGNED_IN"    # any signed-in customer
    CUSTOMERS = "CUSTOMERS"    # accounts that bought the article's product (or subscribe to it as a plan)


class SupportTicket(SQLModel, table=True):
    __tablename__ = "support_ticket"
    __table_args__ = (sa.Index("ix_support_ticket_account_created", "account_id", "created_at", "id"),
                      sa.Index("ix_support_ticket_status_updated", "status", "updated_at", "id"))

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    account_id: int = Field(foreign_key="account.id")
    # The location it is about (a buyer sees the tickets of its locations); None: the account's.
    location_id: int | None = Field(default=None, foreign_key="location.id", index=True)
    opened_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    subject: str = Field(max_length=200)
    status: TicketStatus = enum_field(TicketStatus, index=True)
    priority: TicketPriority = enum_field(TicketPriority, default=TicketPriority.NORMAL)
    order_id: int | None = Field(default=None, foreign_key="customer_order.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    subscription_id: int | None = Field(default=None, foreign_key="subscription.id")
    escalated_at: datetime | None = utc_field(nullable=True, default=None)
    escalated_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    # Knowledge base articles offered before the ticket was opened ("3,8"): none answered it.
    offered_article_ids: str = Field(default="", max_length=200)
    created_at: datetime = utc_field(default_factory=utcnow)
    updated_at: datetime = utc_field(default_factory=utcnow)

    @property
    def owner_user_id(self) -> int | None:
        return self.opened_by_user_id


class SupportMessage(SQLModel, table=True):
    __tablename__ = "support_message"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="support_ticket.id", index=True)
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    author: MessageAuthor = enum_field(MessageAuthor)
    body: str = Field(max_length=10000)
    # A note among staff: never shown to the customer, never emailed.
    internal: bool = Field(default=False)
    created_at: datetime = utc_field(default_factory=utcnow)


class SupportAttachment(SQLModel, table=True):
    """A file sent with a message; stored under `storage_key`, a name we made."""

    __tablename__ = "support_attachment"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="support_message.id", index=True)
    ticket_id: int = Field(foreign_key="support_ticket.id", index=True)
    storage_key: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    filename: str = Field(max_length=120)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    created_at: datetime = utc_field(default_factory=utcnow)


class KbTopic(SQLModel, table=True):
    __tablename__ = "kb_topic"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    title: str = Field(max_length=200)
    position: int = Field(default=0)


class KbArticle(SQLModel, table=True):
    """One article in one locale; its translations share its slug."""

    __tablename__ = "kb_article"
    __table_args__ = (sa.UniqueConstraint("slug", "locale"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, index=True)
    locale: str = Field(max_length=16)
    topic_id: int | None = Field(default=None, foreign_key="kb_topic.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    title: str = Field(max_length=200)
    body_markdown: str = Field(max_length=50000)
    # Rendered once when written, from Markdown with raw HTML escaped (domain/knowledge_base.py).
    body_html: str
    visibility: ArticleVisibility = enum_field(ArticleVisibility, default=ArticleVisibility.PUBLIC)
    published_at: datetime | None = utc_field(nullable=True, default=None)
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=utcnow)
    updated_at: datetime = utc_field(default_factory=utcnow)


class KbDeflection(SQLModel, table=True):
    """A customer said an offered article answered its question: no ticket was opened."""

    __tablename__ = "kb_deflection"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="kb_article.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    subject: str = Field(max_length=200)
    created_at: datetime = utc_field(default_factory=utcnow, index=True)
