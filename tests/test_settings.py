"""The process refuses to start on bad configuration, and production settings are safe."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#k2p!q9v$w3m@z8r^t5y&u1i*o4e(a6s)d0f-g_h+j=l[c]b{n}",
    "ALLOWED_HOSTS": "community.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "JOURNAL_ENCRYPTION_KEYS": "uvuYGxU7Yx1JHmr9LlJ-QFxp0yYpEjDTjXsu0RPBXUI=",
    # Outside the checkout: `check` may create the (empty) file.
    "DATABASE_URL": "sqlite:///" + str(Path(tempfile.gettempdir()) / "steady-ground-deploy-check.sqlite3"),
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # A clean environment: the site's own settings, without what the test settings add.
    base = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DEBUG",
            "SECRET_KEY",
            "JOURNAL_ENCRYPTION_KEYS",
            "TASKS_BACKEND",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_reports_no_issues_in_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("command", [("check", "--deploy"), ("migrate", "--plan"), ("db_worker",)])
def test_missing_secret_key_stops_with_one_clear_line(command):
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage(*command, env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SECRET_KEY is not set. Set SECRET_KEY to a long random string, or DEBUG=1 for development."
    ]


@pytest.mark.parametrize("command", [("check",), ("makemigrations", "--check", "--dry-run")])
def test_checking_the_code_needs_no_secrets(command):
    # A fresh checkout: no SECRET_KEY, no journal key, no DEBUG. These commands only read
    # the code, so they run; anything that serves, signs or decrypts still refuses (above).
    env = {**PRODUCTION_ENV, "SECRET_KEY": "", "JOURNAL_ENCRYPTION_KEYS": ""}
    result = run_manage(*command, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("url", ["postgres://", "mysterydb://host/name", "not a url"])
def test_malformed_database_url_stops_with_one_clear_line(url):
    result = run_manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": url})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Configuration error: DATABASE_URL")


def test_bad_boolean_stops_with_one_clear_line():
    result = run_manage("check", env={**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode == 1
    assert "DEBUG must be one of" in result.stderr


def test_production_sends_strict_security_headers(client, settings):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
