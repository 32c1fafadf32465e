"""What the HTTP benchmarks share: a fresh database per backend, manage.py in a subprocess, gunicorn on a free
loopback port, and verify_records. Used by bench/http_acknowledgements.py and bench/quiz_attempts.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")


def manage(env: dict[str, str], *args: str, code: str | None = None, timeout: int = 1200) -> str:
    """Run ``manage.py args`` (or a Python snippet) with ``env``; raise with its output if it fails."""
    command = [sys.executable, "manage.py", *args] if code is None else [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args) or 'script'} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database(backend: str, name: str, folder: Path) -> Iterator[str]:
    """A DATABASE_URL for a fresh SQLite file in ``folder`` or a fresh PostgreSQL database ``name``."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    admin = PG_SERVER + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


@contextmanager
def gunicorn(env: dict[str, str], workers: int, headers: dict[str, str] | None = None) -> Iterator[str]:
    """gunicorn serving website.wsgi on 127.0.0.1; yields the base URL once the login page answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "website.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--backlog",
            "256",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                requests.get(base + "/accounts/login/", timeout=30, headers=headers or {})
                break
            except requests.RequestException:
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def verify_records(env: dict[str, str]) -> str:
    """ "intact", or "BROKEN: …" with verify_records' message."""
    done = subprocess.run(
        [sys.executable, "manage.py", "verify_records"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return "intact" if done.returncode == 0 else "BROKEN: " + done.stderr.strip()[:200]
