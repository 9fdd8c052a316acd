"""Our API as deployed: `portalql serve --workers N` in production mode, driven over loopback by
keep-alive clients. The in-process figures leave out HTTP parsing, the sockets and the workers:
this is where a transport fault shows (server/workers.py tells of two that uvicorn's own
--workers had: Nagle's algorithm on, and every connection on one worker).

The clients are plain asyncio streams writing prepared request bytes, so that the load generator
costs little next to the server; it still shares the machine's cores with the workers."""
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(database_url: str, workers: int) -> Iterator[int]:
    """A production server on the data set, on a free port, once all its workers have started."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORTALQL_ENV": "production",
           "PORTALQL_SECRET_KEY": secrets.token_hex(32), "PORTALQL_METRICS_TOKEN": secrets.token_hex(32),
           # The throughput of the server, not of a caller's cost bucket.
           "PORTALQL_BUCKET_SIZE": str(10**9), "PORTALQL_RESTORE_RATE": str(10**9)}
    env.pop("REDIS_URL", None)
    portalql = str(Path(sys.executable).parent / "portalql")
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen([portalql, "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--workers", str(workers)], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            # Every worker, not only the first: one still starting takes no connections, and
            # keep-alive clients would stay on the others.
            for _ in range(600):
                log.seek(0)
                if log.read().count("Application startup complete") >= workers:
                    break
                if server.poll() is not None:
                    raise RuntimeError(f"portalql serve exited with {server.returncode}")
                time.sleep(0.1)
            else:
                raise RuntimeError("portalql serve did not start")
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


def request_bytes(op: dict[str, Any], token: str) -> bytes:
    body = orjson.dumps(op)
    return (b"POST /graphql HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n"
            b"authorization: Bearer " + token.encode() + b"\r\ncontent-length: " + str(len(body)).encode()
            + b"\r\n\r\n" + body)


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> None:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"answered {head[:40]!r}")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    body = await reader.readexactly(length)
    if b'"errors"' in body:
        raise RuntimeError(f"errors: {body[:300]!r}")


async def load(port: int, request: bytes, requests: int, clients: int) -> dict[str, float]:
    """`requests` requests from `clients` keep-alive connections: requests per second and latency."""
    latencies: list[float] = []
    remaining = requests

    async def connected() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(3):  # warm: the connection, and the caches of the worker that serves it
            await _exchange(reader, writer, request)
        return reader, writer

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            t = time.perf_counter()
            await _exchange(reader, writer, request)
            latencies.append(time.perf_counter() - t)
        writer.close()
        await writer.wait_closed()
    connections = await asyncio.gather(*[connected() for _ in range(clients)])
    started = time.perf_counter()
    await asyncio.gather(*[client(*c) for c in connections])
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"rps": len(latencies) / elapsed, "p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000}
