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


# The machine page's actions -----------------------------------------------------------


def machine_page(client, asset):
    return f"/clients/{client.slug}/capacity/assets/{asset.pk}/"


def test_a_consultant_confirms_a_discovered_machine_from_its_page(acme, bob, login, now):
    store_points(acme.pk, [Point("newbox", "", "mem", "", now, 0.5)])
    asset = Asset.objects.get(name="newbox")
    http = login(bob)
    page = http.get(machine_page(acme, asset)).content.decode()
    assert "Discovered:" in page and "Confirm as a new asset" in page
    r = http.post(f"{machine_page(acme, asset)}confirm/")
    assert r.status_code == 302
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_USE
    assert "Discovered:" not in http.get(machine_page(acme, asset)).content.decode()


def test_a_consultant_merges_a_discovered_machine_into_the_real_one(acme, bob, login, now):
    real = AssetFactory(client=acme, name="FILESRV-A")
    store_points(acme.pk, [Point("10.0.0.5", "", "mem", "", now, 0.5)])
    ghost = Asset.objects.get(name="10.0.0.5")
    http = login(bob)
    page = http.get(machine_page(acme, ghost)).content.decode()
    assert f'<option value="{real.pk}">FILESRV-A' in page
    r = http.post(f"{machine_page(acme, ghost)}merge/", {"into": real.pk})
    assert r["Location"] == machine_page(acme, real)
    assert not Asset.objects.filter(pk=ghost.pk).exists()
    assert Series.objects.get(metric="mem").asset_id == real.pk


def test_merging_into_nothing_or_another_clients_asset_changes_nothing(
    acme, globex, bob, login, now
):
    foreign = AssetFactory(client=globex, name="FOREIGN")
    store_points(acme.pk, [Point("10.0.0.5", "", "mem", "", now, 0.5)])
    ghost = Asset.objects.get(name="10.0.0.5")
    http = login(bob)
    for into in ("", "abc", foreign.pk, ghost.pk):
        r = http.post(f"{machine_page(acme, ghost)}merge/", {"into": into}, follow=True)
        assert "Choose the asset of this client" in r.content.decode()
    assert Asset.objects.filter(pk=ghost.pk, status=AssetStatus.DISCOVERED).exists()
    assert Series.objects.get(metric="mem").asset_id == ghost.pk


def test_an_executive_sees_a_discovered_machine_but_cannot_confirm_it(acme, carol, login, now):
    store_points(acme.pk, [Point("newbox", "", "mem", "", now, 0.5)])
    asset = Asset.objects.get(name="newbox")
    http = login(carol)
    page = http.get(machine_page(acme, asset)).content.decode()
    assert "Discovered:" in page and "Confirm as a new asset" not in page
    assert http.post(f"{machine_page(acme, asset)}confirm/").status_code == 403
    asset.refresh_from_db()
    assert asset.status == AssetStatus.DISCOVERED
