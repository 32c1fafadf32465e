"""Production settings refuse to start without a secret and allowed hosts, and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "website.settings.production", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_without_secret_key(tmp_path):
    result = run_check({"DJANGO_ALLOWED_HOSTS": "servewell.bank.example", "SERVEWELL_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_without_allowed_hosts(tmp_path):
    result = run_check({"DJANGO_SECRET_KEY": "x" * 60, "SERVEWELL_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_passes_deploy_checks(tmp_path):
    result = run_check(
        {
            "DJANGO_SECRET_KEY": "k3J9-vQm2_pX7rT1zL8wN4bY6cF0hD5sA-eU9iO3gK7mR2tV8xZ1qW4nB6jH0lP5",
            "DJANGO_ALLOWED_HOSTS": "servewell.bank.example",
            "SERVEWELL_VAR_DIR": str(tmp_path),
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_uses_wal_and_immediate_transactions():
    import pytest
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings only")
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert connection.settings_dict["OPTIONS"]["timeout"] == 20


def test_load_demo_refused_in_production(settings):
    import pytest
    from django.core.management import CommandError, call_command

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="refused"):
        call_command("load_demo")
