"""Documents staff share with an account (seen per role), and purchase-order files buyers attach to
orders (seen with the order): uploads checked by content, downloads only for who may see them."""
import json

import pytest
from sqlmodel import select

from db.models import Account, AuditEvent, OrderFile, SharedDocument
from server.settings import Settings
from tests.conftest import make_token
from tests.order_factories import BUYER, STAFF_ADMIN, STAFF_SUPPORT, count, gid, open_order
from tests.support import codes

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ADMIN, AP, APPROVER, VIEWER = "admin@acme.example", "ap@acme.example", "approver@acme.example", "viewer@acme.example"
GLOBEX = "admin@globex.example"

SHARE = """mutation($input: DocumentShareInput!) { documentShare(input: $input) {
  document { id title filename contentType sizeBytes roles url accountId } userErrors { code field message } } }"""
UNSHARE = """mutation($input: DocumentUnshareInput!) { documentUnshare(input: $input) {
  document { id } userErrors { code field message } } }"""
ATTACH = """mutation($input: PurchaseOrderFileAddInput!) { purchaseOrderFileAdd(input: $input) {
  orderFile { id filename contentType sizeBytes url } userErrors { code field message } } }"""
DOCUMENTS = "{ sharedDocuments(first: 10) { totalCount nodes { title roles url } } }"
ORDER_FILES = "query($id: ID!) { purchaseOrderFiles(orderId: $id) { filename url } }"


@pytest.fixture
def settings(db, tmp_path):
    return Settings(database_url=db.url, upload_dir=str(tmp_path / "uploads"))


async def upload(client, db, clock, who, query, variables, file):
    """A GraphQL multipart request with `file` (name, bytes, claimed type) as input.file."""
    token = await make_token(db, who, clock.now())
    operations = json.dumps({"query": query, "variables": {"input": {**variables, "file": None}}})
    response = await client.post("/graphql", data={"operations": operations,
                                                   "map": json.dumps({"0": ["variables.input.file"]})},
                                 files={"0": file}, headers={"authorization": f"Bearer {token}"})
    return response.json()


async def _get(client, db, clock, url, who):
    headers = {"authorization": f"Bearer {await make_token(db, who, clock.now())}"} if who else {}
    return await client.get(url, headers=headers)


def _stored(tmp_path):
    uploads = tmp_path / "uploads"
    return sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []


async def test_only_staff_admins_share_and_bad_files_change_nothing(client, db, clock, settings, tmp_path):
    acme = gid("Account", (await _account(db, "Acme Industrial")).id)
    before = await count(db, SharedDocument)  # the demo's contract
    ok = {"accountId": acme, "title": "Framework agreement 2027"}
    for who in (ADMIN, STAFF_SUPPORT):
        body = await upload(client, db, clock, who, SHARE, ok, ("a.pdf", PDF, "application/pdf"))
        assert codes(body) == ["FORBIDDEN"], (who, body)
    cases = [
        (("../../etc/contract.pdf", EXE, "application/pdf"), ok, "FILE_TYPE_NOT_ALLOWED"),  # the name lies
        (("big.pdf", PDF + b"\x00" * (10 * 1024 * 1024), "application/pdf"), ok, "FILE_TOO_LARGE"),
        (("empty.pdf", b"", "application/pdf"), ok, "EMPTY_FILE"),
        (("a.pdf", PDF, "application/pdf"), {**ok, "title": "  "}, "TITLE_REQUIRED"),
        (("a.pdf", PDF, "application/pdf"), {**ok, "roles": []}, "ROLES_REQUIRED"),
        (("a.pdf", PDF, "application/pdf"), {**ok, "accountId": gid("Account", 999999)}, "NOT_FOUND"),
    ]
    for file, variables, code in cases:
        body = await upload(client, db, clock, STAFF_ADMIN, SHARE, variables, file)
        assert [e["code"] for e in body["data"]["documentShare"]["userErrors"]] == [code], body
    assert await count(db, SharedDocument) == before and _stored(tmp_path) == []


async def test_a_shared_document_is_seen_and_downloaded_by_its_roles_only(client, gql, db, clock, settings, tmp_path):
    acme = gid("Account", (await _account(db, "Acme Industrial")).id)
    body = await upload(client, db, clock, STAFF_ADMIN, SHARE, {"accountId": acme, "title": "Framework agreement"},
                        ("..\\..\\Rahmenvertrag: «2027».exe", PDF, "application/x-msdownload"))
    doc = body["data"]["documentShare"]["document"]
    assert doc["roles"] == ["ADMIN", "ACCOUNTS_PAYABLE"] and doc["contentType"] == "application/pdf"
    assert doc["filename"] == "Rahmenvertrag_ «2027».pdf" and doc["accountId"] == acme  # no folders, its real type
    async with db.session() as s:
        row = (await s.exec(select(SharedDocument).where(SharedDocument.title == "Framework agreement"))).one()
    assert row.storage_key.startswith("documents/") and "Rahmen" not in row.storage_key

    # Denied first: roles the document is not shared with, another account, no token.
    for who in (BUYER, VIEWER, APPROVER, GLOBEX):
        listed = await gql(DOCUMENTS, as_=who)
        assert listed["data"]["sharedDocuments"]["totalCount"] == 0, who
        assert (await _get(client, db, clock, doc["url"], who)).status_code == 404, who
    assert (await _get(client, db, clock, doc["url"], None)).status_code == 401
    for who in (ADMIN, AP, STAFF_SUPPORT):
        listed = await gql(DOCUMENTS, as_=who)
        assert [n["title"] for n in listed["data"]["sharedDocuments"]["nodes"]] == [
            "Framework agreement", "Framework supply agreement 2026"], who  # newest first; the demo's contract
        response = await _get(client, db, clock, doc["url"], who)
        assert response.status_code == 200 and response.content == PDF, who
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-disposition"].startswith('attachment; filename="Rahmenvertrag_ _2027_.pdf"')

    # Shared with buyers as well: the Denver buyer (a role at one location) now sees it.
    await upload(client, db, clock, STAFF_ADMIN, SHARE,
                 {"accountId": acme, "title": "Price sheet", "roles": ["ADMIN", "BUYER"]}, ("p.pdf", PDF, "x/y"))
    listed = await gql(DOCUMENTS, as_=BUYER)
    assert [n["title"] for n in listed["data"]["sharedDocuments"]["nodes"]] == ["Price sheet"]
    listed = await gql(DOCUMENTS, as_=AP)
    assert [n["title"] for n in listed["data"]["sharedDocuments"]["nodes"]] == [
        "Framework agreement", "Framework supply agreement 2026"]

    # Unsharing: a customer may not; staff admin removes the row and the file.
    assert codes(await gql(UNSHARE, {"input": {"id": doc["id"]}}, as_=ADMIN)) == ["FORBIDDEN"]
    out = await gql(UNSHARE, {"input": {"id": doc["id"]}}, as_=STAFF_ADMIN)
    assert out["data"]["documentUnshare"]["userErrors"] == []
    assert (await _get(client, db, clock, doc["url"], ADMIN)).status_code == 404
    assert await count(db, SharedDocument) == 2 and len(_stored(tmp_path)) == 1
    again = await gql(UNSHARE, {"input": {"id": doc["id"]}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in again["data"]["documentUnshare"]["userErrors"]] == ["NOT_FOUND"]
    async with db.session() as s:
        actions = [e.action for e in (await s.exec(select(AuditEvent).where(
            AuditEvent.action.like("document.%")).order_by(AuditEvent.id))).all()]
    assert actions == ["document.share", "document.share", "document.unshare"]


async def test_shared_documents_page_runs_fixed_statements(client, gql, db, clock, settings):
    acme = gid("Account", (await _account(db, "Acme Industrial")).id)
    for i in range(3):
        await upload(client, db, clock, STAFF_ADMIN, SHARE, {"accountId": acme, "title": f"Doc {i}"},
                     (f"{i}.pdf", PDF, "application/pdf"))
    query = "{ sharedDocuments(first: 10) { nodes { id title roles url filename sizeBytes } } }"
    body = await gql(query, as_=ADMIN)
    assert len(body["data"]["sharedDocuments"]["nodes"]) == 4  # and the demo's contract
    assert body["_statements"] == await _baseline(gql, ADMIN) + 1  # the page: one statement


async def test_buyers_attach_purchase_order_files_that_whoever_sees_the_order_downloads(client, gql, db, clock,
                                                                                      settings, tmp_path):
    order, _ = await open_order(db)  # Denver Plant, where the demo buyer works
    variables = {"orderId": gid("Order", order.id)}
    pdf = ("PO 4711.pdf", PDF, "application/pdf")
    for who in (VIEWER, APPROVER, AP, STAFF_ADMIN):
        assert codes(await upload(client, db, clock, who, ATTACH, variables, pdf)) == ["FORBIDDEN"], who
    for who in ("buyer@globex.example",):
        body = await upload(client, db, clock, who, ATTACH, variables, pdf)
        assert [e["code"] for e in body["data"]["purchaseOrderFileAdd"]["userErrors"]] == ["NOT_FOUND"]
    for file, code in ((("po.txt", b"PO 4711\nqty 10\n", "text/plain"), "FILE_TYPE_NOT_ALLOWED"),
                       (("po.pdf", EXE, "application/pdf"), "FILE_TYPE_NOT_ALLOWED")):
        body = await upload(client, db, clock, BUYER, ATTACH, variables, file)
        assert [e["code"] for e in body["data"]["purchaseOrderFileAdd"]["userErrors"]] == [code]
    assert await count(db, OrderFile) == 0 and _stored(tmp_path) == []

    body = await upload(client, db, clock, BUYER, ATTACH, variables, pdf)
    attached = body["data"]["purchaseOrderFileAdd"]["orderFile"]
    assert attached["filename"] == "PO 4711.pdf" and attached["sizeBytes"] == len(PDF)
    for who in ("buyer@globex.example", VIEWER):  # the Austin viewer does not see Denver's orders
        assert (await gql(ORDER_FILES, {"id": variables["orderId"]}, as_=who))["data"]["purchaseOrderFiles"] == []
        assert (await _get(client, db, clock, attached["url"], who)).status_code == 404
    for who in (BUYER, ADMIN, APPROVER, STAFF_SUPPORT):
        files = (await gql(ORDER_FILES, {"id": variables["orderId"]}, as_=who))["data"]["purchaseOrderFiles"]
        assert [f["filename"] for f in files] == ["PO 4711.pdf"], who
        response = await _get(client, db, clock, attached["url"], who)
        assert response.status_code == 200 and response.content == PDF

    for _ in range(4):
        await upload(client, db, clock, BUYER, ATTACH, variables, pdf)
    body = await upload(client, db, clock, BUYER, ATTACH, variables, pdf)
    assert [e["code"] for e in body["data"]["purchaseOrderFileAdd"]["userErrors"]] == ["TOO_MANY_FILES"]
    assert await count(db, OrderFile) == 5 and len(_stored(tmp_path)) == 5


async def _account(db, name):
    async with db.session() as s:
        return (await s.exec(select(Account).where(Account.name == name))).one()


async def _baseline(gql, who):
    """Statements of an empty page for `who` (its session's own)."""
    body = await gql("{ sharedDocuments(first: 10, accountId: \"%s\") { nodes { id } } }" % gid("Account", 999999),
                     as_=who)
    return body["_statements"] - 1
