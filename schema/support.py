"""Support tickets with their messages and files, and the knowledge base."""
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from db import models
from db.models.support import ArticleVisibility, MessageAuthor, TicketPriority, TicketStatus
from db.repositories.support import TicketFilter as TicketFilterData
from domain.knowledge_base import KbErrorCode
from domain.support import SupportErrorCode
from resolvers import support as resolve
from resolvers.connections import Window
from resolvers.globalid import decode_as, encode
from schema.common import Connection, Node, UserError, node_id, rows_of, user_errors
from schema.relations import relation

if TYPE_CHECKING:
    from schema.accounts import Person

TicketStatusEnum = strawberry.enum(TicketStatus, name="SupportTicketStatus")
TicketPriorityEnum = strawberry.enum(TicketPriority, name="SupportTicketPriority")
MessageAuthorEnum = strawberry.enum(MessageAuthor, name="SupportMessageAuthor")
ArticleVisibilityEnum = strawberry.enum(ArticleVisibility, name="KbArticleVisibility")
SupportErrorCodeEnum = strawberry.enum(SupportErrorCode, name="SupportErrorCode")
KbErrorCodeEnum = strawberry.enum(KbErrorCode, name="KbErrorCode")

ATTACHMENT_ROUTE = "/downloads/support-attachments/"
_FILES = "Up to 5 files of 8 MB each (images, PDF, Word, Excel or plain text, recognised by their content), " \
         "sent as a GraphQL multipart request."


def _gid(type_name: str, pk: int | None) -> strawberry.ID | None:
    return strawberry.ID(encode(type_name, pk)) if pk is not None else None


@strawberry.type(description="A file sent with a message. Download it from `url` with the same bearer token.")
class SupportAttachment:
    id: strawberry.ID = node_id("SupportAttachment")
    filename: str = strawberry.field(description="The sender's file name, made safe, with the extension of "
                                                 "the kind of file it is.")
    content_type: str
    size_bytes: int
    created_at: datetime

    @strawberry.field(description="Path of the authenticated download, relative to the API's origin.")
    def url(self) -> str:
        return ATTACHMENT_ROUTE + encode("SupportAttachment", self.id)  # type: ignore[attr-defined]


@strawberry.type(description="A message on a ticket. Internal notes (staff only) are never shown to customers.")
class SupportMessage:
    id: strawberry.ID = node_id("SupportMessage")
    author: MessageAuthorEnum  # type: ignore[valid-type]
    body: str
    internal: bool
    created_at: datetime

    attachments = relation("list[SupportAttachment]", "support.attachments")
    author_person = relation(Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user",
                             "author_user_id", description="Who wrote it.")


@strawberry.type(description="A support ticket: OPEN, WAITING_ON_MERCHANT or WAITING_ON_CUSTOMER as the "
                             "conversation goes, then RESOLVED or CLOSED.")
class SupportTicket(Node):
    id: strawberry.ID = node_id("SupportTicket")
    is_type_of = rows_of(models.SupportTicket)
    number: str
    subject: str
    status: TicketStatusEnum  # type: ignore[valid-type]
    priority: TicketPriorityEnum  # type: ignore[valid-type]
    created_at: datetime
    updated_at: datetime
    escalated_at: datetime | None = strawberry.field(description="When it went to the account team.")

    @strawberry.field(description="The order it is about; fetch it with node(id:) (if you may see it).")
    def order_id(self) -> strawberry.ID | None:
        return _gid("Order", self.order_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The invoice it is about; fetch it with node(id:) (if you may see it).")
    def invoice_id(self) -> strawberry.ID | None:
        return _gid("Invoice", self.invoice_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The subscription it is about; fetch it with node(id:) (if you may see it).")
    def subscription_id(self) -> strawberry.ID | None:
        return _gid("Subscription", self.subscription_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Knowledge base articles offered before it was opened (none answered it).")
    def offered_article_ids(self) -> list[strawberry.ID]:
        ids = self.offered_article_ids  # type: ignore[attr-defined]
        return [strawberry.ID(encode("KbArticle", int(i))) for i in ids.split(",") if i]

    messages = relation("list[SupportMessage]", "support.messages", description="Oldest first.")
    opened_by = relation(Annotated["Person", strawberry.lazy("schema.accounts")] | None, "accounts.user",
                         "opened_by_user_id")


SupportTicketConnection = Connection[SupportTicket]


@strawberry.type
class KbTopic:
    id: strawberry.ID = node_id("KbTopic")
    slug: str
    title: str
    position: int


@strawberry.type(description="A knowledge base article in one locale; its translations share its slug.")
class KbArticle(Node):
    id: strawberry.ID = node_id("KbArticle")
    is_type_of = rows_of(models.KbArticle)
    slug: str
    locale: str
    title: str
    body_markdown: str
    body_html: str = strawberry.field(description="Rendered from the Markdown: raw HTML escaped, links only "
                                                  "to http, https and mailto.")
    visibility: ArticleVisibilityEnum  # type: ignore[valid-type]
    published_at: datetime | None = strawberry.field(description="Null: a draft (staff only).")
    updated_at: datetime

    topic = relation("KbTopic | None", "support.topic", "topic_id")

    @strawberry.field(description="The product or plan it is about.")
    def product_id(self) -> strawberry.ID | None:
        return _gid("Product", self.product_id)  # type: ignore[attr-defined]


@strawberry.type
class KbArticleDeflections:
    article: KbArticle
    deflections: int


@strawberry.type(description="How often an offered article answered a customer's question instead of a ticket.")
class SupportDeflectionReport:
    deflections: int
    tickets_opened: int
    tickets_opened_after_offers: int = strawberry.field(
        description="Tickets opened although articles were offered first.")
    by_article: list[KbArticleDeflections]


@strawberry.input
class SupportTicketFilter:
    status: list[TicketStatusEnum] | None = None  # type: ignore[valid-type]
    priority: list[TicketPriorityEnum] | None = None  # type: ignore[valid-type]
    account_id: strawberry.ID | None = None
    escalated: bool | None = None

    def to_data(self) -> TicketFilterData:
        return TicketFilterData(statuses=tuple(self.status or ()), priorities=tuple(self.priority or ()),
                                account_ids=(decode_as(self.account_id, "Account"),) if self.account_id else (),
                                escalated=self.escalated)


@strawberry.type
class SupportError(UserError):
    is_type_of = user_errors()
    code: SupportErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class KbError(UserError):
    is_type_of = user_errors()
    code: KbErrorCodeEnum  # type: ignore[valid-type]


@strawberry.input
class SupportTicketCreateInput:
    subject: str
    body: str
    priority: TicketPriorityEnum | None = None  # type: ignore[valid-type]
    location_id: strawberry.ID | None = strawberry.field(default=None, description="The location it is for "
                                                         "(a BUYER's); taken from the order or subscription.")
    account_id: strawberry.ID | None = strawberry.field(default=None, description="An account-wide ticket (ADMIN).")
    order_id: strawberry.ID | None = None
    invoice_id: strawberry.ID | None = None
    subscription_id: strawberry.ID | None = None
    offered_article_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The articles supportArticlesFor offered that did not answer the question.")
    attachments: list[Upload] | None = strawberry.field(default=None, description=_FILES)


@strawberry.input
class SupportTicketReplyInput:
    ticket_id: strawberry.ID
    body: str
    attachments: list[Upload] | None = strawberry.field(default=None, description=_FILES)


@strawberry.input
class SupportStaffReplyInput:
    ticket_id: strawberry.ID
    body: str
    internal: bool = strawberry.field(default=False, description="A note among staff: not shown, not emailed.")
    status: TicketStatusEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Default: WAITING_ON_CUSTOMER for an answer, unchanged for a note.")
    attachments: list[Upload] | None = strawberry.field(default=None, description=_FILES)


@strawberry.input
class SupportTicketUpdateInput:
    ticket_id: strawberry.ID
    status: TicketStatusEnum | None = None  # type: ignore[valid-type]
    priority: TicketPriorityEnum | None = None  # type: ignore[valid-type]


@strawberry.input
class SupportTicketIdInput:
    ticket_id: strawberry.ID


@strawberry.input
class SupportTicketEscalateInput:
    ticket_id: strawberry.ID
    reason: str


@strawberry.input
class KbArticleCreateInput:
    slug: str
    title: str
    body_markdown: str
    locale: str = "en"
    topic_id: strawberry.ID | None = None
    product_id: strawberry.ID | None = strawberry.field(default=None, description="A product, or a plan (a "
                                                        "subscription's product).")
    visibility: ArticleVisibilityEnum = ArticleVisibility.PUBLIC  # type: ignore[valid-type]


@strawberry.input
class KbArticleUpdateInput:
    id: strawberry.ID
    slug: str | None = None
    title: str | None = None
    body_markdown: str | None = None
    topic_id: strawberry.ID | None = None
    product_id: strawberry.ID | None = None
    visibility: ArticleVisibilityEnum | None = None  # type: ignore[valid-type]
    publish: bool | None = strawberry.field(default=None, description="true: publish now; false: back to draft.")


@strawberry.input
class KbTopicCreateInput:
    slug: str
    title: str
    position: int = 0


@strawberry.input
class SupportDeflectInput:
    article_id: strawberry.ID
    subject: str


@strawberry.type
class SupportTicketPayload:
    ticket: SupportTicket | None
    message: SupportMessage | None
    user_errors: list[SupportError]


@strawberry.type
class KbArticlePayload:
    article: KbArticle | None
    user_errors: list[KbError]


@strawberry.type
class KbTopicPayload:
    topic: KbTopic | None
    user_errors: list[KbError]


@strawberry.type
class SupportDeflection:
    created_at: datetime
    subject: str


@strawberry.type
class SupportDeflectPayload:
    deflection: SupportDeflection | None
    user_errors: list[KbError]


def _article_values(input: object, *names: str) -> dict[str, object]:
    return {n: getattr(input, n) for n in names if getattr(input, n) is not None}


_ARTICLE_FIELDS = ("slug", "title", "body_markdown", "topic_id", "product_id", "visibility")


@strawberry.type
class SupportQueries:
    @strawberry.field(description="Support tickets the caller may see, last changed first: a BUYER those of its "
                                  "locations, an ADMIN all of the account's, staff all (the queue).")
    async def support_tickets(self, info: Info, filter: SupportTicketFilter | None = None, first: int | None = None,
                              after: str | None = None, last: int | None = None,
                              before: str | None = None) -> SupportTicketConnection:  # type: ignore[valid-type]
        return await resolve.tickets(info.context, (filter or SupportTicketFilter()).to_data(),  # type: ignore[return-value]
                                     Window(first, after, last, before))

    @strawberry.field(description="Knowledge base articles the caller may read (no sign-in needed for PUBLIC "
                                  "ones), by title.")
    async def kb_articles(self, info: Info, locale: str | None = None, topic_id: strawberry.ID | None = None,
                          product_id: strawberry.ID | None = None, first: int = 50) -> list[KbArticle]:
        return await resolve.articles(info.context, locale, topic_id, product_id, first)  # type: ignore[return-value]

    @strawberry.field(description="An article by slug, in `locale` (or its language, or English) when written "
                                  "in it.")
    async def kb_article(self, info: Info, slug: str, locale: str | None = None) -> KbArticle | None:
        return await resolve.article(info.context, slug, locale)  # type: ignore[return-value]

    @strawberry.field(description="Full-text search of the articles the caller may read, most relevant first.")
    async def kb_search(self, info: Info, query: str, locale: str | None = None, first: int = 10) -> list[KbArticle]:
        return await resolve.search(info.context, query, locale, first)  # type: ignore[return-value]

    @strawberry.field(description="Articles that may answer a question before a ticket is opened: offer these "
                                  "first, then call supportDeflect or pass their IDs to supportTicketCreate.")
    async def support_articles_for(self, info: Info, subject: str, locale: str | None = None) -> list[KbArticle]:
        return await resolve.search(info.context, subject, locale, 5)  # type: ignore[return-value]

    @strawberry.field(description="Knowledge base topics, in order.")
    async def kb_topics(self, info: Info) -> list[KbTopic]:
        return await resolve.topics(info.context)  # type: ignore[return-value]

    @strawberry.field(description="Deflections against tickets opened, in a window (staff only).")
    async def support_deflection_report(self, info: Info, since: datetime | None = None,
                                        until: datetime | None = None) -> SupportDeflectionReport:
        return await resolve.deflection_report(info.context, since, until)  # type: ignore[return-value]


@strawberry.type
class SupportMutations:
    @strawberry.mutation(description="Open a support ticket (BUYER for its locations, ADMIN for the account).")
    async def support_ticket_create(self, info: Info, input: SupportTicketCreateInput) -> SupportTicketPayload:
        return await resolve.ticket_create(info.context, resolve.TicketInputData(  # type: ignore[return-value]
            input.subject, input.body, input.priority, input.account_id, input.location_id, input.order_id,
            input.invoice_id, input.subscription_id, list(input.offered_article_ids or []),
            list(input.attachments or [])))

    @strawberry.mutation(description="Answer on a ticket as the customer.")
    async def support_ticket_reply(self, info: Info, input: SupportTicketReplyInput) -> SupportTicketPayload:
        return await resolve.ticket_reply(info.context, input.ticket_id, input.body,  # type: ignore[return-value]
                                          list(input.attachments or []))

    @strawberry.mutation(description="Close a ticket as the customer.")
    async def support_ticket_close(self, info: Info, input: SupportTicketIdInput) -> SupportTicketPayload:
        return await resolve.ticket_close(info.context, input.ticket_id)  # type: ignore[return-value]

    @strawberry.mutation(description="Hand a ticket to the account team (customer ADMIN or staff).")
    async def support_ticket_escalate(self, info: Info, input: SupportTicketEscalateInput) -> SupportTicketPayload:
        return await resolve.ticket_escalate(info.context, input.ticket_id, input.reason)  # type: ignore[return-value]

    @strawberry.mutation(description="Answer a ticket (the customer is emailed) or add an internal note (staff).")
    async def support_staff_reply(self, info: Info, input: SupportStaffReplyInput) -> SupportTicketPayload:
        return await resolve.staff_reply(info.context, input.ticket_id, input.body,  # type: ignore[return-value]
                                         list(input.attachments or []), input.internal, input.status)

    @strawberry.mutation(description="Set a ticket's status or priority (staff).")
    async def support_ticket_update(self, info: Info, input: SupportTicketUpdateInput) -> SupportTicketPayload:
        return await resolve.ticket_update(info.context, input.ticket_id, input.status,  # type: ignore[return-value]
                                           input.priority)

    @strawberry.mutation(description="Record that an offered article answered the question: no ticket is opened.")
    async def support_deflect(self, info: Info, input: SupportDeflectInput) -> SupportDeflectPayload:
        return await resolve.deflect(info.context, input.article_id, input.subject)  # type: ignore[return-value]

    @strawberry.mutation(description="Write a knowledge base article, as a draft (staff).")
    async def kb_article_create(self, info: Info, input: KbArticleCreateInput) -> KbArticlePayload:
        values = _article_values(input, *_ARTICLE_FIELDS, "locale")
        return await resolve.article_create(info.context, values)  # type: ignore[return-value]

    @strawberry.mutation(description="Change, publish or withdraw a knowledge base article (staff).")
    async def kb_article_update(self, info: Info, input: KbArticleUpdateInput) -> KbArticlePayload:
        return await resolve.article_update(info.context, input.id,  # type: ignore[return-value]
                                            _article_values(input, *_ARTICLE_FIELDS), input.publish)

    @strawberry.mutation(description="Add a knowledge base topic (staff).")
    async def kb_topic_create(self, info: Info, input: KbTopicCreateInput) -> KbTopicPayload:
        return await resolve.topic_create(info.context, input.slug, input.title, input.position)  # type: ignore[return-value]
