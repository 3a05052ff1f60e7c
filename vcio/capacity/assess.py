"""How hard each machine works, whether it is sized right, and when it runs out.

Everything here reads daily rollups (never raw samples), as of a day, in a
fixed number of queries for a client whatever its number of machines:

* **Usage** of a series over a window (7, 30 or 90 days ending on ``as_of``):
  p50 is the median of the daily means (a typical day), p95 the 95th
  percentile of the daily 95th percentiles (the busy hours of the busy
  days), max the highest sample.
* **Efficiency class** of a machine over ``VCIO_CAPACITY_CLASS_DAYS`` (30):
  *idle* when CPU p95 < ``VCIO_CAPACITY_IDLE_CPU`` (10 %) and memory p95 <
  ``VCIO_CAPACITY_IDLE_MEM`` (30 %): consolidate or downsize; *saturated*
  when CPU p95 > ``VCIO_CAPACITY_SATURATED_CPU`` (85 %) or memory p95 >
  ``VCIO_CAPACITY_SATURATED_MEM`` (90 %): upgrade; otherwise *right-sized*;
  *unknown* with fewer than ``MIN_CLASS_DAYS`` days of data. Each class
  carries the figures that put the machine in it.
* **Days until full** of each filesystem and of memory: the forecast of
  :mod:`vcio.capacity.forecast` on the daily maxima of the last 90 days,
  against ``VCIO_CAPACITY_FULL_SHARE`` (90 %).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.conf import settings

from vcio.capacity.forecast import Forecast, forecast
from vcio.capacity.metrics import CATALOGUE
from vcio.capacity.models import DailyRollup, Series

WINDOWS = (7, 30, 90)
FORECAST_DAYS = 90
MIN_CLASS_DAYS = 7

IDLE, RIGHT_SIZED, SATURATED, UNKNOWN = "idle", "right-sized", "saturated", "unknown"
EFFICIENCY_LABELS = {
    IDLE: "Idle",
    RIGHT_SIZED: "Right-sized",
    SATURATED: "Saturated",
    UNKNOWN: "Not enough data",
}


@dataclass(frozen=True)
class Usage:
    """A series over a window: shares (0..1) or the metric's unit; ``days`` with data."""

    p50: float
    p95: float
    max: float
    days: int


@dataclass(frozen=True)
class Thresholds:
    idle_cpu: float
    idle_mem: float
    saturated_cpu: float
    saturated_mem: float
    full_share: float
    class_days: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            idle_cpu=settings.VCIO_CAPACITY_IDLE_CPU,
            idle_mem=settings.VCIO_CAPACITY_IDLE_MEM,
            saturated_cpu=settings.VCIO_CAPACITY_SATURATED_CPU,
            saturated_mem=settings.VCIO_CAPACITY_SATURATED_MEM,
            full_share=settings.VCIO_CAPACITY_FULL_SHARE,
            class_days=settings.VCIO_CAPACITY_CLASS_DAYS,
        )


@dataclass
class Resource:
    """One series of a machine as the pages show it: usage per window, and its forecast."""

    series_id: int
    metric: str
    labels: str
    label: str  # e.g. "CPU", "Memory", "Disk /srv"
    usage: dict[int, Usage | None]
    forecast: Forecast | None = None
    size_bytes: float | None = None  # a disk's (or memory's) size, when reported


@dataclass
class MachineCapacity:
    """A machine's capacity as of a day: its resources, its class and why."""

    asset_id: int
    name: str
    kind: str
    cpu: Resource | None = None
    mem: Resource | None = None
    disks: list[Resource] = field(default_factory=list)
    efficiency: str = UNKNOWN
    evidence: str = ""

    @property
    def forecasts(self) -> list[Resource]:
        """Resources whose forecast crosses the threshold within the horizon, soonest first."""
        found = [r for r in [self.mem, *self.disks] if r and r.forecast and r.forecast.crossing]
        return sorted(found, key=lambda r: r.forecast.crossing)


def usage_of(rows: list[tuple[date, float, float, float]], end: date, days: int) -> Usage | None:
    """Usage over the ``days`` ending on ``end`` from (day, mean, p95, max) rows; None if empty."""
    start = end - timedelta(days=days - 1)
    inside = [r for r in rows if start <= r[0] <= end]
    if not inside:
        return None
    means = np.array([r[1] for r in inside])
    p95s = np.array([r[2] for r in inside])
    return Usage(
        p50=float(np.median(means)),
        p95=float(np.percentile(p95s, 95)),
        max=max(r[3] for r in inside),
        days=len(inside),
    )


def classify(cpu: Usage | None, mem: Usage | None, t: Thresholds) -> tuple[str, str]:
    """The efficiency class of a machine from its CPU and memory usage, and the evidence."""
    known = [u for u in (cpu, mem) if u is not None and u.days >= MIN_CLASS_DAYS]
    if not known:
        return UNKNOWN, f"fewer than {MIN_CLASS_DAYS} days of CPU and memory data"
    days = max(u.days for u in known)
    said = []
    if cpu is not None:
        said.append(f"CPU p95 {cpu.p95:.0%}")
    if mem is not None:
        said.append(f"memory p95 {mem.p95:.0%}")
    evidence = f"{' and '.join(said)} over {days} days"
    if (cpu and cpu.p95 > t.saturated_cpu) or (mem and mem.p95 > t.saturated_mem):
        return SATURATED, evidence
    if cpu and mem and cpu.p95 < t.idle_cpu and mem.p95 < t.idle_mem:
        return IDLE, evidence
    return RIGHT_SIZED, evidence


def resource_label(metric: str, labels: str) -> str:
    if metric == "fs":
        return f"Disk {labels.split('=', 1)[1]}" if "=" in labels else "Disk"
    return {"cpu": "CPU", "mem": "Memory"}.get(metric, CATALOGUE[metric].label)


def client_capacity(
    client_id: int, as_of: date, asset_ids: list[int] | None = None
) -> list[MachineCapacity]:
    """Every reporting machine of a client (or those of ``asset_ids``) as of ``as_of``.

    Three queries whatever the number of machines: series, their daily
    rollups over the last 90 days, and nothing else (asset names come with
    the series).
    """
    return clients_capacity([client_id], as_of, asset_ids)[client_id]


def clients_capacity(
    client_ids: list[int], as_of: date, asset_ids: list[int] | None = None
) -> dict[int, list[MachineCapacity]]:
    """:func:`client_capacity` for many clients at once: ``{client_id: machines}``."""
    t = Thresholds.from_settings()
    series = Series.objects.filter(
        client_id__in=client_ids, metric__in=("cpu", "mem", "fs", "fs_size", "mem_size")
    ).select_related("asset")
    if asset_ids is not None:
        series = series.filter(asset_id__in=asset_ids)
    series = list(series.only("pk", "client_id", "metric", "labels", "asset__name", "asset__kind"))
    rows = _daily_rows([s.pk for s in series], as_of)
    sizes = {
        (s.asset_id, s.metric.replace("_size", ""), s.labels): _last(rows.get(s.pk))
        for s in series
        if s.metric.endswith("_size")
    }
    machines: dict[int, MachineCapacity] = {}
    out: dict[int, list[MachineCapacity]] = {cid: [] for cid in client_ids}
    for s in series:
        if s.metric.endswith("_size"):
            continue
        machine = machines.get(s.asset_id)
        if machine is None:
            machine = machines[s.asset_id] = MachineCapacity(s.asset_id, s.asset.name, s.asset.kind)
            out[s.client_id].append(machine)
        _attach(
            machine, s, rows.get(s.pk, []), as_of, t, sizes.get((s.asset_id, s.metric, s.labels))
        )
    for machine in machines.values():
        machine.disks.sort(key=lambda r: r.labels)
        machine.efficiency, machine.evidence = classify(
            _window(machine.cpu, t.class_days), _window(machine.mem, t.class_days), t
        )
    for found in out.values():
        found.sort(key=lambda m: (m.name.lower(), m.asset_id))
    return out


def _window(resource: Resource | None, days: int) -> Usage | None:
    return resource.usage.get(days) if resource else None


def _last(rows) -> float | None:
    return rows[-1][3] if rows else None


def _daily_rows(series_ids: list[int], as_of: date) -> dict[int, list]:
    """(day, mean, p95, max) per series for the 90 days ending ``as_of``, oldest first."""
    start = as_of - timedelta(days=FORECAST_DAYS - 1)
    rows: dict[int, list] = defaultdict(list)
    found = (
        DailyRollup.objects.filter(series_id__in=series_ids, day__gte=start, day__lte=as_of)
        .order_by("series_id", "day")
        .values_list("series_id", "day", "mean", "p95", "max")
    )
    for sid, day, mean, p95, high in found:
        rows[sid].append((day, mean, p95, high))
    return rows


def _attach(machine: MachineCapacity, s: Series, rows: list, as_of: date, t: Thresholds, size):
    days = sorted({t.class_days, *WINDOWS})
    resource = Resource(
        s.pk,
        s.metric,
        s.labels,
        resource_label(s.metric, s.labels),
        {d: usage_of(rows, as_of, d) for d in days},
        size_bytes=size,
    )
    if CATALOGUE[s.metric].forecast and rows:
        resource.forecast = forecast([r[0] for r in rows], [r[3] for r in rows], t.full_share)
    if s.metric == "cpu":
        machine.cpu = resource
    elif s.metric == "mem":
        machine.mem = resource
    else:
        machine.disks.append(resource)
