"""The availability bench's ceilings and peer, none of which touch the database.

The target server (``_availability_target.py``, in its own process), the bare
aiohttp and httpx loops whose faster run is the ceiling, and Debian's
prometheus-blackbox-exporter, the peer. ``bench/availability.py`` measures
the engine beside them in the same run.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BLACKBOX = Path("/usr/bin/prometheus-blackbox-exporter")
BLACKBOX_CONFIG = """modules:
  http_2xx:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
"""

# The local target -------------------------------------------------------------


def start_target() -> tuple[subprocess.Popen, int]:
    """The target server in its own process, and the port it listens on."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "_availability_target.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def stop(proc: subprocess.Popen) -> None:
    """Terminate a child started here and reap it."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Ceilings and the peer: bare loops, no database -------------------------------


async def _drive(urls: list[str], concurrency: int, get: Callable[[str], Awaitable[bool]]) -> int:
    """GET every URL with ``concurrency`` workers; returns how many answered as expected."""
    pending = iter(urls)
    ok = 0

    async def worker() -> None:
        nonlocal ok
        for url in pending:  # one shared iterator: each URL is taken once
            answered = await get(url)  # not ``ok += await``: that reads ok before awaiting
            ok += answered

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok


async def aiohttp_run(urls: list[str], concurrency: int, expect: bytes | None) -> int:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def get(url: str) -> bool:
            async with session.get(url) as response:
                body = await response.read()
            return response.status == 200 and (expect is None or expect in body)

        return await _drive(urls, concurrency, get)


async def httpx_run(urls: list[str], concurrency: int) -> int:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def get(url: str) -> bool:
            response = await client.get(url)
            return response.status_code == 200

        return await _drive(urls, concurrency, get)


def timed(what: str, run: Coroutine[Any, Any, int], expected: int) -> float:
    """Checks per second of one ``run``; fails loudly if any check went wrong."""
    started = time.perf_counter()
    ok = asyncio.run(run)
    elapsed = time.perf_counter() - started
    if ok != expected:
        raise SystemExit(f"{what}: only {ok} of {expected} checks succeeded")
    return expected / elapsed


def start_blackbox(tmp: Path) -> tuple[subprocess.Popen, int]:
    """blackbox_exporter on a free port with the http_2xx module, once it answers."""
    import urllib.request

    config = tmp / "blackbox.yml"
    config.write_text(BLACKBOX_CONFIG)
    port = free_port()
    proc = subprocess.Popen(
        [str(BLACKBOX), f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/healthy", timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise SystemExit("blackbox_exporter did not start")
