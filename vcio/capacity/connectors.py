"""Prometheus connectors: a client's own Prometheus-compatible store, read as hourly rollups.

This is vcio's scale-out path for metrics. Raw series stay in the store
built for them (Prometheus, VictoriaMetrics, Mimir, Thanos: anything that
answers the Prometheus HTTP API); vcio asks it, through PromQL, for each
metric's min, max, mean, 95th percentile and count per UTC hour
(:mod:`vcio.capacity.promql`), and keeps only those: a fleet of 10,000
series costs vcio 24 rows a day each, whatever the scrape interval.

A sync reads from the connector's ``synced_until`` (the first time: the
last ``VCIO_METRIC_RETENTION_DAYS`` days, from a UTC midnight) to the last
complete hour, with one ``query_range`` (step 1 h) per metric, plus one
per metric for the 95th percentile of each complete UTC day. Every answer
is fetched before anything is written, and the writing is one transaction:
a store that answers HTML, 401, a PromQL error or nothing leaves the
database as it was and the connector's ``last_error`` says what happened.
Re-reading an hour replaces its rollup; nothing is ever duplicated.

Each result series is one ``instance``: its machine is named by
``node_uname_info``'s nodename (or ``windows_cs_hostname``), else the
instance's host without its port, with ``node_dmi_info``'s serial when
there is one, and matched to the client's assets (or discovered) by
:func:`vcio.capacity.hosts.match_or_discover`.

Connectors are claimed like monitors: a conditional UPDATE of
``lease_until``/``claimed_by`` (:func:`claim_due`), so several workers
never read one store at once.
"""

from __future__ import annotations

import math
import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from vcio.capacity.hosts import match_or_discover
from vcio.capacity.metrics import CATALOGUE, RATIO, labels_text
from vcio.capacity.models import DailyRollup, HourlyRollup, PromConnector, Series
from vcio.capacity.promql import (
    MINUTELY,
    STAT_LABEL,
    ConnectorError,
    Expressions,
    PromAPI,
    Sampling,
    check_url_allowed,
    stats_query,
)
from vcio.core.registry import PeriodicJob, periodic_jobs

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# A sync makes ~20 requests of at most 10 s each (promql.TIMEOUT_S): the lease outlasts that.
LEASE = timedelta(minutes=10)
# One sync reads at most this much; a store left unread for longer catches up over several runs
# (Prometheus refuses a query_range of more than 11,000 points per series).
MAX_SPAN = timedelta(days=31)
CLAIM_BATCH = 20
ROLLUP_FIELDS = ["min", "max", "mean", "p95", "count"]

SeriesKey = tuple[str, str, str]  # (instance, metric, labels)


@dataclass
class SyncResult:
    """What one sync did: the hours read (``start``..``end``, UTC), the rows written, the
    assets the series belong to, and ``error`` ("" when it succeeded)."""

    connector_id: int
    start: datetime | None = None
    end: datetime | None = None
    hourly: int = 0
    daily: int = 0
    series: int = 0
    asset_ids: set[int] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def test_connection(connector: PromConnector) -> str:
    """ "Test now": run ``up`` narrowed by the selector; say how many targets the store sees.

    Raises ConnectorError with a message for the user when it cannot be read.
    """
    check_url_allowed(connector.base_url)
    try:
        expressions = Expressions(connector.selector)
    except ValueError as exc:
        raise ConnectorError(str(exc)) from None
    api = PromAPI(connector)
    try:
        series = api.instant(expressions.sel("up"), timezone.now(), "up")
    finally:
        api.close()
    up = sum(1 for s in series if s["values"] and s["values"][0][1] == 1)
    narrowed = f" matching {connector.selector}" if connector.selector.strip() else ""
    if not series:
        return f"{api.base} answers, but sees no targets{narrowed}"
    targets = f"{len(series)} target{'' if len(series) == 1 else 's'}"
    return f"{api.base} answers: {targets}{narrowed}, {up} of them up"


test_connection.__test__ = False  # a "test now" action, not a pytest test


# Reading ---------------------------------------------------------------------------


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def floor_day(at: datetime) -> datetime:
    return floor_hour(at).replace(hour=0)


@dataclass
class Fetched:
    """What the store said: per series key, per hour start, the statistics; per series key and
    day, the 95th percentile; and who each instance is."""

    hours: dict[SeriesKey, dict[datetime, dict[str, float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )
    days: list[date] = field(default_factory=list)  # the complete UTC days read
    day_p95: dict[tuple[SeriesKey, date], float] = field(default_factory=dict)
    hosts: dict[str, tuple[str, str]] = field(default_factory=dict)  # instance: (name, serial)


def _series_key(metric: str, labels: dict[str, str]) -> tuple[SeriesKey, str]:
    """The key of a result series, and its filesystem's device (to count a device mounted
    twice once)."""
    name = CATALOGUE[metric].label_name
    text = labels_text(name, labels.get(name, "")) if name else ""
    device = labels.get("device", "") if metric in ("fs", "fs_size") else ""
    return (labels.get("instance", ""), metric, text), device


def _keep_shortest_mounts(fetched: Fetched, devices: dict[SeriesKey, str]) -> None:
    """A device mounted twice is one filesystem: keep it at its shortest mount point."""
    best: dict[tuple[str, str], str] = {}
    for (instance, metric, labels), device in devices.items():
        if metric == "fs" and device:
            known = best.get((instance, device))
            if known is None or len(labels) < len(known):
                best[(instance, device)] = labels
    for (instance, metric, labels), device in devices.items():
        if device and best.get((instance, device), labels) != labels:
            fetched.hours.pop((instance, metric, labels), None)


def _value(metric: str, value: float) -> float | None:
    """A statistic as stored: shares clamped to 0-1 (rounding), None when not a finite
    non-negative number (a filesystem of size 0 divides by zero)."""
    if not math.isfinite(value):
        return None
    if CATALOGUE[metric].unit == RATIO:
        return min(max(value, 0.0), 1.0)
    return value if value >= 0 else None


def _collect_stats(fetched: Fetched, metric: str, series: list[dict], devices: dict) -> None:
    for item in series:
        key, device = _series_key(metric, item["metric"])
        devices[key] = device
        stat = item["metric"].get(STAT_LABEL, "")
        for stamp, raw in item["values"]:
            # A count is a number of sampled instants, whatever the metric's unit.
            value = _value(metric, raw) if stat != "count" else raw
            if value is None or not math.isfinite(value):
                continue
            # A window's statistics are stamped at its end: the hour they describe began
            # before (an instant inside the hour when the last one is read unfinished).
            hour = floor_hour(datetime.fromtimestamp(stamp, UTC) - timedelta(milliseconds=1))
            fetched.hours[key][hour][stat] = value


def _collect_day_p95(fetched: Fetched, metric: str, series: list[dict]) -> None:
    for item in series:
        key, _ = _series_key(metric, item["metric"])
        for stamp, raw in item["values"]:
            value = _value(metric, raw)
            if value is not None:
                day = datetime.fromtimestamp(stamp, UTC) - timedelta(milliseconds=1)
                fetched.day_p95[(key, day.date())] = value


def _collect_hosts(fetched: Fetched, series: list[dict]) -> None:
    names: dict[str, str] = {}
    serials: dict[str, str] = {}
    for item in series:
        labels = item["metric"]
        instance = labels.get("instance", "")
        name = labels.get("nodename") or labels.get("fqdn") or labels.get("hostname")
        if name and name != "(none)":
            names[instance] = name
        if labels.get("product_serial"):
            serials[instance] = labels["product_serial"]
    for instance in set(names) | set(serials):
        fetched.hosts[instance] = (names.get(instance, ""), serials.get(instance, ""))


def instance_host(instance: str) -> str:
    """The host part of an ``instance`` label: ``fs01:9100`` → ``fs01``, ``[::1]:9 → ``::1``."""
    if instance.startswith("["):
        return instance[1:].split("]", 1)[0]
    if instance.count(":") == 1:
        return instance.split(":", 1)[0]
    return instance


def fetch(
    api: PromAPI,
    expressions: Expressions,
    start: datetime,
    end: datetime,
    sampling: Sampling,
) -> Fetched:
    """Read every catalogue metric's hourly statistics for the hours from ``start`` (on the
    hour) to ``end``, the 95th percentile of the complete UTC days among them, and the
    instances' identities. ``end`` off the hour reads its last hour unfinished."""
    fetched = Fetched()
    devices: dict[SeriesKey, str] = {}
    last_full = floor_hour(end)
    days = fetched.days = _days_between(start, last_full)
    for metric in CATALOGUE:
        expression = expressions.for_metric(metric)
        if last_full > start:
            query = stats_query(expression, 3600, sampling.step)
            series = api.range(query, start + HOUR, last_full, 3600, f"{metric} hourly")
            _collect_stats(fetched, metric, series, devices)
        if end > last_full:
            window = math.ceil((end - last_full).total_seconds())
            series = api.instant(stats_query(expression, window, sampling.step), end, metric)
            _collect_stats(fetched, metric, series, devices)
        if days:
            query = stats_query(expression, 86400, sampling.step, ("p95",))
            first_end = datetime.combine(days[0], datetime.min.time(), UTC) + DAY
            last_end = datetime.combine(days[-1], datetime.min.time(), UTC) + DAY
            series = api.range(query, first_end, last_end, 86400, f"{metric} daily p95")
            _collect_day_p95(fetched, metric, series)
    _keep_shortest_mounts(fetched, devices)
    window = math.ceil((end - start).total_seconds())
    _collect_hosts(fetched, api.instant(expressions.identity(window), end, "identity"))
    return fetched


def _days_between(start: datetime, end: datetime) -> list[date]:
    """The UTC days lying wholly between ``start`` and ``end``."""
    first = floor_day(start)
    if first < start:
        first += DAY
    days = []
    while first + DAY <= end:
        days.append(first.date())
        first += DAY
    return days


# Writing ---------------------------------------------------------------------------


def _series_for(client_id: int, keys: set[tuple[int, str, str]]) -> dict:
    """The series of ``(asset id, metric, labels)`` keys, created when missing."""
    assets = {a for a, _, _ in keys}

    def load() -> dict[tuple[int, str, str], Series]:
        found = Series.objects.filter(client_id=client_id, asset_id__in=assets)
        return {(s.asset_id, s.metric, s.labels): s for s in found}

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
        series = load()
    return series


def store(
    connector: PromConnector,
    fetched: Fetched,
    end: datetime,
    synced_until: datetime,
    result: SyncResult,
) -> None:
    """Write what was fetched up to ``end`` (call inside a transaction): hourly rollups
    (upserted), daily rollups of the complete days, the series' last values; the series'
    rollups are complete up to ``synced_until``."""
    assets: dict[str, int] = {}
    for instance in {instance for instance, _, _ in fetched.hours}:
        name, serial = fetched.hosts.get(instance, ("", ""))
        host = name or instance_host(instance)
        assets[instance] = match_or_discover(connector.client_id, host, serial).pk
    result.asset_ids = set(assets.values())
    by_key: dict[tuple[int, str, str], SeriesKey] = {}
    for instance, metric, labels in sorted(fetched.hours):
        key = (assets[instance], metric, labels)
        if key in by_key:
            # One machine scraped under two addresses: its first instance speaks for it.
            result.skipped.append(
                f"{instance} {metric}{{{labels}}}: same machine as {by_key[key][0]}"
            )
            continue
        by_key[key] = (instance, metric, labels)
    series = _series_for(connector.client_id, set(by_key))
    rows: list[HourlyRollup] = []
    touched: list[Series] = []
    for key, s in series.items():
        if key not in by_key:
            continue
        hours = fetched.hours[by_key[key]]
        complete = {h: st for h, st in hours.items() if all(n in st for n in ROLLUP_FIELDS)}
        complete = {h: st for h, st in complete.items() if st["count"] >= 1}
        rows += [_hourly(s, hour, stats) for hour, stats in complete.items()]
        if complete:
            latest = max(complete)
            # The last value is the one sampled at the end of the newest hour read.
            last_at = min(latest + HOUR, end)
            if s.last_at is None or last_at >= s.last_at:
                s.last_at, s.last_value = last_at, complete[latest].get("last", s.last_value)
            s.rolled_until = max(s.rolled_until or synced_until, synced_until)
            touched.append(s)
    HourlyRollup.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["series", "hour"],
        update_fields=ROLLUP_FIELDS,
        batch_size=500,
    )
    Series.objects.bulk_update(touched, ["last_value", "last_at", "rolled_until"], batch_size=500)
    result.hourly, result.series = len(rows), len(touched)
    result.daily = _store_days(touched, fetched, by_key)


def _hourly(series: Series, hour: datetime, stats: dict[str, float]) -> HourlyRollup:
    return HourlyRollup(
        series=series,
        hour=hour,
        min=stats["min"],
        max=stats["max"],
        mean=stats["mean"],
        p95=stats["p95"],
        count=int(stats["count"]),
    )


def _store_days(series: list[Series], fetched: Fetched, by_key: dict) -> int:
    """Daily rollups of the complete days read, from the stored hourly rows: min of the mins,
    max of the maxes, mean weighted by count; p95 from the store's daily query (the max of the
    hourly p95s, an upper bound, when the store returned none for that day)."""
    days = fetched.days
    if not days or not series:
        return 0
    ids = {s.pk: s for s in series}
    first = datetime.combine(days[0], datetime.min.time(), UTC)
    last = datetime.combine(days[-1], datetime.min.time(), UTC) + DAY
    hourly = HourlyRollup.objects.filter(series_id__in=ids, hour__gte=first, hour__lt=last)
    grouped: dict[tuple[int, date], list[HourlyRollup]] = defaultdict(list)
    for row in hourly.order_by():
        day = row.hour.astimezone(UTC).date()
        if day in days:
            grouped[(row.series_id, day)].append(row)
    rows = []
    for (series_id, day), hours in grouped.items():
        s = ids[series_id]
        count = sum(h.count for h in hours)
        p95 = fetched.day_p95.get((by_key[(s.asset_id, s.metric, s.labels)], day))
        rows.append(
            DailyRollup(
                series_id=series_id,
                day=day,
                min=min(h.min for h in hours),
                max=max(h.max for h in hours),
                mean=sum(h.mean * h.count for h in hours) / count if count else 0.0,
                p95=p95 if p95 is not None else max(h.p95 for h in hours),
                count=count,
            )
        )
    DailyRollup.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["series", "day"],
        update_fields=ROLLUP_FIELDS,
        batch_size=500,
    )
    return len(rows)


def _window(
    connector: PromConnector, now: datetime, until: datetime | None
) -> tuple[datetime, datetime]:
    """The instants to read from and to: from ``synced_until`` (first time: the retention's
    days back, from a UTC midnight so that every day read is complete) to the last complete
    hour, or to ``until``; at most MAX_SPAN at once."""
    end = until or floor_hour(now)
    start = connector.synced_until or floor_day(
        now - timedelta(days=settings.VCIO_METRIC_RETENTION_DAYS)
    )
    return start, min(end, start + MAX_SPAN)


def sync(
    connector_id: int,
    now: datetime | None = None,
    *,
    until: datetime | None = None,
    sampling: Sampling = MINUTELY,
) -> SyncResult:
    """Read a connector's hourly (and complete days') rollups since it was last read.

    ``now`` (UTC) defaults to the present; the hours read end at the last
    complete one, or at ``until`` (an instant off the hour reads its hour
    unfinished, stored now and replaced by the next sync). ``sampling`` is
    how finely each hour is sampled (1 minute; tests use seconds). Returns
    a SyncResult; failures are recorded in ``last_error``, never raised, and
    leave the database as it was.
    """
    now = now or timezone.now()
    connector = PromConnector.objects.get(pk=connector_id)
    result = SyncResult(connector_id)
    start, end = _window(connector, now, until)
    result.start, result.end = start, end
    if end <= start:
        _record(connector, now, result, synced_until=None)
        return result
    api: PromAPI | None = None
    try:
        check_url_allowed(connector.base_url)
        expressions = Expressions(connector.selector, sampling)
        api = PromAPI(connector)
        fetched = fetch(api, expressions, start, end, sampling)
        # The unfinished hour is read again next time: synced_until stays on the hour.
        synced_until = max(floor_hour(end), start)
        with transaction.atomic():
            store(connector, fetched, end, synced_until, result)
            _record(connector, now, result, synced_until=synced_until)
    except (ConnectorError, ValueError) as exc:
        result.error = str(exc)[:500]
        _record(connector, now, result, synced_until=None)
    finally:
        if api is not None:
            api.close()
    return result


def _record(
    connector: PromConnector, now: datetime, result: SyncResult, synced_until: datetime | None
) -> None:
    """Save the run's outcome on the connector (only its own fields: a claim may be held)."""
    fields: dict[str, Any] = {"last_run_at": now, "last_error": result.error}
    if result.ok:
        fields.update(last_ok_at=now, last_samples=result.hourly)
        if synced_until is not None:
            fields["synced_until"] = synced_until
    PromConnector.objects.filter(pk=connector.pk).update(**fields)


# Claiming and the periodic job -----------------------------------------------------


def _claimable(now: datetime) -> QuerySet:
    """Enabled connectors that are due (NULL: never run) and whose lease is free or expired."""
    return PromConnector.objects.filter(
        Q(next_run_at__isnull=True) | Q(next_run_at__lte=now),
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        enabled=True,
    )


def claim_due(owner: str, limit: int, now: datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due connectors for ``owner``, oldest due first; their ids.

    The UPDATE repeats the due-and-free conditions, so a connector another
    worker took in between is left out; reading back the exact lease
    written tells which ones this worker got.
    """
    now = now or timezone.now()
    order = (F("next_run_at").asc(nulls_first=True), "pk")
    ids = list(_claimable(now).order_by(*order).values_list("pk", flat=True)[: max(0, limit)])
    if not ids:
        return []
    until = now + LEASE
    _claimable(now).filter(pk__in=ids).update(lease_until=until, claimed_by=owner)
    got = PromConnector.objects.filter(pk__in=ids, claimed_by=owner, lease_until=until)
    return sorted(got.values_list("pk", flat=True))


def release(connector_id: int, owner: str, now: datetime | None = None) -> None:
    """Free ``owner``'s claim and schedule the next run one interval after the last was due
    (from now when that is already past: a sync catches up on its own)."""
    now = now or timezone.now()
    connector = PromConnector.objects.filter(pk=connector_id, claimed_by=owner).first()
    if connector is None:
        return
    step = timedelta(seconds=connector.interval)
    following = (connector.next_run_at or now) + step
    if following <= now:
        following = now + step
    PromConnector.objects.filter(pk=connector_id, claimed_by=owner).update(
        next_run_at=following, lease_until=None, claimed_by=""
    )


def sync_due(owner: str | None = None, limit: int = CLAIM_BATCH) -> list[SyncResult]:
    """Claim the due connectors and sync each; returns their results."""
    owner = owner or f"{socket.gethostname()}:{os.getpid()}"
    results = []
    for connector_id in claim_due(owner, limit):
        try:
            results.append(sync(connector_id))
        finally:
            release(connector_id, owner)
    return results


def register() -> None:
    """Publish the connectors' periodic job to core's registry."""
    periodic_jobs.register(
        PeriodicJob(
            "capacity.connectors",
            sync_due,
            interval=300,
            description="Reads the hourly rollups of due Prometheus connectors (PromQL).",
        )
    )
