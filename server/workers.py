"""`portalql serve --workers N`: N processes, each listening on its own socket.

Each worker binds the same address with SO_REUSEPORT and the kernel spreads new connections
among them. uvicorn's own --workers shares one listening socket instead: the worker that wakes
first accepts every connection waiting (asyncio accepts up to the backlog at once), so the eight
keep-alive connections of a proxy or of the benchmark, opened together, all went to one worker
while the other idled. Its socket also left `proto` at 0, so asyncio left Nagle's algorithm on
(uvicorn issue 3149) and each keep-alive request after the first waited ~44 ms for the client's
delayed ACK; ours say IPPROTO_TCP."""
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from typing import Any

from server.settings import Settings

APP = "server.app:create_app"
UVICORN: dict[str, Any] = {"factory": True, "log_level": "info", "proxy_headers": True, "access_log": False,
                           "timeout_graceful_shutdown": 20}
STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that could not start


def prepare_workers(settings: Settings, workers: int) -> None:
    if workers <= 1:
        return
    if settings.database_url.startswith("sqlite"):
        print("warning: several workers on SQLite serialize every write; use PostgreSQL (DATABASE_URL)",
              file=sys.stderr)
    if not settings.redis_url:
        print("warning: without REDIS_URL each worker keeps its own cost buckets, so a caller gets "
              f"{workers} times the configured rate", file=sys.stderr)
    if settings.metrics_served and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker writes its metrics here; /metrics adds them up whichever worker answers.
        path = tempfile.mkdtemp(prefix="portalql-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
        import atexit  # noqa: PLC0415
        atexit.register(shutil.rmtree, path, True)


def listener(host: str, port: int, *, shared: bool = True) -> socket.socket:
    """A TCP socket bound to host:port (not listening yet), sharing the port when `shared`."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         proto=socket.IPPROTO_TCP)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _end_with(parent: int) -> None:
    """Stop this worker (gracefully) once the supervisor is gone: killed outright, it could not
    stop us, and we would go on holding the port beside the workers of the next one."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker(host: str, port: int, parent: int) -> None:
    import uvicorn  # noqa: PLC0415

    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    sock = listener(host, port)
    server = uvicorn.Server(uvicorn.Config(APP, host=host, port=port, **UVICORN))
    try:
        server.run(sockets=[sock])
    except BaseException:
        if server.started:
            raise
        traceback.print_exc()  # the app could not be built: another worker would fail alike
        raise SystemExit(STARTUP_FAILURE) from None
    if not server.started:  # its startup failed (uvicorn logged why)
        raise SystemExit(STARTUP_FAILURE)


def run_workers(host: str, port: int, workers: int, banner: str = "") -> int:
    """Start the workers, start another for one that dies, stop them all on SIGINT or SIGTERM.
    `banner` is printed once the port is ours."""
    # Another server already on the port (even one sharing it) makes a plain bind fail: say so
    # now rather than split its traffic with it.
    try:
        listener(host, port, shared=False).close()
        reserved = listener(host, port)  # holds the port while workers come and go; never listens
    except OSError as e:
        print(f"cannot listen on {host}:{port}: {e.strerror}", file=sys.stderr)
        return 1
    if banner:
        print(banner, flush=True)
    spawn = multiprocessing.get_context("spawn")
    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}

    def start() -> Any:
        process = spawn.Process(target=_worker, args=(host, port, os.getpid()), daemon=False)
        process.start()
        return process
    processes = [start() for _ in range(workers)]
    code = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for i, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    print(f"worker {process.pid} could not start: stopping", file=sys.stderr, flush=True)
                    stopping.append(0)
                    code = STARTUP_FAILURE
                    break
                print(f"worker {process.pid} exited with {process.exitcode}: starting another",
                      file=sys.stderr, flush=True)
                processes[i] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + UVICORN["timeout_graceful_shutdown"] + 5
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        reserved.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code
