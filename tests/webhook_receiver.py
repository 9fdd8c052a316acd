"""A real HTTP receiver on loopback for the webhook tests: it records what it got (headers and
body) and answers as the test says (a status, a hang, a huge body, a dropped connection)."""
import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    behaviour: Callable[[str], str] = lambda path: "200"  # noqa: E731 - per path: "200", "500", "hang", "huge", "close"
    got: list[Received] = field(default_factory=list)
    port: int = 0
    delay: float = 0.0  # seconds before each answer (a slow receiver)
    server: http.server.ThreadingHTTPServer | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                how = receiver.behaviour(self.path)
                if how == "close":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                receiver.got.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if how == "hang":
                    time.sleep(3)
                    return
                if how == "redirect":
                    self.send_response(302)
                    self.send_header("location", "http://127.0.0.1:9/")
                    self.end_headers()
                    return
                if receiver.delay:
                    time.sleep(receiver.delay)
                data = b"x" * 5_000_000 if how == "huge" else b'{"ok":true}'
                self.send_response(int(how) if how.isdigit() else 200)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
