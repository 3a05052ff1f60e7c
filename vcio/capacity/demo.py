"""Demo capacity data: 90 days of hourly and daily rollups for the demo clients' servers.

Written the way a Prometheus connector writes them (rollups only, no raw
samples), with business-hours and weekday patterns and a little noise. Each
client gets the stories a CIO looks for: its file server's data disk fills
up within the quarter, its SQL server is saturated, two servers idle (a
consolidation), the rest right-sized. Loaded after the inventory and before
the strategy demo, so the findings become recommendations, initiatives on
the roadmap and sections of the demo reviews.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from vcio.assets.models import Asset, AssetKind, AssetStatus
from vcio.capacity.models import DailyRollup, HourlyRollup, Series
from vcio.core.models import Client
from vcio.core.registry import DemoLoader, demo_loaders

DAYS = 90
TB = 1e12
GIB = 2**30
# role (the part of the asset's name after the client prefix) → its story.
FILLING, SATURATED, IDLE = "filling", "saturated", "idle"
STORIES = {"FS01": FILLING, "SQL01": SATURATED, "PRINT01": IDLE, "WSUS01": IDLE}
# How far an hour's peak rises above its mean: CPU spikes, memory and disks barely move.
SPIKE = {"cpu": (1.05, 1.35), "mem": (1.0, 1.03), "fs": (1.0, 1.002)}
MAX_MACHINES = 10


def _profile(hour: int, weekday: int) -> float:
    """0..1: how busy an office server is at this hour (UTC is close enough for a demo)."""
    if weekday >= 5:
        return 0.1
    return max(0.0, math.sin(math.pi * (hour - 7) / 11)) if 7 <= hour <= 18 else 0.05


def _cpu(level: float) -> Callable[[str, int, datetime, random.Random], float]:
    """CPU busy share of an hour for a machine whose office-hours swing is ``level``."""

    def value(story: str, hour_no: int, when: datetime, rng: random.Random) -> float:
        busy = _profile(when.hour, when.weekday())
        if story == SATURATED:
            month_end = 1.0 if when.day >= 26 else 0.0
            return min(0.99, 0.62 + 0.28 * busy + 0.06 * month_end + rng.uniform(-0.03, 0.03))
        if story == IDLE:
            return max(0.005, 0.02 + 0.02 * busy + rng.uniform(-0.005, 0.01))
        return max(0.01, 0.06 + level * busy + rng.uniform(-0.03, 0.04))

    return value


def _mem(level: float) -> Callable[[str, int, datetime, random.Random], float]:
    """Memory used share of an hour for a machine that idles at ``level``."""

    def value(story: str, hour_no: int, when: datetime, rng: random.Random) -> float:
        busy = _profile(when.hour, when.weekday())
        base = {SATURATED: 0.86, IDLE: 0.18}.get(story, level)
        return min(0.99, max(0.05, base + 0.05 * busy + rng.uniform(-0.01, 0.01)))

    return value


def _disk(start: float, per_day: float) -> Callable[[str, int, datetime, random.Random], float]:
    def value(story: str, hour_no: int, when: datetime, rng: random.Random) -> float:
        # Files come and go during the day: a few tenths of a point of noise on the trend.
        return min(0.995, start + per_day * hour_no / 24 + rng.uniform(-0.004, 0.004))

    return value


def _series_specs(machine: Asset, rng: random.Random) -> list[tuple[str, str, Callable, float]]:
    """(metric, labels, value of an hour, size in bytes or 0) for one machine."""
    story = STORIES.get(machine.name.rsplit("-", 1)[-1], "")
    windows = "windows" in machine.os_name.lower()
    system = "mountpoint=C:" if windows else "mountpoint=/"
    specs = [
        ("cpu", "", _cpu(rng.uniform(0.15, 0.45)), 0.0),
        ("mem", "", _mem(rng.uniform(0.35, 0.7)), 0.0),
        ("mem_size", "", None, (64 if story == SATURATED else rng.choice([16, 32])) * GIB),
        ("fs", system, _disk(rng.uniform(0.35, 0.6), 0.0004), rng.choice([0.25, 0.5]) * TB),
    ]
    if story == FILLING:
        # Rising ~0.33 points a day from 50 %: about 80 % today, 90 % in about a month.
        specs.append(("fs", "mountpoint=D:", _disk(0.50, 0.0033), 2 * TB))
    elif windows:
        specs.append(("fs", "mountpoint=D:", _disk(rng.uniform(0.3, 0.55), 0.0006), 1 * TB))
    return [(m, lab, fn, size) for m, lab, fn, size in specs]


def _rollups(series: Series, fn: Callable, story: str, start: datetime, rng, size: float):
    hourly, daily = [], []
    for day in range(DAYS):
        p95s, means, highs, lows = [], [], [], []
        for h in range(24):
            hour_no = day * 24 + h
            when = start + timedelta(hours=hour_no)
            mean = fn(story, hour_no, when, rng)
            high = min(1.0, mean * rng.uniform(*SPIKE[series.metric]))
            p95 = mean + 0.85 * (high - mean)
            low = mean * rng.uniform(0.85, 0.98)
            hourly.append(HourlyRollup(series=series, hour=when, min=low, max=high, mean=mean,
                                       p95=p95, count=60))  # fmt: skip
            p95s.append(p95), means.append(mean), highs.append(high), lows.append(low)
        daily.append(DailyRollup(series=series, day=(start + timedelta(days=day)).date(),
                                 min=min(lows), max=max(highs), mean=float(np.mean(means)),
                                 p95=float(np.percentile(p95s, 95)), count=1440))  # fmt: skip
    return hourly, daily


def _size_rollups(series: Series, size: float, start: datetime) -> list[DailyRollup]:
    return [
        DailyRollup(
            series=series,
            day=(start + timedelta(days=d)).date(),
            min=size,
            max=size,
            mean=size,
            p95=size,
            count=1440,
        )  # fmt: skip
        for d in range(DAYS)
    ]


def load_client(client: Client, now: datetime) -> str:
    """90 days of rollups for up to MAX_MACHINES of ``client``'s servers; idempotent."""
    if Series.objects.filter(client=client).exists():
        return "already loaded"
    machines = list(
        Asset.objects.filter(
            client=client, kind__in=[AssetKind.SERVER, AssetKind.VIRTUAL_MACHINE],
            status=AssetStatus.IN_USE,
        ).order_by("name")
    )  # fmt: skip
    # The story machines first, then others up to the cap.
    machines.sort(key=lambda a: (a.name.rsplit("-", 1)[-1] not in STORIES, a.name))
    machines = machines[:MAX_MACHINES]
    rng = random.Random(client.slug)
    end = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=DAYS)
    hourly, daily = [], []
    for machine in machines:
        story = STORIES.get(machine.name.rsplit("-", 1)[-1], "")
        for metric, labels, fn, size in _series_specs(machine, rng):
            if fn is None:  # a size alone (memory): constant, daily rollups only
                daily += _size_rollups(_series(client, machine, metric, labels, end), size, start)
                continue
            series = _series(client, machine, metric, labels, end)
            h, d = _rollups(series, fn, story, start, rng, size)
            hourly += h
            daily += d
            series.last_value, series.last_at = h[-1].mean, h[-1].hour
            series.save(update_fields=["last_value", "last_at"])
            if size:
                daily += _size_rollups(
                    _series(client, machine, "fs_size", labels, end), size, start
                )
    HourlyRollup.objects.bulk_create(hourly, batch_size=5000)
    DailyRollup.objects.bulk_create(daily, batch_size=5000)
    return f"{len(machines)} servers, {len(hourly):,} hourly and {len(daily):,} daily rollups"


def _series(client: Client, machine: Asset, metric: str, labels: str, end: datetime) -> Series:
    return Series.objects.create(
        client=client, asset=machine, metric=metric, labels=labels, rolled_until=end
    )


def load_capacity(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    now = timezone.now()
    for client in Client.objects.filter(slug__in=["acme", "globex", "initech"]).order_by("name"):
        with transaction.atomic():
            log(f"{client.name}: {load_client(client, now)}")


def register() -> None:
    # After the inventory (20) and before strategy (40), which turns findings into initiatives.
    demo_loaders.register(DemoLoader("capacity", load_capacity, order=30))
