"""What the capacity pages and the API both say about a machine: levels, days to full, order.

Pure functions over :class:`vcio.capacity.assess.MachineCapacity`: no query.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from vcio.capacity.assess import EFFICIENCY_LABELS, MachineCapacity, Resource, Usage
from vcio.capacity.forecast import ALREADY_FULL

# Cell colours of the heat map by p95 share: calm, busy, hot; no data is grey.
LEVELS = ((0.85, "hot"), (0.60, "busy"), (0.0, "calm"))


def today_utc() -> date:
    """The day capacity is assessed as of: rollups are UTC days."""
    return timezone.now().date()


def usage_in(resource: Resource | None, window: int) -> Usage | None:
    return resource.usage.get(window) if resource else None


def share_text(value: float | None) -> str:
    """``0.456`` → ``"46 %"``; None → ``"—"``."""
    return "—" if value is None else f"{value:.0%}".replace("%", " %")


def level(usage: Usage | None) -> str:
    """The heat-map class of a p95: ``calm``, ``busy``, ``hot`` or ``none``."""
    if usage is None:
        return "none"
    return next(name for floor, name in LEVELS if usage.p95 >= floor)


def full_text(resource: Resource) -> str:
    """When a disk or memory fills: "full on 2027-03-01 (2027-02-10 – 2027-04-02)" and the like."""
    f = resource.forecast
    if f is None or not f.enough_data:
        return "not enough data"
    if f.reason == ALREADY_FULL:
        return f"already above {f.threshold:.0%} full".replace("%", " %")
    if f.crossing is None:
        return f.reason or "not within a year"
    early = f.crossing_early.isoformat() if f.crossing_early else "?"
    late = f.crossing_late.isoformat() if f.crossing_late else "after a year"
    return f"full on {f.crossing.isoformat()} ({early} – {late})"


def soonest_full(machine: MachineCapacity) -> tuple[Resource | None, str]:
    """The resource of ``machine`` that fills first and its text; (None, why none) else."""
    if machine.forecasts:
        first = machine.forecasts[0]
        return first, f"{first.label} {full_text(first)}"
    known = [
        r for r in [machine.mem, *machine.disks] if r and r.forecast and r.forecast.enough_data
    ]
    return None, ("not within a year" if known else "not enough data")


def efficiency_label(machine: MachineCapacity) -> str:
    return EFFICIENCY_LABELS[machine.efficiency]


def _p95(resource: Resource | None, window: int) -> float:
    usage = usage_in(resource, window)
    return usage.p95 if usage else -1.0


def _disk_p95(machine: MachineCapacity, window: int) -> float:
    return max((_p95(d, window) for d in machine.disks), default=-1.0)


def _full_key(machine: MachineCapacity) -> date:
    soonest, _ = soonest_full(machine)
    return soonest.forecast.crossing if soonest else date.max


SORT_KEYS = {
    "name": lambda m, w, seen: m.name.lower(),
    "cpu": lambda m, w, seen: _p95(m.cpu, w),
    "mem": lambda m, w, seen: _p95(m.mem, w),
    "disk": lambda m, w, seen: _disk_p95(m, w),
    "full": lambda m, w, seen: _full_key(m),
    "class": lambda m, w, seen: m.efficiency,
    "seen": lambda m, w, seen: seen.get(m.asset_id) or datetime.min.replace(tzinfo=timezone.utc),
}


def sort_machines(
    machines: list[MachineCapacity], sort: str, window: int, seen: dict[int, datetime]
) -> list[MachineCapacity]:
    """``machines`` ordered by ``sort`` (a key of SORT_KEYS, ``-`` first for descending)."""
    key = SORT_KEYS[sort.lstrip("-")]
    return sorted(machines, key=lambda m: key(m, window, seen), reverse=sort.startswith("-"))
