"""Storing what agents report: readings → series → raw samples, idempotently.

Every way in (a scrape, a pushed exposition text, a pushed JSON batch, a
Prometheus connector's latest values) ends here. One call is one
transaction: a batch is stored whole or not at all. Replaying a batch
stores nothing new: a sample is unique per series and instant, and a
counter only moves forward from its last reading.

Samples are written with one ``executemany`` of plain tuples rather than
model instances: at 10,000 series a minute, building a Django object per
sample cost more than the database's own work.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from vcio.capacity.exposition import HostReport, Reading
from vcio.capacity.hosts import AssetIndex
from vcio.capacity.models import Sample, Series

SeriesKey = tuple[int, str, str]  # (asset id, metric, labels)
UPDATED = ("state", "last_value", "last_at", "rolled_until")
# Samples further ahead than this are a wrong clock, not a measurement.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass
class IngestResult:
    """What one call stored: new samples, new series, the assets reported, what was left out."""

    samples: int = 0
    series_created: int = 0
    asset_ids: set[int] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "samples": self.samples,
            "series_created": self.series_created,
            "assets": sorted(self.asset_ids),
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Point:
    """One already-derived value of a named host's metric (the JSON push format)."""

    host: str
    serial: str
    metric: str
    labels: str
    at: datetime
    value: float


def time_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The oldest and newest instants a sample may carry when received at ``now``."""
    return now - timedelta(days=settings.VCIO_METRIC_RETENTION_DAYS), now + FUTURE_TOLERANCE


def time_problem(
    at: datetime, now: datetime | None = None, bounds: tuple[datetime, datetime] | None = None
) -> str | None:
    """Why a sample taken at ``at`` cannot be stored, or None when it can.

    ``bounds`` (from :func:`time_bounds`) saves recomputing them per sample of a batch.
    """
    now = now or timezone.now()
    oldest, newest = bounds or time_bounds(now)
    if oldest <= at <= newest:
        return None
    if at > newest:
        return f"{at.isoformat()} is in the future (the server's time is {now.isoformat()})"
    return (
        f"{at.isoformat()} is older than the {settings.VCIO_METRIC_RETENTION_DAYS}-day "
        "retention of raw samples (VCIO_METRIC_RETENTION_DAYS)"
    )


def store_reports(client_id: int, reports: Iterable[HostReport], asset_id: int | None = None):
    """Store exporter reports for ``client_id``; ``asset_id`` fixes the machine (a scrape target
    already matched), else each report's host is matched or discovered. Returns IngestResult."""
    result = IngestResult()
    with transaction.atomic():
        rows: list[tuple[int, datetime, Reading]] = []
        index = AssetIndex(client_id) if asset_id is None else None
        for report in reports:
            asset = asset_id or index.find_or_discover(report.hostname, report.serial)
            result.asset_ids.add(asset)
            result.skipped += report.skipped
            rows += [(asset, report.at, reading) for reading in report.readings]
        _write(client_id, rows, result)
    return result


def store_points(client_id: int, points: Iterable[Point]) -> IngestResult:
    """Store already-derived values (JSON push) for ``client_id``; hosts matched or discovered."""
    result = IngestResult()
    with transaction.atomic():
        assets: dict[tuple[str, str], int] = {}
        rows: list[tuple[int, datetime, Reading]] = []
        index = AssetIndex(client_id)
        for p in points:
            host = (p.host, p.serial)
            if host not in assets:
                assets[host] = index.find_or_discover(p.host, p.serial)
            rows.append((assets[host], p.at, Reading(p.metric, p.labels, value=p.value)))
        result.asset_ids.update(assets.values())
        _write(client_id, rows, result)
    return result


def _write(client_id: int, rows: list[tuple[int, datetime, Reading]], result: IngestResult):
    series = _series_for(client_id, {(a, r.metric, r.labels) for a, _, r in rows}, result)
    samples: dict[tuple[int, datetime], float] = {}  # the last of duplicates wins
    touched: dict[int, Series] = {}
    for asset, at, reading in sorted(rows, key=lambda row: row[1]):
        s = series[(asset, reading.metric, reading.labels)]
        value = reading.value if reading.counter is None else _rate(s, at, reading.counter)
        if reading.counter is not None:
            touched[s.id] = s
        if value is None:
            continue
        samples[(s.id, at)] = value
        if s.last_at is None or at >= s.last_at:
            s.last_at, s.last_value = at, value
        if s.rolled_until is not None and at < s.rolled_until:
            # A late sample for hours already rolled up: have the rollup job redo them.
            s.rolled_until = at.replace(minute=0, second=0, microsecond=0)
        touched[s.id] = s
    result.samples += insert_samples([(sid, at, v) for (sid, at), v in samples.items()])
    update_series(touched.values())


def update_series(series: Iterable[Series]) -> None:
    """Write back each series' state, last value and rollup watermark in one ``executemany``.

    ``bulk_update`` builds a CASE per field and row: for a batch touching 500
    series it took longer than inserting their 10,000 samples.
    """
    fields = [Series._meta.get_field(name) for name in UPDATED]
    rows = [
        [f.get_db_prep_save(getattr(s, f.attname), connection) for f in fields] + [s.pk]
        for s in series
    ]
    if not rows:
        return
    columns = ", ".join(f"{f.column} = %s" for f in fields)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {Series._meta.db_table} SET {columns} WHERE id = %s", rows)


def _rate(series: Series, at: datetime, counter: tuple[float, float]) -> float | None:
    """The rate since the series' last counter reading, and remember this one.

    None for the first reading, for a replay (not newer than the last one)
    and across a reset (the counter went down: the exporter restarted).
    """
    state = series.state or {}
    last_at = state.get("at")
    if last_at is not None and at.timestamp() <= last_at:
        return None
    series.state = {"at": at.timestamp(), "a": counter[0], "b": counter[1]}
    if last_at is None:
        return None
    d_amount, d_over = counter[0] - state["a"], counter[1] - state["b"]
    if d_amount < 0 or d_over <= 0 or not math.isfinite(d_amount / d_over):
        return None
    return d_amount / d_over


def _series_for(client_id: int, keys: set[SeriesKey], result: IngestResult) -> dict:
    """The series of ``keys``, created when missing (two queries, three when some are new)."""
    if not keys:
        return {}
    assets = {a for a, _, _ in keys}
    metrics = {m for _, m, _ in keys}

    def load() -> dict[SeriesKey, Series]:
        found = Series.objects.filter(asset_id__in=assets, metric__in=metrics)
        return {(s.asset_id, s.metric, s.labels): s for s in found if s.client_id == client_id}

    series = load()
    missing = keys - series.keys()
    if missing:
        Series.objects.bulk_create(
            [
                Series(client_id=client_id, asset_id=a, metric=m, labels=lab)
                for a, m, lab in missing
            ],
            ignore_conflicts=True,
        )
        result.series_created += len(missing)
        series = load()
    return series


def insert_samples(rows: list[tuple[int, datetime, float]]) -> int:
    """Insert ``(series id, at, value)`` rows, skipping those already stored; returns how many
    were new. ``ON CONFLICT DO NOTHING`` is spelled the same by SQLite and PostgreSQL."""
    if not rows:
        return 0
    table = Sample._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"INSERT INTO {table} (series_id, at, value) VALUES (%s, %s, %s) "
        "ON CONFLICT (series_id, at) DO NOTHING"
    )
    # A batch holds few distinct instants (one per scrape), each shared by many series:
    # adapting each once halves the Python work per sample.
    adapted: dict[datetime, Any] = {}
    params = []
    for sid, at, value in rows:
        when = adapted.get(at)
        if when is None:
            when = adapted[at] = adapt(at)
        params.append((sid, when, value))
    with connection.cursor() as cursor:
        # Both drivers sum executemany's row counts; a skipped conflict counts 0.
        cursor.executemany(sql, params)
        return max(cursor.rowcount, 0)
