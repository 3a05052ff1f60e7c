"""Start-up configuration as an operator meets it: through the ``vcio`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VCIO = [sys.executable, "-m", "vcio.cli"]


def run_vcio(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VCIO_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return subprocess.run(
        [*VCIO, *args], env={**clean, **env}, capture_output=True, text=True, timeout=timeout
    )


def test_bad_boolean_stops_start_up_naming_the_variable(tmp_path: Path):
    r = run_vcio("check", env={"VCIO_DATA_DIR": str(tmp_path), "VCIO_DEBUG": "maybe"})
    assert r.returncode == 2
    assert "VCIO_DEBUG='maybe' is not a boolean" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_database_url_is_named(tmp_path: Path):
    r = run_vcio("check", env={"VCIO_DATA_DIR": str(tmp_path), "DATABASE_URL": "nosuchdb://x"})
    assert r.returncode == 2
    assert "DATABASE_URL" in r.stderr


def test_production_settings_pass_the_deploy_check(tmp_path: Path):
    key = tmp_path / "key"
    key.write_text("k" * 20 + "Z9_x-Qm2!vB7@pL4#tR8$wN3%yH6^" * 2)
    r = run_vcio(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "VCIO_DATA_DIR": str(tmp_path),
            "VCIO_DEBUG": "0",
            "VCIO_HTTPS": "1",
            "VCIO_SECRET_KEY_FILE": str(key),
            "VCIO_ALLOWED_HOSTS": "vcio.example.com",
            # Without it e-mailed links point at localhost: the deploy check warns.
            "VCIO_BASE_URL": "https://vcio.example.com",
        },
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout


def test_secret_key_is_generated_once_and_kept(tmp_path: Path):
    env = {"VCIO_DATA_DIR": str(tmp_path)}
    assert run_vcio("check", env=env).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run_vcio("check", env=env).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_short_secret_key_is_refused(tmp_path: Path):
    r = run_vcio("check", env={"VCIO_DATA_DIR": str(tmp_path), "VCIO_SECRET_KEY": "short"})
    assert r.returncode == 2 and "VCIO_SECRET_KEY is too short" in r.stderr


def test_default_database_is_sqlite_in_wal_mode_with_immediate_transactions(tmp_path: Path):
    code = (
        "from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]);"
        "print(connection.transaction_mode)"
    )
    r = run_vcio("shell", "-c", code, env={"VCIO_DATA_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    journal, busy_ms, mode = r.stdout.split()[-3:]
    assert (journal, mode) == ("wal", "IMMEDIATE")
    assert int(busy_ms) >= 1000
    assert (tmp_path / "vcio.sqlite3").exists()


def test_a_trusted_proxy_that_is_not_an_address_is_named(tmp_path: Path):
    r = run_vcio("check", env={"VCIO_DATA_DIR": str(tmp_path), "VCIO_TRUSTED_PROXY": "proxy.local"})
    assert r.returncode == 2
    assert "VCIO_TRUSTED_PROXY='proxy.local' is not an IP address (or * for any peer)" in r.stderr
