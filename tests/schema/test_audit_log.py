"""The audit log: ADMIN reads its account's events, staff read all, others nothing; keyset pages."""
from db.models import Account
from tests.schema.test_invitations import invite
from tests.support import codes, gid

LOG = """query($filter: AuditEventFilter, $first: Int, $after: String) { auditEvents(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { action actorKind actor { email } account { name } targetType ip data } } }"""


async def test_sign_ins_and_failures_are_recorded_for_staff(gql):
    await gql('mutation { signIn(input: {email: "buyer@acme.example", password: "nope-nope-nope"}) { userErrors { code } } }')
    await gql('mutation { signIn(input: {email: "buyer@acme.example", password: "portal-demo"}) { session { token } } }')
    body = await gql(LOG, {"filter": {"actionPrefix": "auth.sign_in"}}, as_="support@merchant.example")
    events = body["data"]["auditEvents"]["nodes"]
    assert [e["action"] for e in events] == ["auth.sign_in", "auth.sign_in_failed"]
    assert events[1]["data"] == {"code": "INVALID_CREDENTIALS", "method": "password"}
    assert events[0]["actor"] == {"email": "buyer@acme.example"} and events[0]["ip"] == "203.0.113.7"
    assert "nope" not in str(body)  # never a password
    mine = await gql(LOG, {"filter": {"actionPrefix": "auth."}}, as_="buyer@acme.example")
    assert mine["data"]["auditEvents"]["totalCount"] == 0  # not an ADMIN: nothing


async def test_admin_reads_its_account_log_only(gql, db):
    await invite(gql, db)
    await gql("""mutation($id: ID!) { oauthClientCreate(input: {accountId: $id, name: "ERP", scopes: ["orders:read"]}) {
                 userErrors { code } } }""", {"id": await gid(db, Account, name="Acme Industrial")},
              as_="admin@acme.example")
    body = await gql(LOG, {"first": 1}, as_="admin@acme.example")
    log = body["data"]["auditEvents"]
    assert log["totalCount"] == 2 and log["pageInfo"]["hasNextPage"]
    assert log["nodes"][0]["action"] == "oauth_client.create"
    rest = await gql(LOG, {"first": 5, "after": log["pageInfo"]["endCursor"]}, as_="admin@acme.example")
    assert [e["action"] for e in rest["data"]["auditEvents"]["nodes"]] == ["invitation.create"]
    assert rest["data"]["auditEvents"]["nodes"][0]["account"] == {"name": "Acme Industrial"}
    globex = await gql(LOG, {}, as_="admin@globex.example")
    assert globex["data"]["auditEvents"]["totalCount"] == 0
    assert codes(await gql(LOG, {})) == ["UNAUTHENTICATED"]
    bad = await gql(LOG, {"after": "garbage"}, as_="admin@acme.example")
    assert codes(bad) == ["BAD_USER_INPUT"]
