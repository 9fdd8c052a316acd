"""The portal in headless Chromium: the system's browser (Debian's `chromium`) driven by Playwright,
against `portalql demo` started as a subprocess on a free port with a demo database of its own.

Without Chromium (or without the playwright package) these tests skip, saying why. Screenshots go
to PORTALQL_SCREENSHOTS (made if missing), else to a temporary folder printed at the end."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Seeding the demo and starting the server on a 2-core machine at load 10: generous.
DEADLINE_SECONDS = 300.0
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


def chromium_path() -> str | None:
    given = os.environ.get("PORTALQL_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


# base URL -> the environment its server runs with (its database), for `portalql mail` in tests.
portal_env: dict[str, dict[str, str]] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - our own local server
            return bool(r.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def browser_path() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found (install Debian's `chromium`, or set PORTALQL_CHROMIUM to its path): "
                    "the portal's browser tests need one")
    try:
        import playwright  # noqa: F401, PLC0415
    except ImportError:
        pytest.skip("the playwright package is not installed (it is in requirements-test.lock)")
    return path


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(os.environ.get("PORTALQL_SCREENSHOTS") or tempfile.mkdtemp(prefix="portalql-screenshots-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def portal_url(browser_path: str, tmp_path_factory: Any) -> Iterator[str]:
    """`portalql demo` on a free port, on a SQLite database of its own (whatever DATABASE_URL says:
    the suite's PostgreSQL database is the other tests')."""
    folder = tmp_path_factory.mktemp("portal")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTALQL_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'demo.db'}", PORTALQL_UPLOAD_DIR=str(folder / "uploads"),
               PYTHONUNBUFFERED="1")
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "server.cli", "demo", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not _ready(base + "readyz"):
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the demo server did not start: {(folder / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        portal_env[base] = env
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(browser_path: str) -> Iterator[Any]:
    """Per module: Playwright's sync API runs an event loop in this thread while it is started,
    and the async tests that follow need the thread without one."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, portal_url: str) -> Iterator[Any]:
    """A new browser context (its own session storage) at desktop width, failing on script errors."""
    # bypass_csp: the tests inject axe-core into the page, which the portal's policy would refuse.
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="en-US", bypass_csp=True)
    context.set_default_timeout(60_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.base = portal_url
    yield tab
    context.close()
    assert not errors, errors
