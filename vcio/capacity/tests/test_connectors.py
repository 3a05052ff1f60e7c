"""Prometheus connectors against a small HTTP server answering canned Prometheus API JSON.

The canned store knows one machine, ``fs01`` (instance ``10.0.0.5:9100``,
serial CZ-FS01-42), and answers every hourly statistic with fixed values,
so what a sync writes can be checked exactly. The failures a real store
shows (HTML from a proxy, 401, a PromQL error, malformed JSON, silence)
are played by the same server. ``test_connectors_real.py`` runs the real
Prometheus.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.db import connection

from vcio.assets.models import Asset, AssetStatus
from vcio.capacity import connectors, promql
from vcio.capacity.connectors import claim_due, release, sync, sync_due, test_connection
from vcio.capacity.exposition import PSEUDO_MOUNTS, VIRTUAL_NICS
from vcio.capacity.metrics import CATALOGUE
from vcio.capacity.models import DailyRollup, HourlyRollup, PromConnector, Series
from vcio.capacity.promql import ConnectorError, Expressions, parse_selector
from vcio.core.registry import periodic_jobs

NOW = datetime(2026, 3, 10, 14, 20, tzinfo=UTC)
INSTANCE = "10.0.0.5:9100"
HOURLY = {"min": 0.5, "max": 0.9, "mean": 0.7, "p95": 0.85, "count": 60, "last": 0.8}
DAY_P95 = 0.88
# Filesystems of fs01: /dev/sdb1 is mounted twice and counts once, at /srv.
FILESYSTEMS = [("/", "/dev/sda1"), ("/srv", "/dev/sdb1"), ("/srv/bind", "/dev/sdb1")]

Answer = tuple[int, str, bytes]  # status, content type, body


class CannedStore(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 whose answers come from ``self.answer(path, form)``."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.hourly = dict(HOURLY)
        self.answer: Callable[[str, dict[str, str]], Answer] = self.prometheus

    def prometheus(self, path: str, form: dict[str, str]) -> Answer:
        """What a Prometheus holding fs01's metrics answers."""
        query = form["query"]
        if path == "/api/v1/query" and query.startswith("up"):
            result = [_vector({"__name__": "up", "instance": INSTANCE, "job": "node"}, 1)]
            return _success("vector", result)
        if query.startswith("last_over_time(node_uname_info"):
            return _success("vector", _identity())
        metric = _metric_of(query)
        stats = re.findall(r'"vcio_stat", "(\w+)"', query)
        if path == "/api/v1/query_range":
            start, end, step = float(form["start"]), float(form["end"]), float(form["step"])
            stamps = [start + n * step for n in range(int((end - start) // step) + 1)]
            values = {"p95": DAY_P95} if step == 86400 else self.hourly
            return _success("matrix", _series(metric, stats, stamps, values, matrix=True))
        return _success("vector", _series(metric, stats, [float(form["time"])], self.hourly))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        self.server.requests.append((self.path, form, dict(self.headers)))
        status, kind, payload = self.server.answer(self.path, form)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


def _success(kind: str, result: list) -> Answer:
    body = {"status": "success", "data": {"resultType": kind, "result": result}}
    return 200, "application/json", json.dumps(body).encode()


def _vector(labels: dict, value: float, at: float = NOW.timestamp()) -> dict:
    return {"metric": labels, "value": [at, str(value)]}


def _identity() -> list[dict]:
    uname = {"__name__": "node_uname_info", "instance": INSTANCE, "nodename": "fs01"}
    dmi = {"__name__": "node_dmi_info", "instance": INSTANCE, "product_serial": "CZ-FS01-42"}
    return [_vector(uname, 1), _vector(dmi, 1)]


def _metric_of(query: str) -> str:
    """Which catalogue metric a stats query reads (its expression is in it verbatim)."""
    expressions = Expressions('job="node"')
    for metric in CATALOGUE:
        if f"({expressions.for_metric(metric)})[" in query:
            return metric
    raise AssertionError(f"not a vcio query: {query[:200]}")


def _series(metric, stats, stamps, values, matrix=False) -> list[dict]:
    labels: list[dict[str, str]] = [{"instance": INSTANCE}]
    if metric in ("fs", "fs_size"):
        labels = [{"instance": INSTANCE, "mountpoint": m, "device": d} for m, d in FILESYSTEMS]
    elif metric in ("net_rx", "net_tx"):
        labels = [{"instance": INSTANCE, "device": "eth0"}]
    out = []
    for base in labels:
        for stat in stats:
            item = {"metric": {**base, "vcio_stat": stat}}
            points = [[t, str(values[stat])] for t in stamps]
            item.update({"values": points} if matrix else {"value": points[0]})
            out.append(item)
    return out


@pytest.fixture
def store():
    server = CannedStore()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def connector(acme, store, settings):
    settings.VCIO_METRIC_RETENTION_DAYS = 2
    return PromConnector.objects.create(
        client=acme, name="Acme Prometheus", base_url=store.url, selector='job="node"'
    )


def database_rows() -> tuple[int, int, int, int]:
    return (
        Asset.objects.count(),
        Series.objects.count(),
        HourlyRollup.objects.count(),
        DailyRollup.objects.count(),
    )


# Reading and writing ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_first_sync_reads_the_retention_in_hours_and_whole_days(acme, connector, store):
    result = sync(connector.pk, NOW)
    assert result.ok, result.error
    # From midnight two days back to the last complete hour: 2 days + 14 hours.
    assert (result.start, result.end) == (datetime(2026, 3, 8, tzinfo=UTC), NOW.replace(minute=0))

    asset = Asset.objects.get(client=acme)
    assert (asset.name, asset.serial, asset.status) == (
        "fs01",
        "CZ-FS01-42",
        AssetStatus.DISCOVERED,
    )
    labels = set(Series.objects.filter(asset=asset).values_list("metric", "labels"))
    assert {("fs", "mountpoint=/"), ("fs", "mountpoint=/srv"), ("net_rx", "device=eth0")} <= labels
    assert ("fs", "mountpoint=/srv/bind") not in labels  # /dev/sdb1 counted once

    mem = Series.objects.get(asset=asset, metric="mem")
    hours = HourlyRollup.objects.filter(series=mem).order_by("hour")
    assert hours.count() == 2 * 24 + 14
    assert hours[0].hour == datetime(2026, 3, 8, 0, tzinfo=UTC)
    first = hours[0]
    assert (first.min, first.max, first.mean, first.p95, first.count) == (0.5, 0.9, 0.7, 0.85, 60)
    assert (mem.last_value, mem.last_at) == (0.8, NOW.replace(minute=0))

    days = DailyRollup.objects.filter(series=mem).order_by("day")
    assert [d.day for d in days] == [date(2026, 3, 8), date(2026, 3, 9)]
    assert (days[0].min, days[0].max, days[0].p95, days[0].count) == (0.5, 0.9, DAY_P95, 24 * 60)
    assert days[0].mean == pytest.approx(0.7)

    connector.refresh_from_db()
    assert connector.synced_until == NOW.replace(minute=0)
    assert (connector.last_ok_at, connector.last_error) == (NOW, "")
    assert connector.last_samples == result.hourly == HourlyRollup.objects.count()


@pytest.mark.django_db
def test_every_query_is_hourly_and_narrowed_by_the_selector(connector, store):
    sync(connector.pk, NOW)
    ranges = [form for path, form, _ in store.requests if path == "/api/v1/query_range"]
    assert {form["step"] for form in ranges} == {"3600", "86400"}
    for _, form, _ in store.requests:
        names = re.findall(r"\b((?:node|windows)_\w+)\{([^}]*)\}", form["query"])
        assert names and all('job="node"' in matchers for _, matchers in names), form["query"]
    # Each hour is sampled every minute: 60 points, the hour's own.
    hourly = next(f["query"] for f in ranges if f["step"] == "3600")
    assert "[3599999ms:60s]" in hourly


@pytest.mark.django_db
def test_syncing_again_replaces_hours_and_never_duplicates_them(connector, store):
    sync(connector.pk, NOW)
    before = database_rows()
    PromConnector.objects.filter(pk=connector.pk).update(synced_until=None)
    store.hourly["mean"] = 0.6
    assert sync(connector.pk, NOW).ok
    assert database_rows() == before
    assert set(HourlyRollup.objects.values_list("mean", flat=True)) == {0.6}
    assert DailyRollup.objects.filter(series__metric="mem").first().mean == pytest.approx(0.6)


@pytest.mark.django_db
def test_the_next_sync_reads_only_the_hours_since(connector, store):
    sync(connector.pk, NOW)
    store.requests.clear()
    result = sync(connector.pk, NOW + timedelta(hours=2))
    assert (result.start, result.end) == (
        NOW.replace(minute=0),
        NOW.replace(minute=0) + timedelta(hours=2),
    )
    assert result.hourly == 2 * len(Series.objects.all())
    assert result.daily == 0  # no day was completed


@pytest.mark.django_db
def test_an_unfinished_hour_is_read_when_asked_and_read_again_later(connector, store):
    result = sync(connector.pk, NOW, until=NOW)
    assert result.ok, result.error
    connector.refresh_from_db()
    # The unfinished hour is stored, but the next sync starts at its beginning.
    assert connector.synced_until == NOW.replace(minute=0)
    mem = Series.objects.get(metric="mem")
    assert HourlyRollup.objects.filter(series=mem, hour=NOW.replace(minute=0)).exists()
    assert mem.last_at == NOW
    instant = [
        f for p, f, _ in store.requests if p == "/api/v1/query" and "vcio_stat" in f["query"]
    ]
    assert instant and all("[1199999ms:60s]" in f["query"] for f in instant)  # 20 minutes


# Failures leave the database as it was ----------------------------------------------


def html(path, form) -> Answer:
    return 200, "text/html", b"<html><body>Sign in</body></html>"


def unauthorized(path, form) -> Answer:
    return 401, "text/plain", b"Unauthorized"


def malformed(path, form) -> Answer:
    return 200, "application/json", b'{"status": "success", "data": '


def promql_error_on_fs(store):
    def answer(path, form) -> Answer:
        if "node_filesystem_avail_bytes" in form["query"]:
            body = {"status": "error", "errorType": "bad_data", "error": "parse error at char 12"}
            return 400, "application/json", json.dumps(body).encode()
        return store.prometheus(path, form)

    return answer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_answer", "message"),
    [
        (
            lambda store: html,
            "answered 200 OK with text/html, not the Prometheus API's JSON: is the base URL "
            "the store itself (e.g. http://prometheus:9090)?",
        ),
        (lambda store: unauthorized, "answered 401 Unauthorized: check the bearer token"),
        (lambda store: malformed, "answered malformed JSON (cpu hourly)"),
        (promql_error_on_fs, "refused the fs hourly query (bad_data): parse error at char 12"),
    ],
    ids=["html", "401", "malformed-json", "promql-error-halfway"],
)
def test_a_failing_store_writes_nothing_and_says_why(connector, store, make_answer, message):
    connector.bearer_token = "wrong"
    connector.save()
    store.answer = make_answer(store)
    result = sync(connector.pk, NOW)
    assert not result.ok
    assert result.error == f"{store.url} {message}"
    assert database_rows() == (0, 0, 0, 0)
    connector.refresh_from_db()
    assert (connector.last_error, connector.last_run_at) == (result.error, NOW)
    assert (connector.synced_until, connector.last_ok_at) == (None, None)


@pytest.mark.django_db
def test_a_store_that_never_answers_times_out(connector, store, monkeypatch):
    monkeypatch.setattr(promql, "TIMEOUT_S", 0.3)
    store.answer = lambda path, form: (time.sleep(1.0), store.prometheus(path, form))[1]
    result = sync(connector.pk, NOW)
    assert result.error == f"{store.url} did not answer within 0.3 s (cpu hourly)"
    assert database_rows() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_the_server_itself_is_refused_unless_allowed(connector, store, settings):
    settings.VCIO_MONITOR_ALLOW_LOCAL = False
    result = sync(connector.pk, NOW)
    assert "which is this vcio server itself" in result.error
    assert store.requests == []


@pytest.mark.django_db
def test_credentials_are_sent_as_a_bearer_token_or_basic_auth(connector, store):
    connector.bearer_token = "s3cret"
    connector.save()
    test_connection(connector)
    assert store.requests[-1][2]["Authorization"] == "Bearer s3cret"
    connector.bearer_token, connector.username, connector.password = "", "vcio", "pw"
    connector.save()
    test_connection(connector)
    assert store.requests[-1][2]["Authorization"] == "Basic dmNpbzpwdw=="


@pytest.mark.django_db
def test_the_test_button_says_what_the_store_sees_or_what_is_wrong(connector, store):
    assert test_connection(connector) == (
        f'{store.url} answers: 1 target matching job="node", 1 of them up'
    )
    store.answer = unauthorized
    with pytest.raises(ConnectorError, match="401 Unauthorized: it needs a bearer token or"):
        test_connection(connector)


# PromQL ------------------------------------------------------------------------------


def test_selectors_are_label_matchers_and_nothing_else():
    assert parse_selector('{job="node", env=~"prod|dr"}') == ['job="node"', 'env=~"prod|dr"']
    assert parse_selector("") == []
    with pytest.raises(ValueError, match=r"'up\) or vector\(1' is not a label matcher"):
        parse_selector('job="node", up) or vector(1')


@pytest.mark.parametrize(
    "name",
    [
        "/run",
        "/run/user/1000",
        "/sys/fs/cgroup",
        "/var/lib/docker/overlay2/x",
        "/",
        "/srv",
        "/runner",
        "/home",
    ],
)
def test_the_promql_leaves_out_the_same_mount_points_as_scraping(name):
    assert bool(re.fullmatch(promql.PSEUDO_MOUNTS_RE, name)) == bool(PSEUDO_MOUNTS.match(name))


@pytest.mark.parametrize("name", ["lo", "veth12ab", "docker0", "br-1f2e", "eth0", "ens18", "LO"])
def test_the_promql_leaves_out_the_same_nics_as_scraping(name):
    expected = bool(VIRTUAL_NICS.match(name))
    assert bool(re.fullmatch(promql.VIRTUAL_NICS_RE, name)) == expected


# Claiming ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claimed_connector_is_not_claimed_again_until_released(connector):
    assert claim_due("w1", 10, NOW) == [connector.pk]
    assert claim_due("w2", 10, NOW) == []
    release(connector.pk, "w1", NOW)
    connector.refresh_from_db()
    assert (connector.claimed_by, connector.lease_until) == ("", None)
    assert connector.next_run_at == NOW + timedelta(seconds=connector.interval)
    assert claim_due("w2", 10, NOW) == []  # not due yet
    assert claim_due("w2", 10, connector.next_run_at) == [connector.pk]


@pytest.mark.django_db
def test_a_crashed_workers_claim_lapses_with_its_lease(connector):
    assert claim_due("w1", 10, NOW) == [connector.pk]
    assert claim_due("w2", 10, NOW + connectors.LEASE + timedelta(seconds=1)) == [connector.pk]


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_get_the_same_connector(acme):
    for n in range(12):
        PromConnector.objects.create(client=acme, name=f"p{n}", base_url=f"http://p{n}:9090")
    barrier = threading.Barrier(2)
    got: dict[str, list[int]] = {}

    def worker(owner: str) -> None:
        try:
            barrier.wait(timeout=10)
            got[owner] = claim_due(owner, 12, NOW)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not set(got["w0"]) & set(got["w1"])
    assert len(got["w0"]) + len(got["w1"]) == 12


@pytest.mark.django_db
def test_the_periodic_job_syncs_due_connectors_and_schedules_the_next_run(connector, store):
    assert "capacity.connectors" in periodic_jobs
    PromConnector.objects.filter(pk=connector.pk).update(next_run_at=NOW - timedelta(minutes=5))
    [result] = sync_due("w1")
    assert result.ok, result.error
    connector.refresh_from_db()
    assert connector.claimed_by == "" and connector.lease_until is None
    assert connector.next_run_at > NOW
    assert sync_due("w1") == []
