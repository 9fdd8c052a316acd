"""Server-made customer sessions: the merchant's backend, with an API key, makes a short-lived
session for one customer in one account."""
from db.models import Account, AuthSession
from domain.identity.api_keys import create_key
from tests.schema.test_sign_up import count
from tests.support import gid


async def api_key(db, clock) -> str:  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        key, _ = create_key(s, "shop backend", clock.now())
    return key


async def test_needs_a_valid_key(client, db, clock):
    acme = await gid(db, Account, name="Acme Industrial")
    body = {"email": "buyer@acme.example", "accountId": acme}
    sessions = await count(db, AuthSession)
    assert (await client.post("/customer-sessions", json=body)).status_code == 401
    assert (await client.post("/customer-sessions", json=body,
                              headers={"authorization": "Bearer pqk_wrong"})).status_code == 401
    assert await count(db, AuthSession) == sessions


async def test_makes_a_session_for_one_account(client, gql, db, clock):
    key = {"authorization": f"Bearer {await api_key(db, clock)}"}
    acme = await gid(db, Account, name="Acme Industrial")
    globex = await gid(db, Account, name="Globex GmbH")
    sessions = await count(db, AuthSession)
    for payload, status in (({"email": "buyer@acme.example", "accountId": globex}, 404),
                            ({"email": "nobody@acme.example", "accountId": acme}, 404),
                            ({"email": "buyer@acme.example", "accountId": acme, "minutes": 600}, 400),
                            ({"email": "buyer@acme.example"}, 400),
                            ({"email": "buyer@acme.example", "accountId": "bm9wZQ"}, 400)):
        assert (await client.post("/customer-sessions", json=payload, headers=key)).status_code == status, payload
    assert await count(db, AuthSession) == sessions
    made = await client.post("/customer-sessions", json={"email": "admin@acme.example", "accountId": acme,
                                                         "minutes": 10}, headers=key)
    assert made.status_code == 201
    token = made.json()["token"]
    assert made.json()["url"].endswith(f"#token={token}")
    me = await gql("{ viewer { email accounts { name } } }", headers={"authorization": f"Bearer {token}"})
    assert me["data"]["viewer"] == {"email": "admin@acme.example", "accounts": [{"name": "Acme Industrial"}]}
    # It did not prove the person's credentials: it cannot change their security, but can sign out.
    auth = {"authorization": f"Bearer {token}"}
    for mutation in ("mutation { sessionRevokeAll { revokedCount } }", "mutation { twoFactorEnroll { userErrors { code } } }"):
        assert [e["extensions"]["code"] for e in (await gql(mutation, headers=auth))["errors"]] == ["FORBIDDEN"]
    clock.advance(minutes=10)
    late = await gql("{ viewer { email } }", headers={"authorization": f"Bearer {token}"})
    assert late["_status"] == 401 and late["errors"][0]["extensions"]["reason"] == "SESSION_EXPIRED"
