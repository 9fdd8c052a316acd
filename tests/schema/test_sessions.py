"""Sessions: idle timeout and lifetime answered with UNAUTHENTICATED and a reason; list, revoke, sign out."""
from tests.conftest import make_token
from tests.support import codes

LIST = "{ viewer { sessions { id method current device ip } } }"


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


async def test_idle_and_expired_sessions_must_sign_in_again(gql, db, clock):
    token = await make_token(db, "buyer@acme.example", clock.now(), hours=1)
    assert (await gql("{ viewer { email } }", headers=bearer(token)))["data"]["viewer"]
    clock.advance(minutes=31)
    idle = await gql("{ viewer { email } }", headers=bearer(token))
    assert idle["_status"] == 401 and idle["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED",
                                                                          "reason": "SESSION_IDLE"}
    fresh = await make_token(db, "buyer@acme.example", clock.now(), hours=1)
    for _ in range(2):
        clock.advance(minutes=20)
        assert (await gql("{ viewer { email } }", headers=bearer(fresh)))["_status"] == 200
    clock.advance(minutes=20)  # used all along, but an hour old: the absolute lifetime is over
    expired = await gql("{ viewer { email } }", headers=bearer(fresh))
    assert expired["errors"][0]["extensions"]["reason"] == "SESSION_EXPIRED"
    bad = await gql("{ viewer { email } }", headers=bearer("pqs_nonsense"))
    assert bad["errors"][0]["extensions"]["reason"] == "INVALID_TOKEN"


async def test_list_and_revoke_one(gql, db, clock, client):
    phone = await make_token(db, "buyer@acme.example", clock.now())
    laptop = await make_token(db, "buyer@acme.example", clock.now())
    other = await make_token(db, "admin@acme.example", clock.now())
    listed = await gql(LIST, headers={**bearer(laptop), "user-agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/130.0"})
    sessions = listed["data"]["viewer"]["sessions"]
    assert len(sessions) == 2 and sum(s["current"] for s in sessions) == 1
    foreign = (await gql(LIST, headers=bearer(other)))["data"]["viewer"]["sessions"][0]["id"]
    revoke = """mutation($id: ID!) { sessionRevoke(input: {id: $id}) { session { id } userErrors { code } } }"""
    denied = await gql(revoke, {"id": foreign}, headers=bearer(laptop))
    assert denied["data"]["sessionRevoke"] == {"session": None, "userErrors": [{"code": "NOT_FOUND"}]}
    assert (await gql("{ viewer { email } }", headers=bearer(other)))["_status"] == 200
    phone_id = next(s["id"] for s in sessions if not s["current"])
    done = await gql(revoke, {"id": phone_id}, headers=bearer(laptop))
    assert done["data"]["sessionRevoke"]["session"]["id"] == phone_id
    gone = await gql("{ viewer { email } }", headers=bearer(phone))
    assert gone["_status"] == 401 and gone["errors"][0]["extensions"]["reason"] == "SESSION_REVOKED"
    assert (await gql("{ viewer { email } }", headers=bearer(laptop)))["_status"] == 200


async def test_revoke_all_and_sign_out(gql, db, clock):
    tokens = [await make_token(db, "buyer@acme.example", clock.now()) for _ in range(3)]
    anonymous = await gql("mutation { signOut { userErrors { code } } }")
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    body = await gql("mutation { sessionRevokeAll { revokedCount userErrors { code } } }", headers=bearer(tokens[0]))
    assert body["data"]["sessionRevokeAll"] == {"revokedCount": 2, "userErrors": []}
    assert [(await gql("{ viewer { email } }", headers=bearer(t)))["_status"] for t in tokens] == [200, 401, 401]
    out = await gql("mutation { signOut { userErrors { code } } }", headers=bearer(tokens[0]))
    assert out["data"]["signOut"] == {"userErrors": []}
    assert (await gql("{ viewer { email } }", headers=bearer(tokens[0])))["_status"] == 401


async def test_the_viewer_is_read_with_the_session_in_one_statement(gql):
    body = await gql("{ viewer { name email } }", as_="buyer@acme.example")
    assert body["data"]["viewer"] == {"name": "Bob Buyer", "email": "buyer@acme.example"}
    assert body["_statements"] == 1
    staff = await gql("{ viewer { name } }", as_="ops@merchant.example")
    assert staff["data"]["viewer"]["name"] and staff["_statements"] == 1
