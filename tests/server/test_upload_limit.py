"""Uploads (return photos) are capped at the door: the gate refuses an endless body with 413
before the multipart parser spools it to disk."""
from server.app import MAX_UPLOAD_BYTES
from tests.conftest import make_token

HEADERS = {"content-type": "multipart/form-data; boundary=x", "authorization": "Bearer pqs_any"}


async def test_an_oversized_upload_is_refused_with_413(client):
    response = await client.post("/graphql", content=b"x" * (MAX_UPLOAD_BYTES + 1), headers=HEADERS)
    assert response.status_code == 413


async def test_an_oversized_upload_without_a_length_is_refused_too(client, db, clock):
    # A signed-in caller, so the body is read (a bad token is refused before any of it is).
    token = await make_token(db, "buyer@acme.example", clock.now())

    async def chunks():
        # A well-formed multipart request whose file part never ends.
        yield (b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
               b'{"query": "mutation($f: Upload!) { __typename }", "variables": {"f": null}}\r\n'
               b'--x\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0": ["variables.f"]}\r\n'
               b'--x\r\nContent-Disposition: form-data; name="0"; filename="a.png"\r\n'
               b'Content-Type: image/png\r\n\r\n')
        for _ in range(MAX_UPLOAD_BYTES // 65536 + 2):
            yield b"x" * 65536
    response = await client.post("/graphql", content=chunks(), headers={**HEADERS, "authorization": f"Bearer {token}"})
    assert response.status_code == 413
