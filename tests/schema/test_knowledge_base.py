"""The knowledge base: staff write and publish articles in Markdown (rendered safe), everyone
reads what its visibility allows (PUBLIC without signing in), full-text search ranks them, and a
ticket's subject is matched against them first (deflections staff can count)."""
import pytest
from sqlalchemy.dialects import postgresql
from sqlmodel import func, select

from db.models import (AuditEvent, KbArticle, KbDeflection, Order, OrderLine, ProductVariant, Subscription,
                       SubscriptionItem, SupportTicket)
from db.repositories.knowledge_base import _postgres_search
from domain.knowledge_base import render
from tests.order_factories import BUYER, STAFF_ADMIN, STAFF_SUPPORT, count, gid
from tests.support import codes

GLOBEX = "admin@globex.example"

CREATE = """mutation($input: KbArticleCreateInput!) { kbArticleCreate(input: $input) {
  article { id slug locale title bodyHtml visibility publishedAt topic { slug } } userErrors { code field } } }"""
UPDATE = """mutation($input: KbArticleUpdateInput!) { kbArticleUpdate(input: $input) {
  article { id title publishedAt visibility } userErrors { code field } } }"""
TOPIC = """mutation($input: KbTopicCreateInput!) { kbTopicCreate(input: $input) {
  topic { id slug title } userErrors { code field } } }"""
LIST = "query($locale: String) { kbArticles(locale: $locale) { slug locale title } }"
SEARCH = "query($q: String!) { kbSearch(query: $q) { slug title } }"


def test_markdown_is_rendered_safe():
    html = render("# Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
                  "[bad](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) "
                  "[ok](https://example.com/a) [mail](mailto:help@example.com) [rel](/relative) "
                  "![pic](javascript:alert(1))")
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html and 'href="data:' not in html and 'src="javascript:' not in html
    assert 'href="/relative"' not in html
    assert '<a href="https://example.com/a" rel="nofollow noopener noreferrer">ok</a>' in html
    assert 'href="mailto:help@example.com"' in html


async def _article(gql, slug, title, body, *, locale="en", visibility="PUBLIC", publish=True, **kw):
    body_ = await gql(CREATE, {"input": {"slug": slug, "title": title, "bodyMarkdown": body, "locale": locale,
                                         "visibility": visibility, **kw}}, as_=STAFF_SUPPORT)
    out = body_["data"]["kbArticleCreate"]
    assert out["userErrors"] == [], out
    if publish:
        published = await gql(UPDATE, {"input": {"id": out["article"]["id"], "publish": True}}, as_=STAFF_SUPPORT)
        assert published["data"]["kbArticleUpdate"]["article"]["publishedAt"], published
    return out["article"]


async def _product_only_acme_bought(db) -> int:
    """A product on Acme's orders that Globex and Jo never ordered or subscribed to."""
    async with db.session() as s:
        def buyers(pid):
            return (select(func.count()).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
                    .join(ProductVariant, ProductVariant.id == OrderLine.variant_id)
                    .where(ProductVariant.product_id == pid))
        acme_products = (await s.exec(
            select(ProductVariant.product_id).join(OrderLine, OrderLine.variant_id == ProductVariant.id)
            .join(Order, Order.id == OrderLine.order_id).where(Order.account_id == 1).distinct())).all()
        for pid in sorted(acme_products):
            others = (await s.exec(buyers(pid).where(Order.account_id != 1))).one()
            subscribed = (await s.exec(select(func.count()).select_from(SubscriptionItem)
                                       .join(Subscription, Subscription.id == SubscriptionItem.subscription_id)
                                       .join(ProductVariant, ProductVariant.id == SubscriptionItem.variant_id)
                                       .where(ProductVariant.product_id == pid, Subscription.account_id != 1))).one()
            if others == 0 and subscribed == 0:
                return pid
    pytest.skip("no product bought by Acme alone in the demo data")


async def test_customers_and_anonymous_cannot_write_articles(gql, db):
    before = await count(db, KbArticle)  # the demo's articles
    for who, code in ((None, "UNAUTHENTICATED"), (BUYER, "FORBIDDEN"), ("admin@acme.example", "FORBIDDEN")):
        body = await gql(CREATE, {"input": {"slug": "x", "title": "X", "bodyMarkdown": "x"}}, as_=who)
        assert codes(body) == [code], (who, body)
        assert codes(await gql(TOPIC, {"input": {"slug": "t", "title": "T"}}, as_=who)) == [code]
    assert await count(db, KbArticle) == before
    # Bad input is a coded error and writes nothing.
    for values, code in (({"slug": "Not a slug!"}, "INVALID_SLUG"), ({"title": " "}, "TITLE_REQUIRED"),
                         ({"bodyMarkdown": ""}, "BODY_REQUIRED"), ({"visibility": "CUSTOMERS"}, "PRODUCT_REQUIRED"),
                         ({"topicId": gid("KbTopic", 999)}, "NOT_FOUND")):
        body = await gql(CREATE, {"input": {"slug": "ok", "title": "T", "bodyMarkdown": "b", **values}},
                         as_=STAFF_ADMIN)
        assert [e["code"] for e in body["data"]["kbArticleCreate"]["userErrors"]] == [code], (values, body)
    assert await count(db, KbArticle) == before


async def test_visibility_per_caller_and_drafts_for_staff_only(gql, db):
    topic = (await gql(TOPIC, {"input": {"slug": "payments", "title": "Payments"}}, as_=STAFF_ADMIN))
    topic_id = topic["data"]["kbTopicCreate"]["topic"]["id"]
    art = await _article(gql, "pay-invoice", "Paying an invoice", "Pay by **card** <b>now</b>", topicId=topic_id)
    assert art["bodyHtml"] == "<p>Pay by <strong>card</strong> &lt;b&gt;now&lt;/b&gt;</p>\n"
    assert art["topic"] == {"slug": "payments"}
    await _article(gql, "pay-invoice", "Rechnung bezahlen", "Mit Karte zahlen", locale="de")
    await _article(gql, "portal-tips", "Portal tips", "For signed-in customers", visibility="SIGNED_IN")
    pid = await _product_only_acme_bought(db)
    await _article(gql, "bought-product", "Using what you bought", "Care and maintenance",
                   visibility="CUSTOMERS", productId=gid("Product", pid))
    await _article(gql, "draft", "Draft", "Not yet", publish=False)

    mine = {"pay-invoice", "portal-tips", "bought-product", "draft"}  # beside the demo's articles

    def slugs(body):
        return sorted({a["slug"] for a in body["data"]["kbArticles"]} & mine)
    # Anonymous: PUBLIC only, no sign-in needed.
    anonymous = await gql(LIST, {"locale": "en"})
    assert "errors" not in anonymous and slugs(anonymous) == ["pay-invoice"]
    assert slugs(await gql(LIST, {"locale": "en"}, as_=GLOBEX)) == ["pay-invoice", "portal-tips"]
    assert slugs(await gql(LIST, {"locale": "en"}, as_="jo@example.com")) == ["pay-invoice", "portal-tips"]
    assert slugs(await gql(LIST, {"locale": "en"}, as_=BUYER)) == ["bought-product", "pay-invoice", "portal-tips"]
    assert slugs(await gql(LIST, {"locale": "en"}, as_=STAFF_SUPPORT)) == [
        "bought-product", "draft", "pay-invoice", "portal-tips"]
    # By slug in the reader's language, falling back to English.
    one = "query($l: String) { kbArticle(slug: \"pay-invoice\", locale: $l) { locale title } }"
    assert (await gql(one, {"l": "de_AT"}))["data"]["kbArticle"] == {"locale": "de", "title": "Rechnung bezahlen"}
    assert (await gql(one, {"l": "fr"}))["data"]["kbArticle"]["locale"] == "en"
    hidden = "{ kbArticle(slug: \"bought-product\") { title } }"
    assert (await gql(hidden, as_=GLOBEX))["data"]["kbArticle"] is None
    assert (await gql(hidden))["data"]["kbArticle"] is None
    # Withdrawn: gone for customers at once.
    async with db.session() as s:
        pay = (await s.exec(select(KbArticle).where(KbArticle.slug == "pay-invoice", KbArticle.locale == "en"))).one()
    await gql(UPDATE, {"input": {"id": gid("KbArticle", pay.id), "publish": False}}, as_=STAFF_ADMIN)
    assert slugs(await gql(LIST, {"locale": "en"})) == []


async def test_search_is_ranked_by_relevance_and_respects_visibility(gql, db):
    await _article(gql, "reset-password", "Reset your password",
                   "Forgot the password? Use the reset link on the sign-in page.")
    await _article(gql, "invoices", "Invoices and payment terms",
                   "Your invoices are due in 30 days. A password is not needed to pay.")
    await _article(gql, "members-only", "Password rules for members", "Long passwords", visibility="SIGNED_IN")
    await _article(gql, "draft-password", "Password draft", "password password", publish=False)
    body = await gql(SEARCH, {"q": "reset password"})
    assert [a["slug"] for a in body["data"]["kbSearch"]] == ["reset-password", "invoices"]
    body = await gql(SEARCH, {"q": "reset password"}, as_=BUYER)
    assert [a["slug"] for a in body["data"]["kbSearch"]][0] == "reset-password"
    assert {a["slug"] for a in body["data"]["kbSearch"]} == {"reset-password", "invoices", "members-only"}
    # A word of four letters or more also finds the words it begins ("invoice": "Invoices"); a
    # shorter one only itself.
    assert [a["slug"] for a in (await gql(SEARCH, {"q": "invoice"}))["data"]["kbSearch"]] == ["invoices"]
    assert (await gql(SEARCH, {"q": "inv"}))["data"]["kbSearch"] == []
    # Query syntax is only words: no operator, column filter or quote breaks the statement.
    for q in ('title:password OR "', "NEAR(a b) * ^ -", "'; DROP TABLE kb_article; --", "   ", "ü"):
        body = await gql(SEARCH, {"q": q})
        assert "errors" not in body, (q, body)
    # An edit is searchable at once (the index follows in the same transaction).
    async with db.session() as s:
        inv = (await s.exec(select(KbArticle).where(KbArticle.slug == "invoices"))).one()
    await gql(UPDATE, {"input": {"id": gid("KbArticle", inv.id), "bodyMarkdown": "Bank transfer details"}},
              as_=STAFF_SUPPORT)
    assert [a["slug"] for a in (await gql(SEARCH, {"q": "transfer"}))["data"]["kbSearch"]] == ["invoices"]
    assert [a["slug"] for a in (await gql(SEARCH, {"q": "reset password"}))["data"]["kbSearch"]] == [
        "reset-password"]


FOR = "query($s: String!) { supportArticlesFor(subject: $s) { id slug } }"
DEFLECT = """mutation($input: SupportDeflectInput!) { supportDeflect(input: $input) {
  deflection { subject } userErrors { code field } } }"""
OPEN = """mutation($input: SupportTicketCreateInput!) { supportTicketCreate(input: $input) {
  ticket { number offeredArticleIds } userErrors { code field } } }"""
REPORT = """{ supportDeflectionReport(since: "2026-06-15T00:00:00Z") { deflections ticketsOpened ticketsOpenedAfterOffers
  byArticle { article { slug } deflections } } }"""


async def test_articles_offered_first_and_deflections_counted(gql, db):
    await _article(gql, "reset-password", "Reset your password", "Use the reset link.")
    await _article(gql, "invoices", "Invoices", "Due in 30 days.")
    offered = (await gql(FOR, {"s": "How do I reset my password?"}, as_=BUYER))["data"]["supportArticlesFor"]
    assert [a["slug"] for a in offered][:1] == ["reset-password"]
    assert "invoices" not in {a["slug"] for a in offered}
    article_id = offered[0]["id"]
    # Not signed in, staff, an unknown article, no subject: refused, nothing recorded.
    assert codes(await gql(DEFLECT, {"input": {"articleId": article_id, "subject": "x"}})) == ["UNAUTHENTICATED"]
    assert codes(await gql(DEFLECT, {"input": {"articleId": article_id, "subject": "x"}},
                           as_=STAFF_SUPPORT)) == ["FORBIDDEN"]
    for values, code in (({"articleId": gid("KbArticle", 9999)}, "NOT_FOUND"), ({"subject": " "}, "TITLE_REQUIRED")):
        body = await gql(DEFLECT, {"input": {"articleId": article_id, "subject": "Reset?", **values}}, as_=BUYER)
        assert [e["code"] for e in body["data"]["supportDeflect"]["userErrors"]] == [code]
    assert await count(db, KbDeflection) == 0
    tickets = await count(db, SupportTicket)  # the demo's
    # It answered the question: recorded, and no ticket.
    body = await gql(DEFLECT, {"input": {"articleId": article_id, "subject": "How do I reset my password?"}},
                     as_=BUYER)
    assert body["data"]["supportDeflect"] == {"deflection": {"subject": "How do I reset my password?"},
                                              "userErrors": []}
    assert await count(db, SupportTicket) == tickets
    # It did not: the ticket records what was offered.
    body = await gql(OPEN, {"input": {"subject": "Reset link expired", "body": "The link does not work",
                                      "offeredArticleIds": [article_id]}}, as_=BUYER)
    assert body["data"]["supportTicketCreate"]["ticket"]["offeredArticleIds"] == [article_id]
    # The report is for staff.
    for who, code in ((None, "UNAUTHENTICATED"), (BUYER, "FORBIDDEN"), ("admin@acme.example", "FORBIDDEN")):
        assert codes(await gql(REPORT, as_=who)) == [code]
    report = (await gql(REPORT, as_=STAFF_SUPPORT))["data"]["supportDeflectionReport"]
    assert report == {"deflections": 1, "ticketsOpened": 1, "ticketsOpenedAfterOffers": 1,
                      "byArticle": [{"article": {"slug": "reset-password"}, "deflections": 1}]}
    async with db.session() as s:
        actions = (await s.exec(select(AuditEvent.action).where(AuditEvent.action.like("kb.%")))).all()
    assert actions.count("kb.deflect") == 1



async def test_demo_articles_are_searchable_in_their_language(gql):
    body = await gql('{ kbSearch(query: "shipment tracking", locale: "en") { slug locale } }')
    assert body["data"]["kbSearch"][0] == {"slug": "track-a-shipment", "locale": "en"}
    body = await gql('{ kbSearch(query: "Sendung", locale: "de") { slug locale } }')
    assert body["data"]["kbSearch"] == [{"slug": "track-a-shipment", "locale": "de"}]
    # A SIGNED_IN demo article is not found without signing in.
    assert (await gql('{ kbSearch(query: "invoices") { slug } }'))["data"]["kbSearch"] == []
    assert [a["slug"] for a in (await gql('{ kbSearch(query: "invoices") { slug } }', as_=BUYER))
            ["data"]["kbSearch"]] == ["paying-invoices"]


@pytest.mark.postgres
async def test_postgres_search_uses_the_gin_index(db):
    stmt = _postgres_search(["password", "reset"])
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(r[0] for r in (await conn.exec_driver_sql(f"EXPLAIN {sql}")).all())
    assert "ix_kb_article_search" in plan, plan


async def test_anonymous_search_is_rate_limited_per_ip(gql):
    for _ in range(120):
        assert "errors" not in await gql(SEARCH, {"q": "shipment"})
    body = await gql(SEARCH, {"q": "shipment"})
    assert codes(body) == ["THROTTLED"]
