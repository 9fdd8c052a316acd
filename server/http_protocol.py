"""uvicorn's HTTP/1.1 protocol with Nagle's algorithm off on every connection.

With `--workers N` uvicorn binds the listening socket itself, with `proto` 0; accepted sockets
inherit it, and asyncio turns TCP_NODELAY on only for sockets that say IPPROTO_TCP. Nagle then
holds a response's body until the client acknowledges its headers, which the client delays:
every keep-alive request after the first took ~44 ms instead of ~1 (uvicorn issue #3149)."""
import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
