"""Scraping exporters: Debian's real node_exporter, and targets that answer badly or never."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from vcio.assets.models import Asset
from vcio.capacity import scraping
from vcio.capacity.hosts import short_name
from vcio.capacity.models import Sample, ScrapeTarget, Series
from vcio.capacity.tests import agents

pytestmark = pytest.mark.django_db
# Debian's real node_exporter on a free 127.0.0.1 port (its /metrics URL).
node_exporter = agents.node_exporter


class Canned(http.server.BaseHTTPRequestHandler):
    """Answers /html with a web page, /missing with 404, /slow after 3 s."""

    def do_GET(self):  # noqa: N802 - the standard library's name
        if self.path == "/slow":
            time.sleep(3)
        status, body, kind = {
            "/html": (200, b"<html><body>Login</body></html>", "text/html"),
            "/missing": (404, b"not found", "text/plain"),
        }.get(self.path, (200, b"node_load1 0.5\n", "text/plain"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canned():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canned)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def run_pass(limit=10):
    with ThreadPoolExecutor(4) as pool:
        return scraping.scrape_due("test-worker", pool, limit)


def meminfo_used_share() -> float:
    """Memory in use by /proc/meminfo, read here independently of node_exporter."""
    fields = {}
    with open("/proc/meminfo") as f:
        for line in f:
            name, rest = line.split(":", 1)
            fields[name] = int(rest.split()[0])
    return 1 - fields["MemAvailable"] / fields["MemTotal"]


def test_a_real_node_exporter_is_scraped_into_this_machines_asset(acme, node_exporter):
    target = ScrapeTarget.objects.create(client=acme, name="this machine", url=node_exporter)
    assert run_pass() == 1
    target.refresh_from_db()
    assert target.last_error == "" and target.last_ok_at is not None
    asset = Asset.objects.get(pk=target.asset_id, client=acme)
    assert short_name(asset.name) == short_name(socket.gethostname())
    mem = Series.objects.get(asset=asset, metric="mem")
    assert mem.last_value == pytest.approx(meminfo_used_share(), abs=0.05)
    root = Series.objects.filter(asset=asset, metric="fs")
    assert root.exists() and all(0 <= s.last_value <= 1 for s in root)
    # The CPU share needs a second scrape: make the target due again.
    ScrapeTarget.objects.filter(pk=target.pk).update(next_run_at=None)
    time.sleep(1.1)
    assert run_pass() == 1
    cpu = Series.objects.get(asset=asset, metric="cpu")
    assert Sample.objects.filter(series=cpu).count() == 1
    assert 0 <= cpu.last_value <= 1


def test_bad_targets_record_a_clear_error_and_write_nothing(acme, canned, monkeypatch):
    monkeypatch.setattr(scraping, "TIMEOUT_S", 1.0)
    urls = {
        "html": f"{canned}/html",
        "missing": f"{canned}/missing",
        "slow": f"{canned}/slow",
        "refused": f"http://127.0.0.1:{agents.free_port()}/metrics",
    }
    for name, url in urls.items():
        ScrapeTarget.objects.create(client=acme, name=name, url=url)
    good = ScrapeTarget.objects.create(client=acme, name="good", url=f"{canned}/metrics?host=ok")
    assert run_pass() == 5  # one bad target does not stop the pass
    errors = dict(ScrapeTarget.objects.values_list("name", "last_error"))
    assert "web page, not metrics" in errors["html"]
    assert "404" in errors["missing"]
    assert "did not answer within 1 s" in errors["slow"]
    assert "cannot connect" in errors["refused"]
    # The good target's exporter names no machine: the address scraped names it.
    good.refresh_from_db()
    assert good.last_error == ""
    assert Asset.objects.get(client=acme).name == "127.0.0.1"
    assert list(Series.objects.values_list("metric", flat=True)) == ["load1"]
    assert Sample.objects.count() == 1


def test_two_workers_never_claim_the_same_target(acme):
    for i in range(6):
        ScrapeTarget.objects.create(client=acme, name=f"t{i}", url=f"http://10.0.0.{i}/metrics")
    first = scraping.claim_due("worker-a", 4)
    second = scraping.claim_due("worker-b", 4)
    assert len(first) == 4 and len(second) == 2
    assert not {t.pk for t in first} & {t.pk for t in second}


def test_the_network_policy_applies_to_scrape_targets(acme, settings, node_exporter):
    settings.VCIO_MONITOR_ALLOW_LOCAL = False
    target = ScrapeTarget.objects.create(client=acme, name="local", url=node_exporter)
    ok, message = scraping.scrape_now(target)
    assert not ok
    assert "this vcio server itself" in message
    assert Series.objects.count() == 0
