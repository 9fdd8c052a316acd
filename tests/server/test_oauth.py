"""OAuth 2 client credentials: an ADMIN registers a client; POST /oauth/token issues a 1-hour JWT;
the integration acts for its account within its scopes; revoked clients stop at once."""
from sqlmodel import select

from db.models import Account, Location, OAuthClient
from tests.schema.test_sign_up import count
from tests.support import codes, gid

CREATE = """mutation($input: OAuthClientCreateInput!) { oauthClientCreate(input: $input) {
  client { id clientId scopes } clientSecret userErrors { code } } }"""


async def register(gql, db, scopes, as_="admin@acme.example"):  # type: ignore[no-untyped-def]
    acme = await gid(db, Account, name="Acme Industrial")
    return await gql(CREATE, {"input": {"accountId": acme, "name": "Coupa", "scopes": scopes}}, as_=as_)


async def token_for(client, client_id, secret, **form):  # type: ignore[no-untyped-def]
    return await client.post("/oauth/token", data={"grant_type": "client_credentials", **form},
                              auth=(client_id, secret))


async def test_only_admins_register_clients_with_known_scopes(gql, db):
    assert codes(await register(gql, db, ["orders:read"], as_="buyer@acme.example")) == ["FORBIDDEN"]
    assert codes(await register(gql, db, ["orders:read"], as_="admin@globex.example")) == ["NOT_FOUND"]
    bad = await register(gql, db, ["orders:read", "root:all"])
    assert bad["data"]["oauthClientCreate"]["userErrors"] == [{"code": "INVALID_SCOPE"}]
    assert await count(db, OAuthClient) == 0
    ok = (await register(gql, db, ["orders:read", "account:read"]))["data"]["oauthClientCreate"]
    assert ok["client"]["scopes"] == ["account:read", "orders:read"] and ok["clientSecret"].startswith("pqos_")


async def test_token_endpoint_errors(gql, db, client):
    made = (await register(gql, db, ["orders:read"]))["data"]["oauthClientCreate"]
    cid, secret = made["client"]["clientId"], made["clientSecret"]
    wrong = await token_for(client, cid, secret + "x")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    unknown = await token_for(client, "pqo_nobody", secret)
    assert unknown.status_code == 401 and unknown.json() == wrong.json()
    scope = await token_for(client, cid, secret, scope="orders:read invoices:read")
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"
    grant = await client.post("/oauth/token", data={"grant_type": "password"}, auth=(cid, secret))
    assert grant.json()["error"] == "unsupported_grant_type"
    post = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": cid,
                                                  "client_secret": secret})
    assert post.status_code == 200 and post.json()["token_type"] == "Bearer" and post.json()["expires_in"] == 3600
    assert post.headers["cache-control"] == "no-store"


async def test_integration_acts_for_its_account_within_its_scopes(gql, db, client, clock):
    made = (await register(gql, db, ["account:read", "orders:read"]))["data"]["oauthClientCreate"]
    token = (await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"]
    auth = {"authorization": f"Bearer {token}"}
    body = await gql("{ viewer { name } accounts { nodes { name orders(first: 1) { totalCount } invoices { totalCount } } } }",
                     headers=auth)
    assert body["data"]["viewer"] is None
    nodes = body["data"]["accounts"]["nodes"]
    assert [n["name"] for n in nodes] == ["Acme Industrial"]  # never Globex
    assert nodes[0]["orders"]["totalCount"] > 0
    assert nodes[0]["invoices"] is None and codes(body) == ["FORBIDDEN"]  # no invoices:read
    for mutation in ("mutation { sessionRevokeAll { revokedCount } }", "mutation { twoFactorEnroll { userErrors { code } } }"):
        assert codes(await gql(mutation, headers=auth)) == ["FORBIDDEN"]
    clock.advance(minutes=61)
    late = await gql("{ accounts { nodes { name } } }", headers=auth)
    assert late["_status"] == 401 and late["errors"][0]["extensions"]["reason"] == "SESSION_EXPIRED"


async def test_revoked_client_stops_at_once(gql, db, client):
    made = (await register(gql, db, ["account:read"]))["data"]["oauthClientCreate"]
    token = (await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"]
    auth = {"authorization": f"Bearer {token}"}
    assert (await gql("{ accounts { nodes { name } } }", headers=auth))["_status"] == 200
    revoke = """mutation($id: ID!) { oauthClientRevoke(input: {id: $id}) { client { revokedAt } userErrors { code } } }"""
    assert codes(await gql(revoke, {"id": made["client"]["id"]}, as_="buyer@acme.example")) == ["NOT_FOUND"]
    done = await gql(revoke, {"id": made["client"]["id"]}, as_="admin@acme.example")
    assert done["data"]["oauthClientRevoke"]["client"]["revokedAt"]
    after = await gql("{ accounts { nodes { name } } }", headers=auth)
    assert after["_status"] == 401 and after["errors"][0]["extensions"]["reason"] == "SESSION_REVOKED"
    again = await token_for(client, made["client"]["clientId"], made["clientSecret"])
    assert again.json()["error"] == "invalid_client"
    forged = await gql("{ accounts { nodes { name } } }", headers={"authorization": "Bearer a.b.c"})
    assert forged["errors"][0]["extensions"]["reason"] == "INVALID_TOKEN"


async def test_a_client_with_only_orders_read_still_finds_its_account_but_nothing_more(gql, db, client):
    made = (await register(gql, db, ["orders:read"]))["data"]["oauthClientCreate"]
    token = (await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"]
    auth = {"authorization": f"Bearer {token}"}
    body = await gql("{ accounts { nodes { name locations { name } orders(first: 1) { totalCount } "
                     "invoices { totalCount } members { id } } } }", headers=auth)
    node = body["data"]["accounts"]["nodes"][0]
    async with db.session() as s:
        acme = (await s.exec(select(Location.name).join(Account).where(Account.name == "Acme Industrial"))).all()
    assert node["name"] == "Acme Industrial" and sorted(loc["name"] for loc in node["locations"]) == sorted(acme)
    assert node["orders"]["totalCount"] > 0
    assert node["invoices"] is None and node["members"] == []  # invoices:read and members:read not implied
    assert codes(body) == ["FORBIDDEN"]
