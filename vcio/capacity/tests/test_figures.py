"""Capacity figures: servers short of disk, saturated, idle; disks over 90 %, as of a day.

The helpers at the top build machines from daily rollups; the other capacity
finding tests (recommendations, review, dashboard) use them too.

Hand numbers for the constructed client (as of 30 Nov 2026):

* FS01 (server): D: at 88 % today growing 0.1 point a day reaches 90 % in
  ceil(2 / 0.1) = 20 days (< 30); its 7-day max is 0.88 (not over 90 %).
* SQL01 (server): CPU p95 95 % → saturated; its C: has been at 93 % all
  along (flat: no crossing ahead, but over 90 % and full already, 0 days).
* IDLE1 (vm), IDLE2 (server): CPU 3 %, memory 20 % → idle.
* APP01 (server): CPU 40 %, memory 50 % → right-sized.
* PC01 (workstation): idle and over 90 % disk, but not a server: not counted.

So: servers with < 30 days of disk = 2 (FS01 in 20 days, SQL01 full already);
saturated = 1 of 5 servers = 20 %; idle = 2; disks over 90 % = 1.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assets.models import AssetKind
from vcio.assets.tests.factories import AssetFactory
from vcio.capacity import figures
from vcio.capacity.models import DailyRollup, Series
from vcio.core.registry import compute_figures

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 30)
TB = 10**12
GIB = 2**30


def rollups(asset, metric, labels="", days=90, p95=None, high=None, mean=None, as_of=AS_OF):
    """A series with one daily rollup per day up to ``as_of``; values are functions of the day
    index i (0 = the oldest day, days - 1 = ``as_of``) or constants."""

    def fn(value):
        return value if callable(value) else (lambda i: value)

    p95, high = fn(p95), fn(high if high is not None else p95)
    mean = fn(mean) if mean is not None else (lambda i: p95(i) / 2)
    s = Series.objects.create(client=asset.client, asset=asset, metric=metric, labels=labels)
    DailyRollup.objects.bulk_create(
        DailyRollup(
            series=s,
            day=as_of - timedelta(days=days - 1 - i),
            min=0,
            mean=mean(i),
            p95=p95(i),
            max=high(i),
            count=1440,
        )
        for i in range(days)
    )
    return s


def linear(today: float, per_day: float, days: int = 90):
    """Daily values on a straight line reaching ``today`` on the last day."""
    return lambda i: today - per_day * (days - 1 - i)


def machine(client, name, kind=AssetKind.SERVER, cpu=0.4, mem=0.5, disks=(), mem_size=None):
    """A machine reporting flat CPU and memory p95s and the given disks.

    ``disks`` are (mount, daily max, size in bytes or None); the daily max may
    be a function of the day index (see :func:`linear`).
    """
    asset = AssetFactory(client=client, name=name, kind=kind)
    rollups(asset, "cpu", p95=cpu)
    rollups(asset, "mem", p95=mem)
    if mem_size:
        rollups(asset, "mem_size", p95=mem_size)
    for mount, used, size in disks:
        rollups(asset, "fs", f"mountpoint={mount}", p95=used, high=used)
        if size:
            rollups(asset, "fs_size", f"mountpoint={mount}", p95=size)
    return asset


def constructed(client):
    machine(client, "FS01", disks=[("D:", linear(0.88, 0.001), 4 * TB)])
    machine(client, "SQL01", cpu=0.95, disks=[("C:", 0.93, TB)])
    machine(client, "IDLE1", AssetKind.VIRTUAL_MACHINE, cpu=0.03, mem=0.2)
    machine(client, "IDLE2", cpu=0.03, mem=0.2)
    machine(client, "APP01")
    machine(client, "PC01", AssetKind.WORKSTATION, cpu=0.03, mem=0.2, disks=[("C:", 0.95, TB)])


KEYS = [
    "capacity.servers_disk_soon",
    "capacity.saturated_pct",
    "capacity.idle_servers",
    "capacity.disks_over_90",
]


def test_figures_of_a_constructed_client(acme, globex):
    constructed(acme)
    found = compute_figures([acme.pk, globex.pk], KEYS, at=AS_OF)
    assert {k: v[acme.pk] for k, v in found.items()} == {
        "capacity.servers_disk_soon": 2,
        "capacity.saturated_pct": 20.0,
        "capacity.idle_servers": 2,
        "capacity.disks_over_90": 1,
    }
    # Globex reports nothing: no data, not zero.
    assert {v[globex.pk] for v in found.values()} == {None}


def test_figures_are_as_of_their_day(acme):
    constructed(acme)
    # Thirty days earlier FS01's disk was at 85 %, 50 days from full; no rollups after that day.
    earlier = AS_OF - timedelta(days=30)
    assert figures.servers_disk_soon([acme.pk], earlier)[acme.pk] == 1  # SQL01 only


def test_figures_run_a_fixed_number_of_queries(acme, globex):
    constructed(acme)
    for fig in KEYS:
        with CaptureQueriesContext(connection) as one:
            compute_figures([acme.pk], [fig], at=AS_OF)
        constructed(globex)
        with CaptureQueriesContext(connection) as two:
            compute_figures([acme.pk, globex.pk], [fig], at=AS_OF)
        Series.objects.filter(client=globex).delete()
        assert len(two) == len(one) == 3, fig


def test_a_workstation_alone_is_no_server_data(acme):
    machine(acme, "PC01", AssetKind.WORKSTATION, cpu=0.03, mem=0.2)
    assert figures.idle_servers([acme.pk], AS_OF) == {acme.pk: None}
