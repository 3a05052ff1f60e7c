"""Usage per window, efficiency classes and days until full, from daily rollups as of a day."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest

from vcio.assets.tests.factories import AssetFactory
from vcio.capacity.assess import IDLE, RIGHT_SIZED, SATURATED, UNKNOWN, client_capacity
from vcio.capacity.models import DailyRollup, Series

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 30)


def series(asset, metric, labels="", days=90, mean=None, p95=None, high=None):
    """A series with one daily rollup per day up to AS_OF; values are functions of the day index."""
    s = Series.objects.create(client=asset.client, asset=asset, metric=metric, labels=labels)
    DailyRollup.objects.bulk_create(
        DailyRollup(
            series=s,
            day=AS_OF - timedelta(days=days - 1 - i),
            min=0,
            mean=mean(i),
            p95=p95(i),
            max=high(i),
            count=1440,
        )
        for i in range(days)
    )
    return s


def flat(value):
    return lambda i: value


def test_usage_windows_are_computed_from_the_daily_rollups(acme):
    asset = AssetFactory(client=acme, name="APP01")
    series(asset, "cpu", mean=lambda i: i / 200, p95=lambda i: i / 100, high=lambda i: 0.99)
    series(asset, "mem", mean=flat(0.5), p95=flat(0.6), high=flat(0.7))
    (machine,) = client_capacity(acme.pk, AS_OF)
    week = machine.cpu.usage[7]
    last7 = range(83, 90)
    assert week.days == 7
    assert week.p50 == pytest.approx(statistics.median(i / 200 for i in last7))
    # 95th percentile of 7 daily p95s by linear interpolation: rank 0.95 * 6 = 5.7.
    p95s = sorted(i / 100 for i in last7)
    assert week.p95 == pytest.approx(p95s[5] + 0.7 * (p95s[6] - p95s[5]))
    assert week.max == 0.99
    assert machine.cpu.usage[90].days == 90


@pytest.mark.parametrize(
    ("cpu_p95", "mem_p95", "expected"),
    [
        (0.03, 0.2, IDLE),
        (0.9, 0.5, SATURATED),
        (0.5, 0.95, SATURATED),
        (0.5, 0.5, RIGHT_SIZED),
        (0.03, 0.5, RIGHT_SIZED),
    ],
)
def test_machines_are_classed_by_their_30_day_p95(acme, cpu_p95, mem_p95, expected):
    asset = AssetFactory(client=acme, name="SRV")
    series(asset, "cpu", mean=flat(cpu_p95 / 2), p95=flat(cpu_p95), high=flat(cpu_p95))
    series(asset, "mem", mean=flat(mem_p95 / 2), p95=flat(mem_p95), high=flat(mem_p95))
    (machine,) = client_capacity(acme.pk, AS_OF)
    assert machine.efficiency == expected
    assert f"CPU p95 {cpu_p95:.0%}" in machine.evidence and "over 30 days" in machine.evidence


def test_a_new_machine_is_not_classed(acme):
    asset = AssetFactory(client=acme, name="NEW")
    series(asset, "cpu", days=3, mean=flat(0.01), p95=flat(0.01), high=flat(0.01))
    (machine,) = client_capacity(acme.pk, AS_OF)
    assert machine.efficiency == UNKNOWN


def test_a_filling_disk_gets_its_crossing_date(acme):
    asset = AssetFactory(client=acme, name="FS01")
    # Daily maxima rising 0.4 points a day from 50 %: 90 % is reached 100 days after day 0.
    series(
        asset, "fs", "mountpoint=D:", mean=flat(0.5), p95=flat(0.5), high=lambda i: 0.5 + 0.004 * i
    )
    (machine,) = client_capacity(acme.pk, AS_OF)
    (disk,) = machine.disks
    assert disk.label == "Disk D:"
    expected = AS_OF - timedelta(days=89) + timedelta(days=100)
    assert abs((disk.forecast.crossing - expected).days) <= 1
    assert disk.forecast.crossing_early <= disk.forecast.crossing <= disk.forecast.crossing_late
    assert machine.forecasts == [disk]


def test_the_number_of_queries_does_not_grow_with_machines(acme, django_assert_max_num_queries):
    for n in range(8):
        asset = AssetFactory(client=acme, name=f"S{n}")
        series(asset, "cpu", days=10, mean=flat(0.2), p95=flat(0.3), high=flat(0.4))
        series(asset, "fs", "mountpoint=/", days=10, mean=flat(0.2), p95=flat(0.3), high=flat(0.4))
    with django_assert_max_num_queries(2):
        machines = client_capacity(acme.pk, AS_OF)
    assert len(machines) == 8
