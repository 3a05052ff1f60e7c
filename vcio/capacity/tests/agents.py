"""Pytest fixtures that run the real metric agents on this machine: node_exporter and Prometheus.

The capacity tests read what Debian's ``prometheus-node-exporter`` (1.5) and
``prometheus`` (2.42) really say, not hand-written copies of their output.
Both listen on free ports of 127.0.0.1 only and are killed at teardown. A
missing binary FAILS the test with the command that installs it
(``make deps-test``): a skipped test would hide that nothing was checked.

Use them from any test module by naming the fixtures at its top level::

    from vcio.capacity.tests import agents

    node_exporter, prometheus = agents.node_exporter, agents.prometheus

    def test_something(node_exporter):          # "http://127.0.0.1:PORT/metrics"
        text = httpx.get(node_exporter).text

    def test_other(prometheus):                  # a Prometheus scraping that node_exporter
        httpx.get(prometheus.url + "/api/v1/query", params={"query": "up"})

Both are module-scoped: one exporter (and one Prometheus) per test module,
started on first use, so a module's tests share the samples gathered so
far. :func:`start_node_exporter` and :func:`start_prometheus` are the same
thing as context managers, for a test that needs its own.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

NODE_EXPORTER = "prometheus-node-exporter"
PROMETHEUS = "prometheus"
# Only the collectors vcio reads (stat gives node_boot_time_seconds): the exporter answers
# in milliseconds instead of walking every subsystem of the test machine.
NODE_COLLECTORS = (
    "cpu",
    "meminfo",
    "filesystem",
    "netdev",
    "loadavg",
    "uname",
    "time",
    "stat",
    "dmi",
)
# Prometheus scrapes every second so that a test has samples after a few seconds.
SCRAPE_SECONDS = 1
STARTUP_TIMEOUT = 20.0


def binary(name: str) -> str:
    """The path of an agent binary; fails the test (never skips) when it is not installed."""
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else "")
    if not found:
        pytest.fail(
            f"{name} is not installed: run `make deps-test` (it installs Debian's "
            "prometheus and prometheus-node-exporter packages)",
            pytrace=False,
        )
    return found


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until(check, what: str, process: subprocess.Popen, log: Path) -> None:
    """Poll ``check()`` until it is true; fail naming ``what`` with the process' log if not."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what}: the process exited ({process.returncode}):\n{log.read_text()}")
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{what}: not ready after {STARTUP_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def start_node_exporter() -> Iterator[str]:
    """Run node_exporter on a free port of 127.0.0.1; yields its ``/metrics`` URL."""
    exe = binary(NODE_EXPORTER)
    with tempfile.TemporaryDirectory(prefix="vcio-node-exporter-") as tmp:
        log = Path(tmp) / "log"
        port = free_port()
        flags = [f"--collector.{name}" for name in NODE_COLLECTORS]
        command = [
            exe,
            f"--web.listen-address=127.0.0.1:{port}",
            "--collector.disable-defaults",
            *flags,
        ]
        with log.open("w") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/metrics"
        try:
            _wait_until(
                lambda: "node_uname_info" in httpx.get(url, timeout=2).text,
                f"node_exporter on {url}",
                process,
                log,
            )
            yield url
        finally:
            _stop(process)


@dataclass(frozen=True)
class RunningPrometheus:
    """A Prometheus started for a test: its base URL and the exporter URL it scrapes."""

    url: str  # e.g. http://127.0.0.1:41234
    target: str  # the node_exporter /metrics URL it scrapes
    job: str = "node"

    def query(self, expr: str) -> list[dict]:
        """The result of an instant query (raises on any error): a list of series."""
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        answer.raise_for_status()
        return answer.json()["data"]["result"]


PROMETHEUS_CONFIG = """\
global:
  scrape_interval: {interval}s
  scrape_timeout: {interval}s
  evaluation_interval: 15s
scrape_configs:
  - job_name: {job}
    static_configs:
      - targets: ["{target}"]
"""


@contextmanager
def start_prometheus(node_exporter_url: str) -> Iterator[RunningPrometheus]:
    """Run Prometheus scraping ``node_exporter_url`` every second, on a free port, with its
    data in a temporary directory; yields once it is ready and the first scrape is stored."""
    exe = binary(PROMETHEUS)
    target = node_exporter_url.removeprefix("http://").split("/", 1)[0]
    with tempfile.TemporaryDirectory(prefix="vcio-prometheus-") as tmp:
        config, log = Path(tmp) / "prometheus.yml", Path(tmp) / "log"
        config.write_text(
            PROMETHEUS_CONFIG.format(interval=SCRAPE_SECONDS, job="node", target=target)
        )
        port = free_port()
        command = [
            exe,
            f"--config.file={config}",
            f"--storage.tsdb.path={Path(tmp) / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ]
        with log.open("w") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        running = RunningPrometheus(f"http://127.0.0.1:{port}", node_exporter_url)
        try:
            _wait_until(
                lambda: httpx.get(f"{running.url}/-/ready", timeout=2).status_code == 200,
                f"prometheus on {running.url}",
                process,
                log,
            )
            _wait_until(
                lambda: (
                    bool(running.query('up{job="node"} == 1'))
                    and bool(running.query("node_uname_info"))
                ),
                f"prometheus on {running.url}: first scrape of {node_exporter_url}",
                process,
                log,
            )
            yield running
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def node_exporter() -> Iterator[str]:
    """A real node_exporter on 127.0.0.1 for this test module: its ``/metrics`` URL."""
    with start_node_exporter() as url:
        yield url


@pytest.fixture(scope="module")
def prometheus(node_exporter: str) -> Iterator[RunningPrometheus]:
    """A real Prometheus for this test module, scraping :func:`node_exporter` every second
    under ``job="node"``; ready, with at least one scrape stored."""
    with start_prometheus(node_exporter) as running:
        yield running
