"""Evidence rules the capacity app answers assessment items with.

``capacity.disk_headroom``: the disks (filesystems) of every machine that
reports metrics, servers and workstations alike, that have headroom on
``at``: their highest use over the 7 days to ``at`` stayed under 90 %
(``figures.DISK_OVER``, what the "disks over 90 %" figure counts) and the
forecast of :mod:`vcio.capacity.assess` does not see them full (90 % used)
within 90 days. A disk with no sample in those 7 days is not judged (its
machine stopped reporting). Aligned when every disk judged has headroom,
partly from 90 %; no disk judged: no data.

Runs :func:`vcio.capacity.figures.capacity_as_of`: one query for the
clients, two for the machines' series and rollups as of ``at`` (two per
distinct day among the clients when ``at`` is None).
"""

from __future__ import annotations

import datetime
from typing import Any

from vcio.capacity.assess import MachineCapacity, Resource
from vcio.capacity.figures import DISK_OVER, capacity_as_of, client_rows, machine_url, reporting
from vcio.core.evidence import plural, share_result, verb
from vcio.core.registry import EvidenceResult, EvidenceRow, EvidenceRule, evidence_rules

HEADROOM_DAYS = 90
Results = dict[int, EvidenceResult]


def disk_headroom(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Disks with headroom (under 90 % used, not full within 90 days), per client."""
    clients = client_rows(client_ids)
    found = capacity_as_of(clients, at)
    result: Results = {}
    for cid in client_ids:
        machines = reporting(found[cid][1]) if cid in found else []
        result[cid] = _headroom_result(machines, clients.get(cid, {}))
    return result


def _share(fraction: float) -> str:
    """A used fraction as people read it: 0.934 → "93 %"."""
    return f"{fraction * 100:.0f} %"


def _problem(disk: Resource) -> str:
    """Why a disk lacks headroom, or "" when it has it."""
    used = disk.usage[7].max
    fc = disk.forecast
    soon = fc is not None and fc.crossing is not None and fc.days_left < HEADROOM_DAYS
    if used >= DISK_OVER:
        return f"{_share(used)} used"
    if soon:
        away = plural(fc.days_left, "day")
        return f"{_share(used)} used, forecast full on {fc.crossing}, {away} away"
    return ""


def _disk_rows(machine: MachineCapacity, slug: str) -> list[EvidenceRow]:
    url = machine_url(slug, machine.asset_id)
    rows = []
    for disk in machine.disks:
        if disk.usage.get(7) is None:
            continue
        label = f"{disk.label} on {machine.name}"
        problem = _problem(disk)
        if problem:
            rows.append(EvidenceRow(label, problem, url))
        else:
            rows.append(EvidenceRow(label, f"{_share(disk.usage[7].max)} used", url, ok=True))
    return rows


def _headroom_result(machines: list[MachineCapacity], client: dict[str, Any]) -> EvidenceResult:
    rows = [row for m in machines for row in _disk_rows(m, client["slug"])]
    if not rows:
        return EvidenceResult("no_data", "No machine reports disk usage.", counts={"total": 0})
    bad = [r for r in rows if not r.ok]
    good = [r for r in rows if r.ok]
    total = len(rows)
    head = (
        f"{len(good)} of {plural(total, 'disk')} {verb(len(good), 'has', 'have')} headroom "
        f"(under {_share(DISK_OVER)} used and not forecast full within {HEADROOM_DAYS} days)"
    )
    return share_result(good, bad, head, ("does", "do"), 1.0, 0.9)


RULES = [
    EvidenceRule(
        "capacity.disk_headroom",
        "Disks have headroom",
        disk_headroom,
        app="capacity",
        description=f"Disks of the machines reporting metrics that stayed under "
        f"{_share(DISK_OVER)} used over the last 7 days and are not forecast full within "
        f"{HEADROOM_DAYS} days. Aligned when all do, partly from 90 %.",
    ),
]


def register() -> None:
    for rule in RULES:
        evidence_rules.register(rule)
