"""Nagle's algorithm is off on every connection `portalql serve` accepts, whichever way uvicorn
bound the listening socket (server/http_protocol.py)."""
import asyncio
import socket

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from server import cli
from server.http_protocol import NoDelayH11Protocol


async def app(scope, receive, send):  # a plain ASGI app: the protocol is under test, not Portalql
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def nodelay_of_accepted(protocol_class) -> int:
    """TCP_NODELAY of a connection accepted on a listener bound as `uvicorn --workers N` binds it."""
    config = uvicorn.Config(app, log_level="warning")
    config.load()
    state = ServerState()
    seen: list[int] = []

    def factory():
        protocol = protocol_class(config=config, server_state=state, app_state={})
        made = protocol.connection_made

        def connection_made(transport):
            made(transport)
            seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        protocol.connection_made = connection_made
        return protocol

    listener = socket.socket(family=socket.AF_INET)  # proto left at 0, as uvicorn's bind_socket does
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.get_running_loop().create_server(factory, sock=listener)
    try:
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        writer.write(b"GET / HTTP/1.1\r\nhost: test\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 204")
        writer.close()
        await writer.wait_closed()
    finally:
        server.close()
        await server.wait_closed()
    return seen[0]


async def test_uvicorns_own_protocol_leaves_nagle_on_for_such_a_listener():
    assert await nodelay_of_accepted(H11Protocol) == 0


async def test_ours_turns_nagle_off():
    assert await nodelay_of_accepted(NoDelayH11Protocol) != 0


def test_serve_runs_uvicorn_with_our_protocol(monkeypatch):
    ran = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: ran.update(kwargs))
    cli._serve(cli.Settings(), "127.0.0.1", 8000, workers=1)
    config = uvicorn.Config(app, http=ran["http"])
    config.load()
    assert config.http_protocol_class is NoDelayH11Protocol
