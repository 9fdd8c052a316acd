"""Support tickets (customers open and answer them, staff answer, note, triage and escalate) and
the knowledge base (staff write and publish; anyone reads what it may; deflections)."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models import KbArticle, KbDeflection, KbTopic, SupportMessage, SupportTicket
from db.models.support import TicketPriority, TicketStatus
from db.repositories import knowledge_base as kb_repo
from db.repositories import support as support_repo
from db.repositories.accounts import AccountRepository, LocationRepository
from db.repositories.billing import InvoiceRepository
from db.repositories.knowledge_base import ArticleRepository
from db.repositories.orders import OrderRepository
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.support import TicketFilter, TicketRepository
from db.scope import EVERYTHING
from domain import knowledge_base, support
from domain.errors import Rejected, reject
from domain.knowledge_base import ArticleInput, KbErrorCode
from domain.support import SupportErrorCode as E, TicketAsked
from i18n.locales import candidates
from resolvers.connections import Connection, Window, paginate
from resolvers.context import Context
from resolvers.errors import forbidden, unauthenticated
from resolvers.globalid import decode_or_reject, encode
from resolvers.identity import throttle
from resolvers.mutation import mutation, require


@dataclass
class TicketPayload:
    ticket: SupportTicket | None = None
    message: SupportMessage | None = None
    user_errors: list[Any] = field(default_factory=list)


@dataclass
class ArticlePayload:
    article: KbArticle | None = None
    user_errors: list[Any] = field(default_factory=list)


@dataclass
class TopicPayload:
    topic: KbTopic | None = None
    user_errors: list[Any] = field(default_factory=list)


@dataclass
class DeflectPayload:
    deflection: KbDeflection | None = None
    user_errors: list[Any] = field(default_factory=list)


@dataclass
class TicketInputData:
    subject: str | None
    body: str | None
    priority: TicketPriority | None = None
    account_id: str | None = None
    location_id: str | None = None
    order_id: str | None = None
    invoice_id: str | None = None
    subscription_id: str | None = None
    offered_article_ids: list[str] = field(default_factory=list)
    attachments: list[Any] = field(default_factory=list)


def _link(ctx: Context, ticket_id: int | None = None) -> str:
    base = ctx.settings.frontend_url.rstrip("/") + "/support"
    return f"{base}/{encode('SupportTicket', ticket_id)}" if ticket_id else base


async def _with_files(work: Any, ctx: Context, *args: Any) -> Any:
    """Run a mutation that stores files; the files of one that did not commit are removed again."""
    written: list[str] = []
    try:
        result = await work(ctx, *args, written)
    except BaseException:
        await support.forget_files(ctx.storage, written)
        raise
    if result.user_errors:
        await support.forget_files(ctx.storage, written)
    return result


def _tickets(ctx: Context, s: Any) -> TicketRepository:
    return TicketRepository(s, ctx.scope("rows:SupportTicket"))


async def _where(ctx: Context, s: Any, data: TicketInputData) -> dict[str, Any]:
    """The account and location of a new ticket, from what it is about or where it is asked."""
    links = [(name, gid) for name, gid in (("orderId", data.order_id), ("invoiceId", data.invoice_id),
                                            ("subscriptionId", data.subscription_id)) if gid]
    if len(links) > 1:
        raise reject(E.ONE_LINK_ONLY, "Link a ticket to one order, invoice or subscription", "input", links[1][0])
    found: dict[str, Any] = {}
    if links:
        name, gid = links[0]
        type_name, repo, rows_key = {"orderId": ("Order", OrderRepository, "rows:Order"),
                                     "invoiceId": ("Invoice", InvoiceRepository, "rows:Invoice"),
                                     "subscriptionId": ("Subscription", SubscriptionRepository,
                                                        "rows:Subscription")}[name]
        pk = decode_or_reject(gid, type_name, E.NOT_FOUND, "input", name)
        row = await repo(s, ctx.scope(rows_key)).get(pk)
        if row is None:
            raise reject(E.NOT_FOUND, f"No {type_name.lower()} with that ID", "input", name)
        found[{"orderId": "order_id", "invoiceId": "invoice_id", "subscriptionId": "subscription_id"}[name]] = pk
        return {**found, "account_id": row.account_id, "location_id": getattr(row, "location_id", None)}
    if data.location_id:
        pk = decode_or_reject(data.location_id, "Location", E.NOT_FOUND, "input", "locationId")
        location = await LocationRepository(s, ctx.scope("rows:Location")).get(pk)
        if location is None:
            raise reject(E.NOT_FOUND, "No location with that ID", "input", "locationId")
        return {"account_id": location.account_id, "location_id": location.id}
    if data.account_id:
        pk = decode_or_reject(data.account_id, "Account", E.NOT_FOUND, "input", "accountId")
        if await AccountRepository(s, ctx.scope("rows:Account")).get(pk) is None:
            raise reject(E.NOT_FOUND, "No account with that ID", "input", "accountId")
        return {"account_id": pk, "location_id": None}
    grants = ctx.caller.grants
    if len(grants) == 1:
        account_id, held = next(iter(grants.items()))
        places = set().union(*(where for where in held.values() if where is not None))
        if any(where is None for where in held.values()) or len(places) != 1:
            return {"account_id": account_id, "location_id": None}
        return {"account_id": account_id, "location_id": next(iter(places))}
    raise reject(E.ACCOUNT_REQUIRED, "Say which account or location the ticket is for", "input", "locationId")


async def _offered(ctx: Context, s: Any, ids: list[str]) -> list[int]:
    """Offered articles must be ones the caller can read."""
    pks = [decode_or_reject(gid, "KbArticle", E.NOT_FOUND, "input", "offeredArticleIds", str(i))
           for i, gid in enumerate(ids[:20])]
    readable = await _articles(ctx, s).get_many(pks)
    for i, pk in enumerate(pks):
        if pk not in readable:
            raise reject(E.NOT_FOUND, "No article with that ID", "input", "offeredArticleIds", str(i))
    return pks


@mutation("supportTicketCreate", TicketPayload, audit="support.ticket.open")
async def _create(ctx: Context, s: Any, data: TicketInputData, written: list[str]) -> dict[str, Any]:
    where = await _where(ctx, s, data)
    require(ctx, "Mutation.supportTicketCreate", where["account_id"], where["location_id"])
    await throttle(ctx, "support", str(ctx.caller.user_id))
    asked = TicketAsked(data.subject, data.body, priority=data.priority or TicketPriority.NORMAL,
                        offered_article_ids=await _offered(ctx, s, data.offered_article_ids),
                        files=data.attachments, **where)
    ticket = await support.open_ticket(s, ctx.actor, ctx.now, ctx.storage, asked, written,
                                       ctx.settings.staff_notify_email, _link(ctx),
                                       ctx.settings.staff_notify_locale)
    return {"ticket": ticket}


async def ticket_create(ctx: Context, data: TicketInputData) -> TicketPayload:
    return await _with_files(_create, ctx, data)


def _ticket_id(gid: str) -> int:
    return decode_or_reject(gid, "SupportTicket", E.NOT_FOUND, "input", "ticketId")


def _guard(ctx: Context, key: str) -> Any:
    return lambda t: require(ctx, key, t.account_id, t.location_id, t.opened_by_user_id)


@mutation("supportTicketReply", TicketPayload, audit="support.ticket.reply")
async def _reply(ctx: Context, s: Any, ticket_gid: str, body: str | None, attachments: list[Any],
                 written: list[str]) -> dict[str, Any]:
    pk = _ticket_id(ticket_gid)
    await throttle(ctx, "support", str(ctx.caller.user_id))
    ticket, message = await support.customer_reply(s, ctx.actor, ctx.now, ctx.storage, pk, _tickets(ctx, s).get,
                                                   _guard(ctx, "Mutation.supportTicketReply"), body, attachments,
                                                   written)
    return {"ticket": ticket, "message": message}


async def ticket_reply(ctx: Context, ticket_gid: str, body: str | None, attachments: list[Any]) -> TicketPayload:
    return await _with_files(_reply, ctx, ticket_gid, body, attachments)


@mutation("supportStaffReply", TicketPayload, audit="support.ticket.answer")
async def _staff_reply(ctx: Context, s: Any, ticket_gid: str, body: str | None, attachments: list[Any],
                       internal: bool, status: TicketStatus | None, written: list[str]) -> dict[str, Any]:
    pk = _ticket_id(ticket_gid)
    ticket, message = await support.staff_reply(s, ctx.actor, ctx.now, ctx.storage, pk, _tickets(ctx, s).get, body,
                                                attachments, internal, status, written, _link(ctx, pk))
    return {"ticket": ticket, "message": message}


async def staff_reply(ctx: Context, ticket_gid: str, body: str | None, attachments: list[Any], internal: bool,
                      status: TicketStatus | None) -> TicketPayload:
    return await _with_files(_staff_reply, ctx, ticket_gid, body, attachments, internal, status)


@mutation("supportTicketUpdate", TicketPayload, audit="support.ticket.update")
async def ticket_update(ctx: Context, s: Any, ticket_gid: str, status: TicketStatus | None,
                        priority: TicketPriority | None) -> dict[str, Any]:
    ticket = await support.update(s, ctx.actor, ctx.now, _ticket_id(ticket_gid), _tickets(ctx, s).get, status,
                                  priority)
    return {"ticket": ticket}


@mutation("supportTicketClose", TicketPayload, audit="support.ticket.close")
async def ticket_close(ctx: Context, s: Any, ticket_gid: str) -> dict[str, Any]:
    ticket = await support.close(s, ctx.actor, ctx.now, _ticket_id(ticket_gid), _tickets(ctx, s).get,
                                 _guard(ctx, "Mutation.supportTicketClose"))
    return {"ticket": ticket}


@mutation("supportTicketEscalate", TicketPayload, audit="support.ticket.escalate")
async def ticket_escalate(ctx: Context, s: Any, ticket_gid: str, reason: str | None) -> dict[str, Any]:
    pk = _ticket_id(ticket_gid)
    ticket = await support.escalate(s, ctx.actor, ctx.now, pk, _tickets(ctx, s).get,
                                    _guard(ctx, "Mutation.supportTicketEscalate"), reason,
                                    ctx.settings.staff_notify_email, _link(ctx, pk),
                                    ctx.settings.staff_notify_locale)
    return {"ticket": ticket}


async def tickets(ctx: Context, filter_: TicketFilter, window: Window) -> Connection:
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    scope = ctx.scope("rows:SupportTicket")
    return await paginate(ctx, lambda s: TicketRepository(s, scope), filter_, window)


# The knowledge base.

def _articles(ctx: Context, s: Any) -> ArticleRepository:
    return ArticleRepository(s, ctx.scope("rows:KbArticle"), ctx.caller.is_authenticated)


def _article_input(values: dict[str, Any]) -> ArticleInput:
    topic = values.pop("topic_id", None)
    product = values.pop("product_id", None)
    return ArticleInput(
        **values,
        topic_id=decode_or_reject(topic, "KbTopic", KbErrorCode.NOT_FOUND, "input", "topicId") if topic else None,
        product_id=decode_or_reject(product, "Product", KbErrorCode.NOT_FOUND, "input", "productId")
        if product else None)


@mutation("kbArticleCreate", ArticlePayload, audit="kb.article.create")
async def article_create(ctx: Context, s: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {"article": await knowledge_base.create(s, ctx.actor, ctx.now, _article_input(values))}


@mutation("kbArticleUpdate", ArticlePayload, audit="kb.article.update")
async def article_update(ctx: Context, s: Any, article_gid: str, values: dict[str, Any],
                         publish: bool | None) -> dict[str, Any]:
    pk = decode_or_reject(article_gid, "KbArticle", KbErrorCode.NOT_FOUND, "input", "id")
    return {"article": await knowledge_base.update(s, ctx.actor, ctx.now, pk, _article_input(values), publish)}


@mutation("kbTopicCreate", TopicPayload, audit="kb.topic.create")
async def topic_create(ctx: Context, s: Any, slug: str, title: str, position: int) -> dict[str, Any]:
    return {"topic": await knowledge_base.create_topic(s, ctx.actor, ctx.now, slug, title, position)}


@mutation("supportDeflect", DeflectPayload, audit="kb.deflect")
async def deflect(ctx: Context, s: Any, article_gid: str, subject: str | None) -> dict[str, Any]:
    pk = decode_or_reject(article_gid, "KbArticle", KbErrorCode.NOT_FOUND, "input", "articleId")
    await throttle(ctx, "support", str(ctx.caller.user_id))
    article = (await _articles(ctx, s).get_many([pk])).get(pk)
    grants = ctx.caller.grants
    account_id = next(iter(grants)) if len(grants) == 1 else None
    return {"deflection": await knowledge_base.deflect(s, ctx.actor, ctx.now, article, subject, account_id)}


async def articles(ctx: Context, locale: str | None, topic_gid: str | None, product_gid: str | None,
                   limit: int) -> list[KbArticle]:
    try:
        topic = decode_or_reject(topic_gid, "KbTopic", KbErrorCode.NOT_FOUND) if topic_gid else None
        product = decode_or_reject(product_gid, "Product", KbErrorCode.NOT_FOUND) if product_gid else None
    except Rejected:
        return []
    async with ctx.db.session() as s:
        return list(await _articles(ctx, s).find(locale, topic, product, min(max(limit, 1), 100)))


async def article(ctx: Context, slug: str, locale: str | None) -> KbArticle | None:
    """The article of this slug in the caller's language if written in it, else another."""
    async with ctx.db.session() as s:
        return await _articles(ctx, s).by_slug(slug, candidates(locale))


async def search(ctx: Context, query: str, locale: str | None, limit: int) -> list[KbArticle]:
    await throttle(ctx, "kb_search", str(ctx.caller.user_id) if ctx.caller.user_id else None)
    async with ctx.db.session() as s:
        return await _articles(ctx, s).search(query[:500], locale, min(max(limit, 1), 50))


async def topics(ctx: Context) -> list[KbTopic]:
    async with ctx.db.session() as s:
        return list(await kb_repo.topics(s))


@dataclass
class ArticleCount:
    article: KbArticle
    deflections: int


@dataclass
class DeflectionReport:
    deflections: int
    tickets_opened: int
    tickets_opened_after_offers: int
    by_article: list[ArticleCount]


async def deflection_report(ctx: Context, since: datetime | None, until: datetime | None) -> DeflectionReport:
    """How often an article answered the question, against the tickets opened (staff only)."""
    if not ctx.caller.is_authenticated:
        raise unauthenticated()
    if ctx.scope("rows:KbDeflection") is not EVERYTHING:
        raise forbidden("Only merchant staff read the deflection report")
    async with ctx.db.session() as s:
        counts = await kb_repo.deflections_by_article(s, since, until)
        found = await ArticleRepository(s, EVERYTHING, True).get_many([a for a, _ in counts])
        opened = await support_repo.opened_count(s, since, until)
        after_offers = await support_repo.opened_count(s, since, until, with_offers=True)
    return DeflectionReport(sum(n for _, n in counts), opened, after_offers,
                            [ArticleCount(found[a], n) for a, n in counts if a in found])


@dataclass
class AttachmentFile:
    data: bytes
    content_type: str
    filename: str


async def attachment_download(ctx: Context, attachment_gid: str) -> AttachmentFile | None:
    """The file's bytes, if the caller may see its ticket (and, for an internal note's, is staff);
    None otherwise (missing or not yours)."""
    try:
        pk = decode_or_reject(attachment_gid, "SupportAttachment", E.NOT_FOUND)
    except Rejected:
        return None
    async with ctx.db.session() as s:
        found = await _tickets(ctx, s).attachment(pk)
    if found is None:
        return None
    attachment, _ = found
    data = await ctx.storage.get(attachment.storage_key)
    if data is None:
        return None
    return AttachmentFile(data, attachment.content_type, attachment.filename)


