"""The portalql command, run as a user would: migrate, demo --no-serve, token create."""
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ON_POSTGRES

BIN = Path(sys.executable).parent / "portalql"


@pytest.mark.skipif(ON_POSTGRES, reason="uses its own SQLite file; the PostgreSQL run covers the rest")
def test_demo_seeds_once_and_token_create_prints_a_working_token(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    env.pop("PORTALQL_ENV", None)
    first = subprocess.run([BIN, "demo", "--no-serve"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([BIN, "demo", "--no-serve"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert "not seeding" in again.stdout
    token = subprocess.run([BIN, "token", "create", "--email", "ap@acme.example"], env=env, capture_output=True,
                           text=True, cwd=tmp_path)
    assert token.returncode == 0 and token.stdout.strip().startswith("pqs_")
    missing = subprocess.run([BIN, "token", "create", "--email", "nobody@x.example"], env=env, capture_output=True,
                             text=True, cwd=tmp_path)
    assert missing.returncode != 0 and "no user" in missing.stderr

    # A real server on the seeded database answers with that token.
    port = 8000 + (os.getpid() % 500) + 300
    server = subprocess.Popen([BIN, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        for _ in range(100):
            try:
                body = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ viewer { email } }"},
                                  headers={"authorization": f"Bearer {token.stdout.strip()}"}, timeout=2).json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert body["data"] == {"viewer": {"email": "ap@acme.example"}}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_bad_scale_is_refused(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    result = subprocess.run([BIN, "demo", "--no-serve", "--scale", "0"], env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "--scale must be at least 1" in result.stderr
