"""`portalql serve --workers N` (server/workers.py): connections spread over the workers, Nagle's
algorithm off, a dead worker replaced, a taken port refused, a clean stop."""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from server.workers import listener, run_workers
from tests.conftest import ON_POSTGRES
from tests.server.helpers import DEADLINE_SECONDS, free_port, wait_for

BIN = Path(sys.executable).parent / "portalql"


async def nodelay_of_accepted(sock: socket.socket) -> int:
    """TCP_NODELAY of a connection accepted by asyncio on this listener."""
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()
    server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
    try:
        _, writer = await asyncio.open_connection(*sock.getsockname())
        async with asyncio.timeout(DEADLINE_SECONDS):
            while not seen:
                await asyncio.sleep(0.01)
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    return seen[0]


async def test_a_listener_bound_as_uvicorn_binds_it_leaves_nagle_on():
    sock = socket.socket(family=socket.AF_INET)  # uvicorn's bind_socket: proto left at 0
    sock.bind(("127.0.0.1", 0))
    assert await nodelay_of_accepted(sock) == 0


async def test_ours_says_tcp_so_asyncio_turns_nagle_off():
    sock = listener("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    assert await nodelay_of_accepted(sock) != 0


def test_a_taken_port_is_refused_before_any_worker_starts(capsys):
    taken = listener("127.0.0.1", 0)  # another server sharing the port would go unnoticed otherwise
    taken.listen()
    try:
        assert run_workers("127.0.0.1", taken.getsockname()[1], 2) == 1
    finally:
        taken.close()
    assert "Address already in use" in capsys.readouterr().err


def workers_of(parent: int) -> set[int]:
    """The worker processes of a `serve` (not multiprocessing's resource tracker)."""
    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout
    workers = set()
    for pid in out.split():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            workers.add(int(pid))
    return workers


def listening_sockets(pid: int, port: int) -> set[int]:
    """Inodes of the sockets listening on `port` that process `pid` holds."""
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port:  # 0A: LISTEN
            listening.add(int(fields[9]))
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            held.add(int(target[8:-1]))
    return listening & held


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; whoever adopted it has not reaped it yet


def ask(port: int, connections: int, busy: int) -> None:
    """One request on each of `connections` keep-alive connections, opened while the worker `busy`
    cannot run (stopped, as if busy with a long request)."""
    body = b'{"query": "{ __typename }"}'
    request = (b"POST /graphql HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n"
               b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    os.kill(busy, signal.SIGSTOP)
    try:
        socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(connections)]
    finally:
        os.kill(busy, signal.SIGCONT)
    try:
        for s in socks:
            s.settimeout(DEADLINE_SECONDS)
            s.sendall(request)
        for s in socks:
            assert s.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        for s in socks:
            s.close()


@contextmanager
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int, Path, set[int]]]:
    """`portalql serve --workers 2` on a migrated SQLite file, once both workers have started:
    the process, its port, its log and its workers. Whatever is left of it is killed at the end."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/workers.db"}
    env.pop("PORTALQL_ENV", None)
    env.pop("REDIS_URL", None)
    assert subprocess.run([BIN, "migrate"], env=env, capture_output=True).returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen([BIN, "serve", "--port", str(port), "--workers", "2"], env=env, cwd=tmp_path,
                                  stdout=out, stderr=subprocess.STDOUT)
    workers: set[int] = set()
    try:
        wait_for(lambda: log.read_text().count("Application startup complete") == 2 or server.poll() is not None,
                 "both workers to start", seen=log.read_text)
        assert server.poll() is None, log.read_text()
        workers = workers_of(server.pid)
        assert len(workers) == 2, (workers, log.read_text())
        yield server, port, log, workers
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in workers | workers_of(server.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.skipif(ON_POSTGRES, reason="uses its own SQLite file; the PostgreSQL run covers the rest")
@pytest.mark.skipif(sys.platform != "linux", reason="reads the workers' sockets from /proc")
def test_serve_spreads_connections_replaces_a_dead_worker_and_stops_cleanly(tmp_path):
    with serving(tmp_path) as (server, port, log, first):
        # Each worker listens on a socket of its own: the kernel spreads connections over them. (With
        # one shared socket, the worker that wakes first accepts every connection waiting.)
        listening = {pid: listening_sockets(pid, port) for pid in first}
        assert all(len(inodes) == 1 for inodes in listening.values())
        assert len(set().union(*listening.values())) == 2
        # 24 keep-alive connections opened while one worker is busy: each worker gets its share.
        ask(port, 24, busy=max(first))

        def served() -> list[int]:
            return [json.loads(line)["pid"] for line in log.read_text().splitlines()
                    if line.startswith("{") and '"portalql.access"' in line]
        wait_for(lambda: len(served()) == 24, "24 access log lines", seen=served)
        assert set(served()) == first

        os.kill(min(first), signal.SIGKILL)
        wait_for(lambda: len(now := workers_of(server.pid)) == 2 and min(first) not in now
                 and "Application startup complete" in log.read_text().split("starting another", 1)[-1],
                 "a new worker in place of the killed one",
                 seen=lambda: (workers_of(server.pid), log.read_text()[-2000:]))
        assert "starting another" in log.read_text()

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=DEADLINE_SECONDS) == 0
        assert workers_of(server.pid) == set()


def test_workers_that_cannot_start_stop_the_server_instead_of_restarting_forever(tmp_path):
    try:
        import opentelemetry.exporter.otlp.proto.http  # noqa: F401
        pytest.skip("needs a worker that cannot build the app: tracing on without its exporter installed")
    except ImportError:
        pass
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/workers.db"}
    env.pop("PORTALQL_ENV", None)
    assert subprocess.run([BIN, "migrate"], env=env, capture_output=True).returncode == 0
    env["PORTALQL_TRACING"] = "1"  # each worker stops: "OpenTelemetry is not installed"
    server = subprocess.run([BIN, "serve", "--port", str(free_port()), "--workers", "2"], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=DEADLINE_SECONDS)
    assert server.returncode == 3
    assert "could not start: stopping" in server.stderr and "starting another" not in server.stderr


@pytest.mark.skipif(ON_POSTGRES, reason="uses its own SQLite file; the PostgreSQL run covers the rest")
@pytest.mark.skipif(sys.platform != "linux", reason="reads the workers from /proc")
def test_workers_end_when_the_supervisor_is_killed_outright(tmp_path):
    with serving(tmp_path) as (server, _port, log, workers):
        server.kill()  # SIGKILL: no chance to stop its workers
        server.wait()
        wait_for(lambda: not any(running(pid) for pid in workers), "the workers to end",
                 seen=lambda: {pid: running(pid) for pid in workers})
        assert log.read_text().count("Application shutdown complete") == 2  # they stopped gracefully
