"""Structured logs: one JSON object a line on stderr. Request fields come as `extra`; nothing here
ever receives a token, a password or a request body."""
import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "pid": record.process,
               "message": record.getMessage()}
        for k, v in record.__dict__.items():
            if k not in _STANDARD and not k.startswith("_"):
                out[k] = v
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to sys.stderr as it is when a line is written, not as it was when logging was set up
    (a test's capture, or a server that rebinds it, would otherwise leave it a closed stream)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(level: int = logging.INFO) -> None:
    """JSON lines for the `portalql` loggers (once per process)."""
    root = logging.getLogger("portalql")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
