"""The demo target: what each path answers and when, served for real on 127.0.0.1."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from vcio.availability.demo_target import (
    DEFAULT_PORT,
    PORTAL_SLOW_S,
    demo_target_port,
    make_server,
    reply_for,
    serve_until,
)

# An instant at the start of a 15-minute cycle: epoch seconds divisible by 900.
CYCLE_START = 900 * 2_000_000


def get(url: str) -> tuple[int, str]:
    """Status and body of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def target():
    """A demo target serving on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0)
    stop = threading.Event()
    thread = threading.Thread(target=serve_until, args=(server, stop), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    stop.set()
    thread.join(timeout=5)


def test_flaky_is_down_exactly_two_minutes_of_every_fifteen():
    down = {
        minute
        for minute in range(45)
        if reply_for("/flaky/", CYCLE_START + 60 * minute + 30).status == 503
    }
    assert down == {0, 1, 15, 16, 30, 31}


def test_flaky_comes_back_on_the_minute():
    assert reply_for("/flaky/", CYCLE_START + 119.9).status == 503
    assert reply_for("/flaky/", CYCLE_START + 120).status == 200
    assert reply_for("/flaky/", CYCLE_START - 0.1).status == 200


def test_other_applications_are_always_up():
    for minute in range(15):
        at = CYCLE_START + 60 * minute
        assert reply_for("/erp/", at).status == 200
        assert reply_for("/mail/", at).status == 200
        assert "Welcome" in reply_for("/erp/", at).body


def test_portal_is_slow_one_minute_in_ten():
    delays = [reply_for("/portal/", CYCLE_START + 60 * m).delay_s for m in range(10)]
    assert delays.count(PORTAL_SLOW_S) == 1
    assert all(reply_for("/portal/", CYCLE_START + 60 * m).status == 200 for m in range(10))


def test_serves_the_erp_with_its_keyword(target):
    status, body = get(f"{target}/erp/")
    assert status == 200
    assert "Welcome" in body


def test_serves_health_and_refuses_unknown_paths(target):
    assert get(f"{target}/health") == (200, "ok\n")
    status, body = get(f"{target}/nothing-here/")
    assert status == 404
    assert "/nothing-here/" in body


def test_port_comes_from_the_environment():
    assert demo_target_port({}) == DEFAULT_PORT
    assert demo_target_port({"VCIO_DEMO_TARGET_PORT": "8123"}) == 8123
    with pytest.raises(ValueError, match="VCIO_DEMO_TARGET_PORT='http'"):
        demo_target_port({"VCIO_DEMO_TARGET_PORT": "http"})
    with pytest.raises(ValueError, match="not a TCP port"):
        demo_target_port({"VCIO_DEMO_TARGET_PORT": "70000"})


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_command_serves_until_signalled_then_exits_cleanly(signum):
    proc = subprocess.Popen(
        [sys.executable, "-m", "vcio.cli", "demo_target", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "the demo target printed nothing within 30 s"
        line = proc.stdout.readline()
        assert "demo target on http://127.0.0.1:" in line, line + proc.stderr.read()
        base = line.split()[3].rstrip("/")
        assert get(f"{base}/health") == (200, "ok\n")
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
