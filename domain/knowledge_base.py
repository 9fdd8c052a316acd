"""The knowledge base: articles merchant staff write in Markdown (one row per locale, translations
sharing a slug), publish, group by topic and tie to a product or plan; who may read them; and the
deflections recorded when an offered article answered a customer's question."""
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from markdown_it import MarkdownIt
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import KbArticle, KbDeflection, KbTopic, Product
from db.models.support import ArticleVisibility
from db.repositories import knowledge_base as repo
from db.repositories.base import lock_row
from domain import audit
from domain.audit import Actor
from domain.errors import reject
from domain.text import check_text
from i18n.locales import normalize_locale

MAX_TITLE = 200
MAX_BODY = 50000
MAX_SUBJECT = 200
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


class KbErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_SLUG = "INVALID_SLUG"
    TITLE_REQUIRED = "TITLE_REQUIRED"
    BODY_REQUIRED = "BODY_REQUIRED"
    TOO_LONG = "TOO_LONG"
    DUPLICATE = "DUPLICATE"
    PRODUCT_REQUIRED = "PRODUCT_REQUIRED"


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


def _markdown() -> MarkdownIt:
    # CommonMark with raw HTML off: tags in the source are shown as text, never passed through.
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = _safe_link  # a link or image of any other scheme stays plain text
    default = md.renderer.rules.get("link_open")

    def link_open(tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return default(tokens, idx, options, env) if default else md.renderer.renderToken(tokens, idx, options, env)
    md.renderer.rules["link_open"] = link_open
    return md


_MD = _markdown()


def render(markdown: str) -> str:
    """Safe HTML of an article: raw HTML escaped, links and images only to http(s) and mailto."""
    return _MD.render(markdown)


@dataclass
class ArticleInput:
    slug: str | None = None
    locale: str | None = None
    title: str | None = None
    body_markdown: str | None = None
    topic_id: int | None = None
    product_id: int | None = None
    visibility: ArticleVisibility | None = None


def _check(values: ArticleInput, creating: bool) -> None:
    E = KbErrorCode
    if creating or values.slug is not None:
        if not values.slug or not _SLUG.match(values.slug) or len(values.slug) > 80:
            raise reject(E.INVALID_SLUG, "A slug is lowercase letters, digits and single hyphens", "input", "slug")
    if creating or values.title is not None:
        values.title = check_text(values.title, MAX_TITLE, E.TOO_LONG, "input", "title")
        if not values.title:
            raise reject(E.TITLE_REQUIRED, "Give the article a title", "input", "title")
    if creating or values.body_markdown is not None:
        values.body_markdown = check_text(values.body_markdown, MAX_BODY, E.TOO_LONG, "input", "bodyMarkdown")
        if not values.body_markdown:
            raise reject(E.BODY_REQUIRED, "Write the article's text", "input", "bodyMarkdown")


async def _check_refs(s: AsyncSession, values: ArticleInput, visibility: ArticleVisibility,
                      product_id: int | None) -> None:
    E = KbErrorCode
    if values.topic_id is not None and await s.get(KbTopic, values.topic_id) is None:
        raise reject(E.NOT_FOUND, "No topic with that ID", "input", "topicId")
    if values.product_id is not None and await s.get(Product, values.product_id) is None:
        raise reject(E.NOT_FOUND, "No product with that ID", "input", "productId")
    if visibility is ArticleVisibility.CUSTOMERS and product_id is None:
        raise reject(E.PRODUCT_REQUIRED, "An article for the customers of a product or plan names it",
                     "input", "productId")


async def create(s: AsyncSession, actor: Actor, now: datetime, values: ArticleInput) -> KbArticle:
    E = KbErrorCode
    _check(values, creating=True)
    locale = normalize_locale(values.locale)
    visibility = values.visibility or ArticleVisibility.PUBLIC
    await _check_refs(s, values, visibility, values.product_id)
    if await repo.by_slug(s, values.slug or "", locale) is not None:
        raise reject(E.DUPLICATE, "This slug has an article in this locale already", "input", "slug")
    article = KbArticle(slug=values.slug, locale=locale, topic_id=values.topic_id, product_id=values.product_id,
                        title=values.title, body_markdown=values.body_markdown,
                        body_html=render(values.body_markdown or ""), visibility=visibility,
                        author_user_id=actor.user_id, created_at=now, updated_at=now)
    s.add(article)
    await s.flush()
    await repo.index(s, article)
    audit.record(s, actor, "kb.article.create", now, target_type="KbArticle", target_id=article.id,
                 slug=article.slug, locale=locale)
    return article


async def update(s: AsyncSession, actor: Actor, now: datetime, article_id: int, values: ArticleInput,
                 publish: bool | None = None) -> KbArticle:
    """Change an article (and publish or withdraw it); the search index follows in the same transaction."""
    E = KbErrorCode
    _check(values, creating=False)
    article = await lock_row(s, KbArticle, article_id)
    if article is None:
        raise reject(E.NOT_FOUND, "No article with that ID", "input", "id")
    visibility = values.visibility or article.visibility
    await _check_refs(s, values, visibility, values.product_id or article.product_id)
    if values.slug is not None and values.slug != article.slug:
        if await repo.by_slug(s, values.slug, article.locale) is not None:
            raise reject(E.DUPLICATE, "This slug has an article in this locale already", "input", "slug")
        article.slug = values.slug
    if values.title is not None:
        article.title = values.title
    if values.body_markdown is not None:
        article.body_markdown = values.body_markdown
        article.body_html = render(values.body_markdown)
    if values.topic_id is not None:
        article.topic_id = values.topic_id
    if values.product_id is not None:
        article.product_id = values.product_id
    article.visibility = visibility
    if publish is True and article.published_at is None:
        article.published_at = now
    elif publish is False:
        article.published_at = None
    article.updated_at = now
    s.add(article)
    await s.flush()
    await repo.index(s, article)
    audit.record(s, actor, "kb.article.update", now, target_type="KbArticle", target_id=article.id,
                 published=article.published_at is not None)
    return article


async def create_topic(s: AsyncSession, actor: Actor, now: datetime, slug: str, title: str,
                       position: int = 0) -> KbTopic:
    E = KbErrorCode
    if not _SLUG.match(slug or "") or len(slug) > 80:
        raise reject(E.INVALID_SLUG, "A slug is lowercase letters, digits and single hyphens", "input", "slug")
    title = check_text(title, MAX_TITLE, E.TOO_LONG, "input", "title") or ""
    if not title:
        raise reject(E.TITLE_REQUIRED, "Give the topic a title", "input", "title")
    if await repo.topic_by_slug(s, slug) is not None:
        raise reject(E.DUPLICATE, "A topic has this slug already", "input", "slug")
    topic = KbTopic(slug=slug, title=title, position=position)
    s.add(topic)
    await s.flush()
    audit.record(s, actor, "kb.topic.create", now, target_type="KbTopic", target_id=topic.id, slug=slug)
    return topic


def subject_of(text: str | None) -> str:
    E = KbErrorCode
    subject = check_text(text, MAX_SUBJECT, E.TOO_LONG, "input", "subject") or ""
    if not subject:
        raise reject(E.TITLE_REQUIRED, "Say what your question is about", "input", "subject")
    return subject


async def deflect(s: AsyncSession, actor: Actor, now: datetime, article: KbArticle | None, subject: str | None,
                  account_id: int | None) -> KbDeflection:
    """Record that `article` (one the caller may read) answered the question: no ticket is opened."""
    text = subject_of(subject)
    if article is None:
        raise reject(KbErrorCode.NOT_FOUND, "No article with that ID", "input", "articleId")
    found = KbDeflection(article_id=article.id, account_id=account_id, user_id=actor.user_id, subject=text,
                         created_at=now)
    s.add(found)
    await s.flush()
    audit.record(s, actor, "kb.deflect", now, account_id=account_id, target_type="KbArticle",
                 target_id=article.id)
    return found
