#!/usr/bin/env python3
"""Set up a virtualenv in .venv, install Portalql into it, then run the demo or the tests.

    python3 dev.py demo [--port 8000] [--scale N]   # migrate, seed demo data, serve with GraphiQL
    python3 dev.py test [pytest args]               # run the whole test suite

Only the standard library is used here, so this works on a fresh machine with Python 3.11+.
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".portalql-installed"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Portalql needs Python 3.11 or newer")
    if not PY.exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    # Reinstall only when the dependency list changed: a second run starts at once.
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    print("installing dependencies into .venv", flush=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(want)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "install"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    ensure_venv()
    os.chdir(ROOT)
    if command == "install":
        return 0
    if command == "demo":
        return subprocess.call([BIN / "portalql", "demo", *rest])
    return subprocess.call([PY, "-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main())
