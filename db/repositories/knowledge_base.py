"""Knowledge base articles as the caller may read them, and their full-text search: one function
with a statement builder per database (SQLite FTS5, PostgreSQL to_tsvector/ts_rank)."""
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import KbArticle, KbDeflection, KbTopic, Order, OrderLine, ProductVariant, Subscription, SubscriptionItem
from db.models.support import ArticleVisibility
from db.repositories.base import ScopedRepository
from db.scope import RowScope

MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)

# The SQLite index (migration 0023): rowid is the article's id.
FTS = sa.table("kb_article_fts", sa.column("rowid"), sa.column("title"), sa.column("body"))
# PostgreSQL: the expression of the GIN index ix_kb_article_search, literally, so the planner uses it.
_PG_VECTOR = func.to_tsvector(sa.literal_column("'simple'"),
                              KbArticle.title.op("||")(sa.literal_column("' '")).op("||")(KbArticle.body_markdown))


def terms(text: str) -> list[str]:
    """The words of a question, lowercased, without one-letter ones and repeats: never query syntax."""
    seen: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) > 1 and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


class ArticleRepository(ScopedRepository[KbArticle]):
    """Staff (an EVERYTHING scope) read drafts too. Customers read published articles: PUBLIC ones,
    SIGNED_IN ones when signed in, and CUSTOMERS ones when one of their accounts bought the
    article's product, on an order or as a subscription's plan. Anonymous callers: PUBLIC only."""

    model = KbArticle

    def __init__(self, session: AsyncSession, scope: RowScope, signed_in: bool) -> None:
        super().__init__(session, scope)
        self.signed_in = signed_in

    def audience(self) -> Any:
        if self.scope.everything:
            return sa.true()
        allowed = [KbArticle.visibility == ArticleVisibility.PUBLIC]
        if self.signed_in:
            allowed.append(KbArticle.visibility == ArticleVisibility.SIGNED_IN)
        accounts = sorted({a.account_id for a in self.scope.accounts})
        if accounts:
            ordered = (select(ProductVariant.product_id).join(OrderLine, OrderLine.variant_id == ProductVariant.id)
                       .join(Order, Order.id == OrderLine.order_id).where(Order.account_id.in_(accounts)))
            subscribed = (select(ProductVariant.product_id)
                          .join(SubscriptionItem, SubscriptionItem.variant_id == ProductVariant.id)
                          .join(Subscription, Subscription.id == SubscriptionItem.subscription_id)
                          .where(Subscription.account_id.in_(accounts)))
            allowed.append(sa.and_(KbArticle.visibility == ArticleVisibility.CUSTOMERS,
                                   KbArticle.product_id.in_(ordered.union(subscribed))))
        return sa.and_(KbArticle.published_at.is_not(None), sa.or_(*allowed))

    def visible(self) -> Select:
        return select(KbArticle).where(self.audience())

    def listed(self, locale: str | None, topic_id: int | None, product_id: int | None) -> Select:
        stmt = self.visible()
        if locale:
            stmt = stmt.where(KbArticle.locale == locale)
        if topic_id is not None:
            stmt = stmt.where(KbArticle.topic_id == topic_id)
        if product_id is not None:
            stmt = stmt.where(KbArticle.product_id == product_id)
        return stmt.order_by(KbArticle.title, KbArticle.id)

    async def find(self, locale: str | None = None, topic_id: int | None = None, product_id: int | None = None,
                   limit: int = 100) -> Sequence[KbArticle]:
        return (await self.session.exec(self.listed(locale, topic_id, product_id).limit(limit))).all()

    async def by_slug(self, slug: str, locales: Sequence[str]) -> KbArticle | None:
        """The article of this slug in the first of `locales` it is written in."""
        rows = (await self.session.exec(self.visible().where(KbArticle.slug == slug))).all()
        by_locale = {r.locale: r for r in rows}
        for locale in locales:
            if locale in by_locale:
                return by_locale[locale]
        return rows[0] if rows else None

    async def search(self, text: str, locale: str | None = None, limit: int = 10) -> list[KbArticle]:
        """The readable articles matching any word of `text`, most relevant first."""
        words = terms(text)
        if not words:
            return []
        build = _sqlite_search if self.session.bind.dialect.name == "sqlite" else _postgres_search
        stmt = build(words).where(self.audience())
        if locale:
            stmt = stmt.where(KbArticle.locale == locale)
        return list((await self.session.exec(stmt.limit(limit))).all())


# Words this long also match as the start of a longer word ("invoice" finds "invoices", "Rechnung"
# finds "Rechnungen"): the language-neutral stand-in for stemming, across the locales.
PREFIX_FROM = 4


def _sqlite_search(words: list[str]) -> Select:
    # Each word quoted: FTS5 reads it as a string, never as an operator or a column filter.
    match = " OR ".join('"' + w.replace('"', '""') + '"' + ("*" if len(w) >= PREFIX_FROM else "") for w in words)
    rank = func.bm25(sa.literal_column("kb_article_fts"), 10.0, 1.0)  # a title match weighs more
    return (select(KbArticle).join(FTS, FTS.c.rowid == KbArticle.id)
            .where(sa.literal_column("kb_article_fts").op("MATCH")(match))
            .order_by(rank, KbArticle.id))


def _postgres_search(words: list[str]) -> Select:
    # Words are \w+ only, so joining them with | is a well-formed tsquery.
    query = func.to_tsquery(sa.literal_column("'simple'"),
                            " | ".join(w + (":*" if len(w) >= PREFIX_FROM else "") for w in words))
    return (select(KbArticle).where(_PG_VECTOR.op("@@")(query))
            .order_by(func.ts_rank(_PG_VECTOR, query).desc(), KbArticle.id))


async def index(session: AsyncSession, article: KbArticle) -> None:
    """Keep the SQLite FTS5 table in step with the article, in the caller's transaction
    (PostgreSQL's index is on the table's own columns)."""
    if session.bind.dialect.name != "sqlite":
        return
    await session.exec(sa.delete(FTS).where(FTS.c.rowid == article.id))  # type: ignore[call-overload]
    await session.exec(sa.insert(FTS).values(rowid=article.id, title=article.title,  # type: ignore[call-overload]
                                             body=article.body_markdown))


async def by_slug(session: AsyncSession, slug: str, locale: str) -> KbArticle | None:
    return (await session.exec(select(KbArticle).where(KbArticle.slug == slug, KbArticle.locale == locale))).first()


async def topic_by_slug(session: AsyncSession, slug: str) -> KbTopic | None:
    return (await session.exec(select(KbTopic).where(KbTopic.slug == slug))).first()


async def topics(session: AsyncSession) -> Sequence[KbTopic]:
    return (await session.exec(select(KbTopic).order_by(KbTopic.position, KbTopic.title, KbTopic.id))).all()


async def deflections_by_article(session: AsyncSession, since: datetime | None,
                                 until: datetime | None) -> list[tuple[int, int]]:
    """(article id, deflections) in the window, most first."""
    stmt = select(KbDeflection.article_id, func.count()).group_by(KbDeflection.article_id)
    if since is not None:
        stmt = stmt.where(KbDeflection.created_at >= since)
    if until is not None:
        stmt = stmt.where(KbDeflection.created_at < until)
    rows = (await session.exec(stmt)).all()
    return sorted(((a, int(n)) for a, n in rows), key=lambda r: (-r[1], r[0]))
