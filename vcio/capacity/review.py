"""What the capacity app brings to a review: the capacity section and the capacity score.

Both read :func:`vcio.capacity.assess.clients_capacity`, i.e. daily rollups
as of the review's day, never raw samples. The section stores plain JSON
(each machine's class, p95s and soonest "full" date), so a finalised review
reads the same a year later and the next one can say what moved.
"""

from __future__ import annotations

import datetime
from typing import Any

from vcio.capacity.assess import (
    EFFICIENCY_LABELS,
    IDLE,
    SATURATED,
    UNKNOWN,
    MachineCapacity,
    Resource,
    Thresholds,
    clients_capacity,
)
from vcio.capacity.figures import (
    capacity_as_of,
    client_rows,
    days_of_disk_left,
    reporting,
    servers,
)
from vcio.core.numbers import format_number, round_float
from vcio.core.registry import (
    Change,
    HealthComponent,
    ReportSection,
    ReviewPeriod,
    SubScore,
    health_components,
    report_sections,
)

SECTION = "capacity"
FULLER_POINTS = 5.0  # a disk's 30-day p95 up this many points is "fuller"
MOVED_DAYS = 14  # a forecast that moved this many days earlier or later is news
FILLING_DAYS = 90  # "filling up": full within this many days


def _pct(share: float | None) -> float | None:
    return None if share is None else round_float(100 * share, 1)


def _pct_text(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value)} %"


def _date_text(iso: str) -> str:
    return f"{datetime.date.fromisoformat(iso):%d %b %Y}"


def _p95(resource: Resource | None, days: int) -> float | None:
    usage = resource.usage.get(days) if resource else None
    return _pct(usage.p95) if usage else None


def _soonest(machine: MachineCapacity) -> dict[str, Any] | None:
    found = machine.forecasts
    if not found:
        return None
    r = found[0]
    fc = r.forecast
    text = "full now" if fc.days_left == 0 else f"full in ~{fc.days_left} days"
    return {
        "resource": r.label,
        "crossing": fc.crossing.isoformat(),
        "days_left": fc.days_left,
        "text": f"{r.label} {text} ({fc.crossing:%d %b %Y})",
    }


def _forecasts(machine: MachineCapacity) -> dict[str, str]:
    """Each resource's crossing date ({label: ISO date}), for "forecast moved" next time."""
    return {r.label: r.forecast.crossing.isoformat() for r in machine.forecasts}


def _machine_row(machine: MachineCapacity, days: int) -> dict[str, Any]:
    disks = {d.label: _p95(d, days) for d in machine.disks}
    fullest = max(
        ((label, p) for label, p in disks.items() if p is not None),
        key=lambda lp: lp[1],
        default=None,
    )
    return {
        "id": machine.asset_id,
        "name": machine.name,
        "kind": machine.kind,
        "class": machine.efficiency,
        "class_label": EFFICIENCY_LABELS[machine.efficiency],
        "evidence": machine.evidence,
        "cpu_p95": _p95(machine.cpu, days),
        "mem_p95": _p95(machine.mem, days),
        "cpu_text": _pct_text(_p95(machine.cpu, days)),
        "mem_text": _pct_text(_p95(machine.mem, days)),
        "disks": disks,
        "fullest_disk_text": f"{fullest[0]} at {_pct_text(fullest[1])}" if fullest else "–",
        "soonest": _soonest(machine),
        "forecasts": _forecasts(machine),
    }


def collect(period: ReviewPeriod) -> dict[str, Any]:
    """Each reporting machine as of the review's day; ``{}`` when none reports metrics.

    Shares in % (p95 over the last 30 days), dates as ISO strings, each with
    a ready-to-read text. Two queries whatever the number of machines.
    """
    machines = reporting(clients_capacity([period.client_id], period.today)[period.client_id])
    if not machines:
        return {}
    days = Thresholds.from_settings().class_days
    rows = [_machine_row(m, days) for m in machines]
    # The machines a leader must hear about first: soonest full, then saturated, then by name.
    rows.sort(
        key=lambda r: (
            r["soonest"]["days_left"] if r["soonest"] else 10**6,
            r["class"] != SATURATED,
            r["name"].lower(),
        )
    )
    return {
        "as_of": period.today.isoformat(),
        "as_of_text": f"{period.today:%d %b %Y}",
        "window_days": days,
        "machines": rows,
        "saturated": sum(r["class"] == SATURATED for r in rows),
        "idle": sum(r["class"] == IDLE for r in rows),
        "filling": sum(
            1 for r in rows if r["soonest"] and r["soonest"]["days_left"] <= FILLING_DAYS
        ),
    }


# What changed -----------------------------------------------------------------------


def _change(kind: str, text: str, direction: str) -> Change:
    return Change(section=SECTION, kind=kind, text=text, direction=direction)


def _class_changes(before: dict, row: dict) -> list[Change]:
    if row["class"] == SATURATED and before["class"] != SATURATED:
        return [
            _change(
                "capacity.saturated",
                f"{row['name']} is now saturated ({row['evidence']}): it needs an upgrade.",
                "worse",
            )
        ]
    if before["class"] == SATURATED and row["class"] not in (SATURATED, UNKNOWN):
        return [
            _change(
                "capacity.unsaturated",
                f"{row['name']} is no longer saturated ({row['evidence']}).",
                "better",
            )
        ]
    return []


def _disk_changes(before: dict, row: dict) -> list[Change]:
    found = []
    for label, now in row["disks"].items():
        then = before.get("disks", {}).get(label)
        if now is not None and then is not None and now - then >= FULLER_POINTS:
            found.append(
                _change(
                    "capacity.disk_fuller",
                    f"{label} of {row['name']} got fuller: {_pct_text(then)} → {_pct_text(now)} "
                    "at its busiest.",
                    "worse",
                )
            )
    return found


def _forecast_changes(before: dict, row: dict, end: datetime.date | None = None) -> list[Change]:
    """Forecasts new, moved by MOVED_DAYS or more, or gone; ``end`` is the review's last day.

    A resource full at both reviews (both dates on or before ``end``) has not
    "moved": its crossing date is simply the day it was last seen full.
    """
    found = []
    then_all = before.get("forecasts", {})
    for label, now in row["forecasts"].items():
        then = then_all.get(label)
        if then is None:
            found.append(
                _change(
                    "capacity.forecast_new",
                    f"{label} of {row['name']} is now forecast to be full by {_date_text(now)}.",
                    "worse",
                )
            )
            continue
        now_day, then_day = datetime.date.fromisoformat(now), datetime.date.fromisoformat(then)
        if end is not None and now_day <= end and then_day <= end:
            continue
        moved = (now_day - then_day).days
        if abs(moved) >= MOVED_DAYS:
            earlier = moved < 0
            found.append(
                _change(
                    "capacity.forecast_moved",
                    f"{label} of {row['name']} will be full {abs(moved)} days "
                    f"{'earlier' if earlier else 'later'} than forecast last time: "
                    f"{_date_text(now)} instead of {_date_text(then)}.",
                    "worse" if earlier else "better",
                )
            )
    for label, then in then_all.items():
        if label not in row["forecasts"]:
            found.append(
                _change(
                    "capacity.forecast_gone",
                    f"{label} of {row['name']} is no longer forecast to be full within a year "
                    f"(it was: {_date_text(then)}).",
                    "better",
                )
            )
    return found


def changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """New and ended saturation, fuller disks, moved forecasts and newly reporting machines.

    On a first review (or the first with capacity data) only the saturated
    machines and the forecasts within the section's horizon show.
    """
    before = {row["id"]: row for row in (previous or {}).get("machines", [])}
    found: list[Change] = []
    for row in current.get("machines", []):
        then = before.get(row["id"])
        if then is None:
            if before:
                found.append(
                    _change(
                        "capacity.new_machine",
                        f"{row['name']} now reports its capacity ({row['class_label'].lower()}).",
                        "neutral",
                    )
                )
            found += _class_changes({"class": UNKNOWN}, row)
            found += _forecast_changes({}, row)
            continue
        found += _class_changes(then, row) + _disk_changes(then, row)
        found += _forecast_changes(then, row, period.end)
    return found


# Health -----------------------------------------------------------------------------


def _server_score(machine: MachineCapacity) -> float | None:
    """100, minus 50 when saturated, minus 50 when a disk is full within 30 days (or now)."""
    left = days_of_disk_left(machine)
    short = left is not None and left < 30
    if machine.efficiency == UNKNOWN and not short:
        return None
    return 100.0 - 50 * (machine.efficiency == SATURATED) - 50 * short


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _explain(scored: list[MachineCapacity]) -> str:
    sat = [m.name for m in scored if m.efficiency == SATURATED]
    short = [m.name for m in scored if (d := days_of_disk_left(m)) is not None and d < 30]
    total = _plural(len(scored), "server", "servers")
    if not sat and not short and len(scored) == 1:
        return f"{scored[0].name} has headroom: not saturated, no disk full within 30 days."
    if not sat and not short:
        return f"All {total} have headroom: none saturated, no disk full within 30 days."
    parts = []
    if sat:
        parts.append(f"{_plural(len(sat), 'is', 'are')} saturated ({', '.join(sat[:3])})")
    if short:
        parts.append(
            f"{_plural(len(short), 'has', 'have')} a disk full within 30 days "
            f"({', '.join(short[:3])})"
        )
    return f"Of {total}, " + "; ".join(parts) + "."


def health(client_ids: list[int], today: datetime.date | None = None) -> dict[int, SubScore]:
    """Each client's server headroom, 0–100, as of ``today`` (None: each client's today).

    The mean over its servers (and VMs) of 100, minus 50 for a saturated one
    and 50 for one with a disk full within 30 days (so a server with both
    scores 0). Servers with too little data to class and no disk forecast
    are left out; a client with no server that can be scored gets ``None``
    (left out of the composite). Three queries.
    """
    result: dict[int, SubScore] = {}
    for cid, (_day, machines) in capacity_as_of(client_rows(client_ids), today).items():
        found = servers(machines)
        if not found:
            result[cid] = SubScore(None, "No server reports capacity metrics yet.")
            continue
        scored = [(m, s) for m in found if (s := _server_score(m)) is not None]
        if not scored:
            result[cid] = SubScore(None, "Too few days of capacity data to score yet.")
            continue
        score = sum(s for _m, s in scored) / len(scored)
        result[cid] = SubScore(round_float(score, 1), _explain([m for m, _s in scored]))
    return result


def register() -> None:
    report_sections.register(
        ReportSection(
            key=SECTION,
            title="Capacity: servers, disks and memory",
            collect=collect,
            changes=changes,
            template="capacity/report_section.html",
            order=35,
            app="capacity",
        )
    )
    health_components.register(
        HealthComponent(
            key="capacity", label="Capacity headroom", weight=15, compute=health, app="capacity"
        )
    )
