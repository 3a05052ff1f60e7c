"""The capacity demo: 90 days of rollups that tell the stories a CIO looks for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vcio.assets.demo import load_assets
from vcio.capacity import demo
from vcio.capacity.assess import IDLE, SATURATED, client_capacity
from vcio.capacity.models import DailyRollup, HourlyRollup, Series
from vcio.core.demo import load_core
from vcio.core.models import Client

pytestmark = pytest.mark.django_db


def quiet(msg: str) -> None:
    pass


@pytest.fixture
def acme_machines():
    load_core({}, quiet)
    load_assets({}, quiet)
    demo.load_capacity({}, quiet)
    acme = Client.objects.get(slug="acme")
    return acme, {m.name: m for m in client_capacity(acme.pk, timezone.localdate())}


def test_the_demo_tells_the_stories_a_cio_looks_for(acme_machines):
    # One test: loading the inventory demo takes most of its time.
    acme, machines = acme_machines
    # The file server's data disk fills up within the quarter.
    (disk,) = [d for d in machines["ACME-FS01"].disks if d.labels == "mountpoint=D:"]
    today = timezone.localdate()
    assert today < disk.forecast.crossing <= today + timedelta(days=90)
    assert disk.size_bytes == 2e12
    # A saturated SQL server and two idle servers.
    assert machines["ACME-SQL01"].efficiency == SATURATED
    idle = sorted(name for name, m in machines.items() if m.efficiency == IDLE)
    assert idle == ["ACME-PRINT01", "ACME-WSUS01"]
    # 90 days of hourly and daily rollups, loaded once.
    cpu = Series.objects.filter(client=acme, metric="cpu").first()
    assert HourlyRollup.objects.filter(series=cpu).count() == 90 * 24
    assert DailyRollup.objects.filter(series=cpu).count() == 90
    before = Series.objects.count()
    demo.load_capacity({}, quiet)
    assert Series.objects.count() == before
