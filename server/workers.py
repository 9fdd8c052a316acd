"""What several worker processes need before uvicorn starts them."""
import os
import shutil
import sys
import tempfile

from server.settings import Settings


def prepare_workers(settings: Settings, workers: int) -> None:
    if workers <= 1:
        return
    if settings.database_url.startswith("sqlite"):
        print("warning: several workers on SQLite serialize every write; use PostgreSQL (DATABASE_URL)",
              file=sys.stderr)
    if not settings.redis_url:
        print("warning: without REDIS_URL each worker keeps its own cost buckets, so a caller gets "
              f"{workers} times the configured rate", file=sys.stderr)
    if settings.metrics and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker writes its metrics here; /metrics adds them up whichever worker answers.
        path = tempfile.mkdtemp(prefix="portalql-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
        import atexit  # noqa: PLC0415
        atexit.register(shutil.rmtree, path, True)
