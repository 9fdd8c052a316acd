from tests.support import codes


async def test_anonymous_viewer_is_null(gql):
    body = await gql("{ viewer { name } }")
    assert body["data"] == {"viewer": None}


async def test_buyer_sees_its_name(gql):
    body = await gql("{ viewer { name email } }", as_="buyer@acme.example")
    assert body["data"]["viewer"] == {"name": "Bob Buyer", "email": "buyer@acme.example"}
    assert "errors" not in body, codes(body)
