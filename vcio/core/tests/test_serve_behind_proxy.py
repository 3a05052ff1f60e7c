"""``vcio serve`` behind a TLS-terminating proxy: no redirect loop, HSTS sent.

Through the real server: ``vcio serve`` (waitress) runs as its own process
with ``VCIO_HTTPS=1``, and the test plays the proxy, speaking plain HTTP to it
from 127.0.0.1 with ``X-Forwarded-Proto: https``. Before, waitress dropped the
header, Django saw plain HTTP and redirected to https again on every request.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

STARTUP_DEADLINE_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """``serve(trusted_proxy)`` starts ``vcio serve`` with VCIO_HTTPS=1; returns its port."""
    started: list[subprocess.Popen] = []

    def start(trusted_proxy: str) -> int:
        port = free_port()
        env = {
            **os.environ,
            "VCIO_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
            "VCIO_HTTPS": "1",
            "VCIO_TRUSTED_PROXY": trusted_proxy,
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "vcio.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(proc)
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                time.sleep(0.1)
        proc.kill()
        raise AssertionError(f"vcio serve did not start: {proc.stdout.read()}")

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(port: int, path: str, forwarded_proto: str | None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "localhost"}
    if forwarded_proto:
        headers["X-Forwarded-Proto"] = forwarded_proto
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_https_from_the_trusted_proxy_is_served_with_hsts(serve):
    port = serve("127.0.0.1")
    for path in ("/healthz", "/accounts/login/"):
        r = get(port, path, "https")
        assert r.status == 200, f"{path}: {r.status} to {r.getheader('Location')}"
        assert r.getheader("Strict-Transport-Security") == (
            "max-age=31536000; includeSubDomains; preload"
        )
    login = get(port, "/accounts/login/", "https")
    assert "Secure" in (login.getheader("Set-Cookie") or "")  # the CSRF cookie


def test_plain_http_is_still_sent_to_https(serve):
    port = serve("127.0.0.1")
    r = get(port, "/accounts/login/", None)
    assert r.status == 301
    assert r.getheader("Location") == "https://localhost/accounts/login/"
    assert r.getheader("Strict-Transport-Security") is None


def test_the_header_from_an_untrusted_address_is_ignored(serve):
    # The proxy is elsewhere: a client talking to waitress directly cannot claim https.
    port = serve("192.0.2.250")
    r = get(port, "/accounts/login/", "https")
    assert r.status == 301
    assert r.getheader("Location") == "https://localhost/accounts/login/"
