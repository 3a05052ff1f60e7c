"""Discovered machines: confirmed by a person, or merged into the asset they really are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vcio.assets.models import Asset, AssetStatus
from vcio.assets.tests.factories import AssetFactory
from vcio.availability.tests.factories import ServiceFactory
from vcio.capacity.hosts import confirm, merge
from vcio.capacity.ingest import Point, store_points
from vcio.capacity.models import HourlyRollup, Sample, ScrapeTarget, Series

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def test_a_confirmed_machine_is_in_use(acme, now):
    store_points(acme.pk, [Point("newbox", "", "mem", "", now, 0.5)])
    asset = Asset.objects.get(name="newbox")
    assert asset.status == AssetStatus.DISCOVERED
    confirm(asset)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_USE


def test_merging_moves_series_targets_and_services_and_keeps_one_copy_per_instant(acme, now):
    real = AssetFactory(client=acme, name="FILESRV-A")
    store_points(acme.pk, [Point("FILESRV-A", "", "mem", "", now, 0.4)])
    store_points(
        acme.pk,
        [
            Point("10.0.0.5", "", "mem", "", now, 0.9),  # the same instant as the real one
            Point("10.0.0.5", "", "mem", "", now + timedelta(minutes=1), 0.5),
            Point("10.0.0.5", "", "cpu", "", now, 0.2),
        ],
    )
    ghost = Asset.objects.get(name="10.0.0.5")
    target = ScrapeTarget.objects.create(
        client=acme, name="x", url="http://10.0.0.5/m", asset=ghost
    )
    service = ServiceFactory(client=acme)
    service.assets.add(ghost)
    HourlyRollup.objects.create(
        series=Series.objects.get(asset=ghost, metric="cpu"), hour=now.replace(minute=0, second=0),
        min=0.2, max=0.2, mean=0.2, p95=0.2, count=1,
    )  # fmt: skip
    merge(ghost, real)
    assert not Asset.objects.filter(pk=ghost.pk).exists()
    mem = Series.objects.get(asset=real, metric="mem")
    # The real asset's sample wins where both have one; the other instant joins it.
    assert sorted(Sample.objects.filter(series=mem).values_list("value", flat=True)) == [0.4, 0.5]
    cpu = Series.objects.get(asset=real, metric="cpu")
    assert HourlyRollup.objects.filter(series=cpu).count() == 1
    target.refresh_from_db()
    assert target.asset_id == real.pk
    assert list(service.assets.all()) == [real]


def test_only_a_discovered_asset_of_the_same_client_can_be_merged(acme, globex, now):
    real = AssetFactory(client=acme, name="A")
    other = AssetFactory(client=acme, name="B")
    foreign = AssetFactory(client=globex, name="C", status=AssetStatus.DISCOVERED)
    with pytest.raises(ValueError, match="not a discovered asset"):
        merge(other, real)
    with pytest.raises(ValueError, match="same client"):
        merge(foreign, real)
    assert Asset.objects.count() == 3
