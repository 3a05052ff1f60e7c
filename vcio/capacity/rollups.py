"""Hourly and daily rollups of raw samples, built incrementally; raw samples pruned after them.

Each series remembers ``rolled_until``: every hour before it is rolled up.
A run rolls up the complete hours since then (one read of their samples)
and, when a UTC day has ended since the last run, that whole day (one more
read of its samples, once a day), so the daily 95th percentile is a true
percentile of the day's samples, not a figure derived from hourly ones.
A late sample (a backfilled push) moves ``rolled_until`` back to its hour
(:mod:`vcio.capacity.ingest`), and the next run redoes those hours and days.
Rows are replaced, never added twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from vcio.capacity.models import DailyRollup, HourlyRollup, Sample, Series
from vcio.core.registry import PeriodicJob, periodic_jobs

BATCH = 200  # series per read: bounds memory at ~200 series x a day of samples
ROLLUP_INTERVAL_S = 300


def hour_floor(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def summarise(values: np.ndarray) -> dict[str, float | int]:
    """min, max, mean, p95 (linear interpolation, NumPy's default) and count of ``values``."""
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "p95": float(np.percentile(values, 95)),
        "count": int(values.size),
    }


def roll_up(now: datetime | None = None) -> int:
    """Roll up every series with complete hours not rolled up yet; returns the series done."""
    until = hour_floor(now or timezone.now())
    # A series with no new sample is still visited once an hour: its watermark moves on.
    pending = (
        Series.objects.filter(last_at__isnull=False)
        .filter(Q(rolled_until__isnull=True) | Q(rolled_until__lt=until))
        .values_list("pk", "rolled_until")
    )
    done = 0
    batch: list[tuple[int, datetime | None]] = []
    for row in pending.iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) == BATCH:
            done += _roll_batch(batch, until)
            batch = []
    if batch:
        done += _roll_batch(batch, until)
    return done


def _roll_batch(batch: list[tuple[int, datetime | None]], until: datetime) -> int:
    """Roll up one batch of series from their own ``rolled_until`` to ``until``."""
    # Read from the start of the first unfinished day, so a day that ends now is whole.
    starts = {sid: rolled for sid, rolled in batch}
    earliest = min((day_start(r.date()) for r in starts.values() if r is not None), default=None)
    samples = Sample.objects.filter(series_id__in=list(starts), at__lt=until)
    if all(r is not None for r in starts.values()) and earliest is not None:
        samples = samples.filter(at__gte=earliest)
    by_series: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for sid, at, value in samples.order_by("series_id", "at").values_list(
        "series_id", "at", "value"
    ):
        by_series[sid].append((at, value))
    hourly, daily = [], []
    for sid, rolled in starts.items():
        h, d = _rollups_of(sid, by_series.get(sid, []), rolled, until)
        hourly += h
        daily += d
    with transaction.atomic():
        _replace(HourlyRollup, "hour", hourly)
        _replace(DailyRollup, "day", daily)
        Series.objects.filter(pk__in=list(starts)).update(rolled_until=until)
    return len(starts)


def _rollups_of(sid: int, points: list[tuple[datetime, float]], rolled, until: datetime):
    """Hourly rows of the hours in [rolled, until); daily rows of the days ended by ``until``."""
    hours: dict[datetime, list[float]] = defaultdict(list)
    days: dict[date, list[float]] = defaultdict(list)
    first_day = rolled.astimezone(UTC).date() if rolled is not None else None
    last_whole_day = until.date() - timedelta(days=1)  # days ending at or before ``until``
    for at, value in points:
        hour = hour_floor(at)
        if rolled is None or hour >= rolled:
            hours[hour].append(value)
        day = hour.date()
        if day <= last_whole_day and (first_day is None or day >= first_day):
            days[day].append(value)
    hourly = [
        HourlyRollup(series_id=sid, hour=h, **summarise(np.asarray(v))) for h, v in hours.items()
    ]
    # A day is rolled up once it has ended and only if this run saw the whole of it.
    daily = [
        DailyRollup(series_id=sid, day=d, **summarise(np.asarray(v)))
        for d, v in days.items()
        if rolled is None or day_start(d) + timedelta(days=1) > rolled
    ]
    return hourly, daily


def _replace(model, field: str, rows: list) -> None:
    """Delete the rows these replace (same series and period), then insert them."""
    if not rows:
        return
    keys: dict[int, set] = defaultdict(set)
    for row in rows:
        keys[row.series_id].add(getattr(row, field))
    for sid, periods in keys.items():
        model.objects.filter(series_id=sid, **{f"{field}__in": list(periods)}).delete()
    model.objects.bulk_create(rows, batch_size=1000)


def prune_samples(now: datetime | None = None) -> int:
    """Delete raw samples older than VCIO_METRIC_RETENTION_DAYS that are rolled up; returns how
    many. Samples not rolled up yet (a stopped worker) are kept until they are."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.VCIO_METRIC_RETENTION_DAYS)
    old = Sample.objects.filter(at__lt=cutoff, series__rolled_until__gt=F("at"))
    deleted, _ = old.delete()
    return deleted


def run() -> None:
    roll_up()
    prune_samples()


def register() -> None:
    periodic_jobs.register(
        PeriodicJob(
            "capacity.rollups",
            run,
            interval=ROLLUP_INTERVAL_S,
            description="Rolls raw metric samples up by hour and day; prunes raw samples "
            "older than VCIO_METRIC_RETENTION_DAYS once rolled up.",
        )
    )
