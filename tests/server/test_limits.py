"""Request bodies above the cap are refused before anything parses them."""
from server.limits import MAX_BODY_BYTES


async def test_an_oversized_upload_is_refused_with_413(client):
    response = await client.post("/graphql", content=b"x" * (MAX_BODY_BYTES + 1),
                                 headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_oversized_body_without_a_length_is_refused_too(client):
    async def chunks():
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536
    response = await client.post("/graphql", content=chunks(),
                                 headers={"content-type": "multipart/form-data; boundary=x"})
    # Reading stops at the cap; the multipart parser reports the cut-off body as unparseable (400).
    assert response.status_code in (400, 413)


async def test_ordinary_requests_pass(client):
    response = await client.post("/graphql", json={"query": "{ viewer { name } }"})
    assert response.status_code == 200
