"""signIn and bearer tokens over HTTP."""
import re
from pathlib import Path

from sqlmodel import func, select

from db.models import Account, AuditEvent, AuthSession
from tests.support import codes

SIGN_IN = """mutation($email: String!, $password: String!) { signIn(input: {email: $email, password: $password}) {
  session { token expiresAt } user { email } userErrors { message code field } } }"""


async def _sessions(db) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(AuthSession))).one()


async def test_wrong_password_and_unknown_email_answer_alike_and_make_no_session(gql, db):
    before = await _sessions(db)
    wrong = await gql(SIGN_IN, {"email": "buyer@acme.example", "password": "nope"})
    unknown = await gql(SIGN_IN, {"email": "nobody@acme.example", "password": "nope"})
    for body in (wrong, unknown):
        assert body["data"]["signIn"]["session"] is None
        assert body["data"]["signIn"]["userErrors"] == [
            {"message": "Wrong email or password", "code": "INVALID_CREDENTIALS", "field": ["input"]}]
    assert await _sessions(db) == before


async def test_malformed_input_is_a_user_error(gql, db):
    before = await _sessions(db)
    body = await gql(SIGN_IN, {"email": "x" * 300, "password": "portal-demo"})
    assert body["data"]["signIn"]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert await _sessions(db) == before


async def test_malformed_input_is_not_an_audited_attempt(gql, db):
    async with db.session() as s:
        events = (await s.exec(select(func.count()).select_from(AuditEvent))).one()
    body = await gql(SIGN_IN, {"email": "x" * 300, "password": "portal-demo"})
    assert body["data"]["signIn"]["userErrors"][0]["code"] == "INVALID_INPUT"
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(AuditEvent))).one() == events


async def test_sign_in_then_use_the_token(gql, client, db):
    body = await gql(SIGN_IN, {"email": " Buyer@Acme.example ", "password": "portal-demo"})
    token = body["data"]["signIn"]["session"]["token"]
    assert body["data"]["signIn"]["userErrors"] == [] and token.startswith("pqs_")
    async with db.session() as s:
        stored = (await s.exec(select(AuthSession.token_hash))).all()
    assert token not in stored  # only its hash is kept
    me = await client.post("/graphql", json={"query": "{ viewer { email } }"}, headers={"authorization": f"Bearer {token}"})
    assert me.json()["data"]["viewer"]["email"] == "buyer@acme.example"


async def test_an_invalid_token_is_401_unauthenticated(client):
    response = await client.post("/graphql", json={"query": "{ viewer { email } }"},
                                 headers={"authorization": "Bearer pqs_forged"})
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "INVALID_TOKEN"}


async def test_idle_and_expired_sessions_ask_to_sign_in_again(gql, clock):
    assert (await gql("{ viewer { email } }", as_="ap@acme.example"))["data"]["viewer"]
    clock.advance(minutes=29)
    assert (await gql("{ viewer { email } }", as_="ap@acme.example"))["data"]["viewer"]  # and it touches the session
    clock.advance(minutes=29)
    assert (await gql("{ viewer { email } }", as_="ap@acme.example"))["data"]["viewer"]
    clock.advance(minutes=31)
    idle = await gql("{ viewer { email } }", as_="ap@acme.example")
    assert idle["_status"] == 401 and idle["errors"][0]["extensions"]["reason"] == "SESSION_IDLE"


async def test_a_session_ends_at_its_absolute_lifetime_even_when_used(gql, clock):
    for _ in range(25):  # 25 x 29 minutes: past the 12-hour lifetime, never idle
        assert (await gql("{ viewer { email } }", as_="ap@acme.example"))["_status"] == 200
        clock.advance(minutes=29)
    body = await gql("{ viewer { email } }", as_="ap@acme.example")
    assert body["_status"] == 401 and body["errors"][0]["extensions"]["reason"] == "SESSION_EXPIRED"


async def test_staff_see_every_account_and_customers_their_own(gql, db):
    query = "{ accounts(first: 10) { totalCount nodes { name } } }"
    staff = (await gql(query, as_="support@merchant.example"))["data"]["accounts"]
    async with db.session() as s:
        assert staff["totalCount"] == (await s.exec(select(func.count()).select_from(Account))).one() > 1
    buyer = (await gql(query, as_="buyer@acme.example"))["data"]["accounts"]
    assert buyer == {"totalCount": 1, "nodes": [{"name": "Acme Industrial"}]}
    anonymous = await gql(query)
    assert codes(anonymous) == ["UNAUTHENTICATED"]


async def test_unexpected_errors_are_masked_with_a_request_id(gql, monkeypatch):
    from resolvers import accounts

    async def broken(ctx):
        raise RuntimeError("database password is hunter2")
    monkeypatch.setattr(accounts, "viewer_memberships", broken)
    body = await gql("{ viewer { memberships { id } } }", as_="buyer@acme.example",
                     headers={"x-request-id": "req-123"})
    error = body["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-123"}
    assert "hunter2" not in error["message"] and "req-123" in error["message"]


async def test_the_readme_query_runs_as_the_demo_buyer(gql):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    query = next(q for q in re.findall(r"```graphql\n(.*?)```", readme, re.S) if q.lstrip().startswith("{"))
    body = await gql(query, as_="buyer@acme.example")
    assert "errors" not in body, body["errors"]
    viewer = body["data"]["viewer"]
    assert viewer["locations"][0]["catalog"]["nodes"]
    assert viewer["orders"]["nodes"]
