"""Scale-out with Celery: a real redis-server, two Celery workers, every due check once.

``vcio worker`` (VCIO_QUEUE=celery) claims what is due and dispatches it over
Redis; two ``celery -A vcio.celery worker`` processes run the checks. All
three are separate processes sharing the test's database: on PostgreSQL the
test database itself, on SQLite a file copy of it (the in-memory test
database cannot be shared between processes).
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from vcio.availability.models import BusinessService, CheckResult, Monitor

ROOT = Path(__file__).resolve().parents[3]
MONITORS = 40


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_binary() -> str:
    """Debian's redis-server, installed when missing (as ``make test`` does)."""
    found = shutil.which("redis-server")
    if found is None:
        subprocess.run(
            ["bash", str(ROOT / "scripts" / "ensure-debian-packages.sh"), "redis-server"],
            check=True,
        )
        found = shutil.which("redis-server") or "/usr/bin/redis-server"
    return found


@pytest.fixture
def redis_url():
    port = free_port()
    proc = subprocess.Popen(
        [
            redis_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def target():
    """A local HTTP server answering 200 to every GET."""

    class Ok(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def shared_database(tmp_path: Path) -> str:
    """A DATABASE_URL other processes can open holding what this test wrote."""
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
            # WAL now, once: workers starting together would race to switch the journal
            # mode in their init_command, and the loser fails with "database is locked".
            copy.execute("PRAGMA journal_mode=WAL")
        return f"sqlite:///{path}"
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def results_per_monitor(database_url: str) -> dict[int, int]:
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            rows = db.execute(
                "SELECT monitor_id, COUNT(*) FROM availability_checkresult GROUP BY monitor_id"
            ).fetchall()
        return dict(rows)
    counts: dict[int, int] = {}
    for pk in CheckResult.objects.values_list("monitor_id", flat=True):
        counts[pk] = counts.get(pk, 0) + 1
    return counts


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True)
def test_two_celery_workers_run_every_due_check_exactly_once(acme, redis_url, target, tmp_path):
    service = BusinessService.objects.create(client=acme, name="ERP")
    due = timezone.now() - datetime.timedelta(seconds=1)
    Monitor.objects.bulk_create(
        Monitor(service=service, name=f"m{n}", target=target, interval_s=3600, next_run_at=due)
        for n in range(MONITORS)
    )
    ids = set(Monitor.objects.values_list("pk", flat=True))
    database_url = shared_database(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vcio.settings",
        "DATABASE_URL": database_url,
        "VCIO_DATA_DIR": str(tmp_path),
        "VCIO_QUEUE": "celery",
        "VCIO_REDIS_URL": redis_url,
    }
    celery = [sys.executable, "-m", "celery", "-A", "vcio.celery", "worker", "--concurrency",
              "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]  # fmt: skip
    workers = [start([*celery, "-n", f"w{n}@%h"], env, tmp_path / f"celery{n}.log") for n in (1, 2)]
    dispatcher = start(
        [sys.executable, "-m", "vcio.cli", "worker", "--tick", "0.5"], env, tmp_path / "vcio.log"
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and set(results_per_monitor(database_url)) != ids:
            time.sleep(0.25)
        time.sleep(2)  # room for a duplicate to show up, if any
        counts = results_per_monitor(database_url)
    finally:
        for proc in (dispatcher, *workers):
            proc.send_signal(signal.SIGTERM)
        for proc in (dispatcher, *workers):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    logs = "\n".join(p.read_text() for p in tmp_path.glob("*.log"))
    assert counts == dict.fromkeys(ids, 1), logs[-4000:]
    # The checks really went through Celery, not the dispatcher's own engine.
    assert "availability.check_monitors" in logs
