"""Storing readings: series per asset, counters turned into rates, replays storing nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vcio.assets.models import Asset, AssetStatus
from vcio.assets.tests.factories import AssetFactory
from vcio.capacity.exposition import read_report
from vcio.capacity.ingest import Point, store_points, store_reports
from vcio.capacity.models import Sample, Series

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def fs01(at, busy_extra=0.0, rx_extra=0.0, elapsed=0.0):
    """The fixture scrape at ``at``: CPU time moved on by ``elapsed`` s on each of 2 CPUs."""
    report = read_report((DATA / "node_fs01.prom").read_text(), at)
    for r in report.readings:
        if r.metric == "cpu":
            r.counter = (r.counter[0] + busy_extra, r.counter[1] + 2 * elapsed)
        elif r.metric == "net_rx":
            r.counter = (r.counter[0] + rx_extra, at.timestamp())
    return report


def value(asset, metric, labels=""):
    series = Series.objects.get(asset=asset, metric=metric, labels=labels)
    return list(Sample.objects.filter(series=series).order_by("at").values_list("value", flat=True))


def test_an_unknown_host_becomes_a_discovered_asset_with_its_series(acme, now):
    result = store_reports(acme.pk, [fs01(now)])
    asset = Asset.objects.get(client=acme)
    assert (asset.name, asset.serial, asset.status) == (
        "fs01.acme.local",
        "CZ-FS01-42",
        AssetStatus.DISCOVERED,
    )
    assert result.asset_ids == {asset.pk}
    assert value(asset, "mem") == [pytest.approx(0.75)]
    assert value(asset, "fs", "mountpoint=/srv/shares") == [pytest.approx(0.85)]
    # A counter needs two readings before it says anything.
    assert value(asset, "cpu") == []


def test_counters_become_rates_between_two_scrapes(acme, now):
    store_reports(acme.pk, [fs01(now)])
    store_reports(
        acme.pk, [fs01(now + timedelta(seconds=60), busy_extra=30.0, rx_extra=6e6, elapsed=60)]
    )
    asset = Asset.objects.get(client=acme)
    assert value(asset, "cpu") == [pytest.approx(30 / 120)]
    assert value(asset, "net_rx", "device=eth0") == [pytest.approx(6e6 / 60)]


def test_a_replayed_batch_stores_nothing_new(acme, now):
    first = store_reports(acme.pk, [fs01(now)])
    second = store_reports(acme.pk, [fs01(now)])
    assert first.samples > 0 and second.samples == 0
    assert second.series_created == 0
    assert Sample.objects.count() == first.samples


def test_a_counter_that_went_down_is_a_restart_not_a_negative_rate(acme, now):
    store_reports(acme.pk, [fs01(now, busy_extra=500.0)])
    store_reports(acme.pk, [fs01(now + timedelta(seconds=60), busy_extra=0.0, elapsed=60)])
    store_reports(acme.pk, [fs01(now + timedelta(seconds=120), busy_extra=60.0, elapsed=120)])
    asset = Asset.objects.get(client=acme)
    assert value(asset, "cpu") == [pytest.approx(60 / 120)]


def test_hosts_match_assets_by_serial_then_short_hostname(acme, globex, now):
    by_serial = AssetFactory(client=acme, name="file server", serial="CZ-FS01-42")
    other = AssetFactory(client=acme, name="SQL01")
    AssetFactory(client=globex, name="db1")  # another client's namesake is never matched
    store_reports(acme.pk, [fs01(now)])
    store_points(acme.pk, [Point("sql01.ACME.local", "", "mem", "", now, 0.5)])
    store_points(acme.pk, [Point("DB1", "", "mem", "", now, 0.25)])
    assert value(by_serial, "mem") == [pytest.approx(0.75)]
    assert value(other, "mem") == [0.5]
    discovered = Asset.objects.get(client=acme, name="DB1")
    assert discovered.status == AssetStatus.DISCOVERED
    assert Asset.objects.filter(client=acme).count() == 3


def test_duplicate_points_in_one_batch_keep_the_last(acme, now):
    result = store_points(
        acme.pk, [Point("fs01", "", "mem", "", now, 0.5), Point("fs01", "", "mem", "", now, 0.6)]
    )
    assert result.samples == 1
    assert value(Asset.objects.get(name="fs01"), "mem") == [0.6]
