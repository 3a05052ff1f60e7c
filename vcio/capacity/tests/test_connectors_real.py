"""A Prometheus connector reading a real Prometheus that scrapes a real node_exporter.

The Prometheus scrapes every second, so a few seconds of samples are
enough: the sync reads the current, unfinished hour (``until=now``) sampled
every second instead of every minute. Everything else is the production
path: the PromQL, the host matching, the upserts.
"""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from vcio.capacity.connectors import floor_hour, sync, test_connection
from vcio.capacity.hosts import find_asset
from vcio.capacity.models import HourlyRollup, PromConnector, Series
from vcio.capacity.promql import Sampling
from vcio.capacity.tests import agents

pytestmark = pytest.mark.django_db
node_exporter, prometheus = agents.node_exporter, agents.prometheus  # the real agents' fixtures
# Sampled every second (the scrape interval), counters' rates over 5 s.
EVERY_SECOND = Sampling(step=1, rate_window=5)
SCRAPES = 6


@pytest.fixture
def connector(acme, prometheus):
    # Read from the previous hour on: sampled every second, the days a first sync reads
    # (empty here) would cost Prometheus more time than the test has.
    return PromConnector.objects.create(
        client=acme,
        name="Acme Prometheus",
        base_url=prometheus.url,
        selector='job="node"',
        synced_until=floor_hour(timezone.now()) - timedelta(hours=1),
    )


def gathered(prometheus, scrapes: int) -> None:
    """Wait until Prometheus holds ``scrapes`` scrapes (one a second) of the exporter."""
    deadline = time.monotonic() + scrapes + 10
    while time.monotonic() < deadline:
        stored = prometheus.query('count_over_time(up{job="node"}[1h])')
        if stored and float(stored[0]["value"][1]) >= scrapes:
            return
        time.sleep(0.5)
    pytest.fail(f"Prometheus did not store {scrapes} scrapes in {scrapes + 10} s")


def rollups(series: Series) -> list[HourlyRollup]:
    return list(HourlyRollup.objects.filter(series=series).order_by("hour"))


def test_the_test_button_counts_the_targets(connector):
    assert test_connection(connector) == (
        f'{connector.base_url} answers: 1 target matching job="node", 1 of them up'
    )


def test_a_sync_reads_hourly_rollups_of_this_machine(acme, connector, prometheus):
    gathered(prometheus, SCRAPES)
    now = timezone.now()
    started = time.monotonic()
    result = sync(connector.pk, now, until=now, sampling=EVERY_SECOND)
    took = time.monotonic() - started
    assert result.ok, result.error
    assert took < 15, f"the sync took {took:.1f} s"

    # node_uname_info names the machine: this one, matched or discovered.
    asset = find_asset(acme.pk, socket.gethostname())
    assert asset is not None and result.asset_ids == {asset.pk}
    series = {(s.metric, s.labels): s for s in Series.objects.filter(asset=asset)}
    assert {"cpu", "mem", "mem_size", "load1", "uptime"} <= {m for m, _ in series}
    filesystems = [s for (m, _), s in series.items() if m == "fs"]
    assert filesystems, f"no filesystem read: {sorted(series)}"
    for s in [series[("cpu", "")], series[("mem", "")], *filesystems]:
        for row in rollups(s):
            assert 0 <= row.min <= row.mean <= row.max <= 1, (s, row.__dict__)
            assert row.min <= row.p95 <= row.max
            assert row.count >= 1
            assert row.hour == floor_hour(now) or row.hour == floor_hour(now) - timedelta(hours=1)

    # The mean memory use agrees with a query written another way: the averages of
    # available and total memory over the hour so far, divided.
    mem = rollups(series[("mem", "")])[-1]
    window = int((now - floor_hour(now)).total_seconds()) or 1
    when = now.timestamp()
    independent = httpx.get(
        f"{prometheus.url}/api/v1/query",
        params={
            "query": f'1 - avg_over_time(node_memory_MemAvailable_bytes{{job="node"}}[{window}s])'
            f' / avg_over_time(node_memory_MemTotal_bytes{{job="node"}}[{window}s])',
            "time": when,
        },
    ).json()["data"]["result"]
    assert mem.mean == pytest.approx(float(independent[0]["value"][1]), abs=0.01)
    assert series[("mem", "")].last_value == pytest.approx(mem.mean, abs=0.05)

    connector.refresh_from_db()
    assert connector.synced_until == floor_hour(now)
    assert connector.last_ok_at == now and connector.last_error == ""
    assert connector.last_samples == result.hourly > 0

    # A second sync re-reads the unfinished hour: it replaces its rows, adds none.
    counts = (Series.objects.count(), HourlyRollup.objects.count())
    later = timezone.now()
    again = sync(connector.pk, later, until=later, sampling=EVERY_SECOND)
    assert again.ok, again.error
    assert (Series.objects.count(), HourlyRollup.objects.count()) == counts
    assert rollups(series[("mem", "")])[-1].count >= mem.count
