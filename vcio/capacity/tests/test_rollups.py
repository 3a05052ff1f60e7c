"""Hourly and daily rollups: built from raw samples, incrementally, once each, then raw pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vcio.assets.tests.factories import AssetFactory
from vcio.capacity.ingest import Point, store_points
from vcio.capacity.models import DailyRollup, HourlyRollup, Sample, Series
from vcio.capacity.rollups import prune_samples, roll_up

pytestmark = pytest.mark.django_db


def p95(values):
    """The 95th percentile by linear interpolation between closest ranks, worked by hand."""
    ordered = sorted(values)
    rank = 0.95 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@pytest.fixture
def start():
    # Two whole UTC days ago, at midnight.
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=2)


def push(acme, start, minutes, value_of):
    points = [
        Point("fs01", "", "mem", "", start + timedelta(minutes=m), value_of(m)) for m in minutes
    ]
    store_points(acme.pk, points)


def test_hours_and_whole_days_are_rolled_up_from_the_samples(acme, start):
    AssetFactory(client=acme, name="fs01")
    # Every 10 minutes for 36 hours: day one whole, day two half.
    minutes = range(0, 36 * 60, 10)
    push(acme, start, minutes, lambda m: (m % 97) / 100)
    roll_up(now=start + timedelta(hours=36, minutes=5))
    series = Series.objects.get(metric="mem")
    hours = HourlyRollup.objects.filter(series=series).order_by("hour")
    assert hours.count() == 36
    first = [(m % 97) / 100 for m in range(0, 60, 10)]
    h0 = hours[0]
    assert (h0.hour, h0.count) == (start, 6)
    assert h0.min == min(first) and h0.max == max(first)
    assert h0.mean == pytest.approx(sum(first) / 6)
    assert h0.p95 == pytest.approx(p95(first))
    # Only the first day has ended: one daily row, from all 144 of its samples.
    day_values = [(m % 97) / 100 for m in range(0, 24 * 60, 10)]
    (day,) = DailyRollup.objects.filter(series=series)
    assert (day.day, day.count) == (start.date(), 144)
    assert day.p95 == pytest.approx(p95(day_values))
    assert day.mean == pytest.approx(sum(day_values) / 144)


def test_a_second_run_adds_nothing_and_a_late_sample_redoes_its_hour(acme, start):
    AssetFactory(client=acme, name="fs01")
    push(acme, start, range(0, 26 * 60, 30), lambda m: 0.5)
    now = start + timedelta(hours=26)
    roll_up(now=now)
    counts = (HourlyRollup.objects.count(), DailyRollup.objects.count())
    roll_up(now=now)
    assert (HourlyRollup.objects.count(), DailyRollup.objects.count()) == counts == (26, 1)
    # A backfilled sample in hour 3 of day one: that hour and that day are redone, not added.
    push(acme, start, [3 * 60 + 15], lambda m: 0.9)
    roll_up(now=now)
    assert (HourlyRollup.objects.count(), DailyRollup.objects.count()) == (26, 1)
    hour3 = HourlyRollup.objects.get(hour=start + timedelta(hours=3))
    assert (hour3.count, hour3.max) == (3, 0.9)
    assert DailyRollup.objects.get().max == 0.9


def test_raw_samples_go_after_the_retention_once_rolled_up(acme, settings):
    settings.VCIO_METRIC_RETENTION_DAYS = 1
    AssetFactory(client=acme, name="fs01")
    now = datetime.now(UTC)
    store_points(acme.pk, [Point("fs01", "", "mem", "", now - timedelta(hours=20), 0.4)])
    later = now + timedelta(hours=10)  # the sample is now 30 hours old
    assert prune_samples(now=later) == 0  # not rolled up yet: kept
    roll_up(now=later)
    assert prune_samples(now=later) == 1
    assert Sample.objects.count() == 0
    assert HourlyRollup.objects.count() == 1
