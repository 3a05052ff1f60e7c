"""Recommendations the capacity app derives from usage, efficiency classes and forecasts.

Four generators, each batched over many clients in a fixed number of queries
(clients, then :func:`clients_capacity`'s two per distinct day, plus one for
policies or for a year of CPU and memory rollups where needed):

* a disk that will be full soon: add space, sized to keep it under 70 % for a
  year at its current growth ("capacity.disk_full.<series id>");
* memory that will be full soon: add memory, the same way
  ("capacity.memory_full.<asset id>");
* a machine saturated month after month: upgrade it, at its lifecycle
  policy's replacement cost ("capacity.saturated.<asset id>");
* two or more idle servers: consolidate them, saving all but one's running
  costs ("capacity.consolidate", one per client).

Prices are the practice's price list in US dollars, converted to the
client's currency by the lifecycle defaults' purchasing-power factors
(:data:`vcio.assets.policies.CURRENCY_FACTOR`); a currency without a factor
gets no cost rather than a made-up one. Each reads a setting when present:
``VCIO_CAPACITY_DISK_PRICE_PER_TB``, ``VCIO_CAPACITY_MEMORY_PRICE_PER_GB``,
``VCIO_CAPACITY_SERVER_RUN_COST_PER_YEAR``, ``VCIO_CAPACITY_UPGRADE_COST``.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings

from vcio.assets.policies import CURRENCY_FACTOR, policies_for_clients
from vcio.capacity.assess import (
    IDLE,
    SATURATED,
    MachineCapacity,
    Resource,
    Thresholds,
    classify,
    usage_of,
)
from vcio.capacity.figures import capacity_as_of, client_rows, machine_url, servers
from vcio.capacity.models import DailyRollup
from vcio.core.registry import (
    RecommendationDraft,
    RecommendationGenerator,
    recommendation_generators,
)
from vcio.core.templatetags.vcio_format import format_money

# The practice price list (US dollars, business-grade parts installed), overridable by settings.
DISK_PRICE_PER_TB = Decimal("200")  # enterprise SSD/HDD capacity in a server or SAN
MEMORY_PRICE_PER_GB = Decimal("10")  # registered server DIMMs
# Power, cooling, backup, monitoring, patching and support of one server for a year.
SERVER_RUN_COST_PER_YEAR = Decimal("1500")
# An upgrade when the machine's lifecycle policy has no replacement cost (e.g. a VM's host).
UPGRADE_COST = Decimal("3000")

TB = 10**12  # disks are sold in decimal terabytes
GIB = 2**30  # memory in binary gigabytes
MEMORY_STEP_GB = 8  # memory is added in pairs of 4 GB DIMMs at least
TARGET_SHARE = 0.7  # after the addition, a year of growth keeps the disk under 70 %
PLAN_DAYS = 365
SOON_DAYS = 180  # a disk or memory forecast to be full within this many days is flagged
MAX_MONTHS = 12  # saturated windows looked back at
# Person-days, rough practice estimates: add a disk or extend a volume; add DIMMs in a
# maintenance window; specify, buy and migrate a bigger machine; move one server's workload.
DISK_DAYS = Decimal("0.5")
MEMORY_DAYS = Decimal("0.5")
UPGRADE_DAYS = Decimal("2")
CONSOLIDATE_DAYS = Decimal("1")


def price(name: str, default: Decimal, currency: str) -> Decimal | None:
    """A price list entry (setting ``name`` or ``default``, USD) in ``currency``; None: unknown."""
    factor = CURRENCY_FACTOR.get((currency or "").upper())
    if factor is None:
        return None
    return Decimal(str(getattr(settings, name, default))) * factor


def risk_for(days_left: int) -> str:
    """Critical within a week (or full), high within 30 days, medium within 90, else low."""
    if days_left <= 7:
        return "critical"
    if days_left < 30:
        return "high"
    if days_left < 90:
        return "medium"
    return "low"


def bytes_needed(size: float, level: float, slope: float) -> float:
    """Bytes to add so that a year at ``slope`` (share/day) keeps use under 70 % of the new size.

    Used in a year = (level + slope × 365) × size; the new size must be that
    over 0.7. Never less than zero.
    """
    used_in_a_year = (level + max(slope, 0.0) * PLAN_DAYS) * size
    return max(used_in_a_year / TARGET_SHARE - size, 0.0)


def tb_step(needed_bytes: float) -> Decimal:
    """Terabytes to buy: quarters of a TB up to 1 TB, then whole TB, always at least 0.25."""
    tb = needed_bytes / TB
    if tb <= 1:
        return Decimal(max(math.ceil(tb * 4 - 1e-9), 1)) / 4
    return Decimal(math.ceil(tb - 1e-9))


def gb_step(needed_bytes: float) -> int:
    """Gigabytes of memory to buy: whole multiples of 8 GB, at least 8."""
    return max(math.ceil(needed_bytes / GIB / MEMORY_STEP_GB - 1e-9), 1) * MEMORY_STEP_GB


def growth(fc) -> float:
    """A forecast's slope (share per day), 0 when none was fitted (too few days, already full)."""
    return 0.0 if math.isnan(fc.slope) else max(fc.slope, 0.0)


def _pct(share: float | None) -> float | None:
    return None if share is None or math.isnan(share) else round(100 * share, 1)


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _range(resource: Resource) -> str:
    """ "35–60" days: from the band's upper edge crossing to its lower edge's ("365+": later)."""
    fc = resource.forecast
    early = (fc.crossing_early - fc.today).days if fc.crossing_early else fc.days_left
    late = f"{(fc.crossing_late - fc.today).days}" if fc.crossing_late else "365+"
    return f"{max(early, 0)}–{late}"


def _tb_text(tb: Decimal) -> str:
    return f"{tb.normalize():f} TB"


def _forecast_evidence(machine: MachineCapacity, resource: Resource, url: str) -> dict[str, Any]:
    fc = resource.forecast
    usage = resource.usage.get(30)
    return {
        "asset_id": machine.asset_id,
        "machine": machine.name,
        "series_id": resource.series_id,
        "metric": resource.metric,
        "labels": resource.labels,
        "resource": resource.label,
        "level_pct": _pct(fc.level),
        "slope_pct_per_day": round(100 * fc.slope, 3) if not math.isnan(fc.slope) else None,
        "threshold_pct": _pct(fc.threshold),
        "fitted_since": _iso(fc.fitted_since),
        "today": _iso(fc.today),
        "crossing": _iso(fc.crossing),
        "crossing_early": _iso(fc.crossing_early),
        "crossing_late": _iso(fc.crossing_late),
        "days_left": fc.days_left,
        "p95_30d_pct": _pct(usage.p95) if usage else None,
        "size_bytes": resource.size_bytes,
        "url": url,
    }


def _soon(resource: Resource | None) -> bool:
    fc = resource.forecast if resource else None
    return bool(fc and fc.crossing and fc.days_left is not None and fc.days_left <= SOON_DAYS)


def _full_in(resource: Resource) -> str:
    fc = resource.forecast
    if fc.days_left == 0:
        return "full already"
    spread = _range(resource)
    if spread == f"{fc.days_left}–{fc.days_left}":  # a band too narrow to show
        return f"full in ~{fc.days_left} days"
    return f"full in ~{fc.days_left} days ({spread})"


# Disks -----------------------------------------------------------------------------------


def _disk_draft(client: dict, machine: MachineCapacity, disk: Resource) -> RecommendationDraft:
    fc = disk.forecast
    url = machine_url(client["slug"], machine.asset_id)
    evidence = _forecast_evidence(machine, disk, url)
    name = f"{machine.name} {disk.label.removeprefix('Disk ')}".strip()
    title = f"{name} {_full_in(disk)}"
    if fc.days_left == 0:
        why = (
            f"{disk.label} of {machine.name} is {_pct(fc.level)} % full: over "
            f"{_pct(fc.threshold):.0f} % since {fc.crossing:%d %B %Y}."
        )
    else:
        why = (
            f"{disk.label} of {machine.name} is {_pct(fc.level)} % full today and grows by "
            f"{100 * growth(fc):.2f} points a day; at that pace it reaches "
            f"{_pct(fc.threshold):.0f} % on {fc.crossing:%d %B %Y} (between {_range(disk)} "
            "days from now, 80 % likely)."
        )
    cost = Decimal("0")
    if disk.size_bytes:
        tb = tb_step(bytes_needed(disk.size_bytes, fc.level, growth(fc)))
        per_tb = price("VCIO_CAPACITY_DISK_PRICE_PER_TB", DISK_PRICE_PER_TB, client["currency"])
        title += f": add {_tb_text(tb)}"
        evidence.update(add_tb=str(tb), price_per_tb=str(per_tb) if per_tb is not None else None)
        why += (
            f" Adding {_tb_text(tb)} to its {disk.size_bytes / TB:.2f} TB keeps it under "
            f"{TARGET_SHARE:.0%} for a year at the same growth."
        )
        if per_tb is not None:
            cost = (tb * per_tb).quantize(Decimal("1"))
            title += f", ~{format_money(cost, client['currency'])}"
        else:
            why += f" No price is known in {client['currency']}."
    else:
        title += ": add space"
        why += " Its size is not reported, so how much to add is not estimated."
    why += " When a disk fills, the applications writing to it stop."
    return RecommendationDraft(
        key=f"capacity.disk_full.{disk.series_id}",
        client_id=client["id"],
        title=title,
        why=why,
        category="capacity",
        source_app="capacity",
        risk=risk_for(fc.days_left),
        evidence_url=url,
        evidence=evidence,
        one_time_cost=cost,
        effort_days=DISK_DAYS,
        due_date=fc.crossing,
    )


def disk_full(client_ids: list[int], at: datetime.date | None = None) -> list[RecommendationDraft]:
    """One draft per disk forecast to be full within 180 days of ``at`` (None: client's today)."""
    clients = client_rows(client_ids)
    drafts = []
    for cid, (_day, machines) in capacity_as_of(clients, at).items():
        for machine in machines:
            for disk in machine.disks:
                if _soon(disk):
                    drafts.append(_disk_draft(clients[cid], machine, disk))
    return drafts


# Memory ----------------------------------------------------------------------------------


def _memory_draft(client: dict, machine: MachineCapacity) -> RecommendationDraft:
    mem = machine.mem
    fc = mem.forecast
    url = machine_url(client["slug"], machine.asset_id)
    evidence = _forecast_evidence(machine, mem, url)
    title = f"{machine.name} memory {_full_in(mem)}"
    if fc.days_left == 0:
        why = (
            f"{machine.name} uses {_pct(fc.level)} % of its memory at its peaks, over "
            f"{_pct(fc.threshold):.0f} % since {fc.crossing:%d %B %Y}."
        )
    else:
        why = (
            f"{machine.name} uses {_pct(fc.level)} % of its memory at its peaks and the peaks "
            f"grow by {100 * growth(fc):.2f} points a day: they reach "
            f"{_pct(fc.threshold):.0f} % on {fc.crossing:%d %B %Y}."
        )
    why += (
        " Past that the machine swaps to disk and slows down, or applications are stopped "
        "for lack of memory."
    )
    cost = Decimal("0")
    if mem.size_bytes:
        gb = gb_step(bytes_needed(mem.size_bytes, fc.level, growth(fc)))
        per_gb = price("VCIO_CAPACITY_MEMORY_PRICE_PER_GB", MEMORY_PRICE_PER_GB, client["currency"])
        title += f": add {gb} GB"
        evidence.update(add_gb=gb, price_per_gb=str(per_gb) if per_gb is not None else None)
        why += (
            f" Adding {gb} GB to its {mem.size_bytes / GIB:.0f} GB keeps it under "
            f"{TARGET_SHARE:.0%} for a year at the same growth."
        )
        if per_gb is not None:
            cost = (gb * per_gb).quantize(Decimal("1"))
            title += f", ~{format_money(cost, client['currency'])}"
    else:
        title += ": add memory"
    return RecommendationDraft(
        key=f"capacity.memory_full.{machine.asset_id}",
        client_id=client["id"],
        title=title,
        why=why,
        category="capacity",
        source_app="capacity",
        risk=risk_for(fc.days_left),
        evidence_url=url,
        evidence=evidence,
        one_time_cost=cost,
        effort_days=MEMORY_DAYS,
        due_date=fc.crossing,
    )


def memory_full(
    client_ids: list[int], at: datetime.date | None = None
) -> list[RecommendationDraft]:
    """One draft per machine whose memory is forecast to be full within 180 days."""
    clients = client_rows(client_ids)
    return [
        _memory_draft(clients[cid], machine)
        for cid, (_day, machines) in capacity_as_of(clients, at).items()
        for machine in machines
        if _soon(machine.mem)
    ]


# Saturation ------------------------------------------------------------------------------


def _year_of_rows(
    series_ids: list[int], first: datetime.date, last: datetime.date
) -> dict[int, list]:
    """(day, mean, p95, max) rows per series between two days, oldest first: one query."""
    rows: dict[int, list] = defaultdict(list)
    found = (
        DailyRollup.objects.filter(series_id__in=series_ids, day__gte=first, day__lte=last)
        .order_by("series_id", "day")
        .values_list("series_id", "day", "mean", "p95", "max")
    )
    for sid, day, mean, p95, high in found:
        rows[sid].append((day, mean, p95, high))
    return rows


def months_saturated(cpu_rows: list, mem_rows: list, as_of: datetime.date, t: Thresholds) -> int:
    """Consecutive windows of ``t.class_days`` (30) ending ``as_of``, going back, saturated in each.

    Each window is classed the way the machine is classed today
    (:func:`classify` on that window's usage); at most ``MAX_MONTHS``.
    """
    count = 0
    for n in range(MAX_MONTHS):
        end = as_of - datetime.timedelta(days=n * t.class_days)
        cpu, mem = usage_of(cpu_rows, end, t.class_days), usage_of(mem_rows, end, t.class_days)
        if classify(cpu, mem, t)[0] != SATURATED:
            break
        count += 1
    return count


def _saturated_draft(
    client: dict, machine: MachineCapacity, months: int, cost: Decimal | None, source: str
) -> RecommendationDraft:
    url = machine_url(client["slug"], machine.asset_id)
    running = f"{months} months running" if months > 1 else "this past month"
    why = (
        f"{machine.name} ran out of headroom {running}: {machine.evidence}. In its busy hours "
        "users wait on it; adding load (more users, a bigger database) makes it worse."
    )
    if cost is not None:
        why += f" A replacement or upgrade costs about {format_money(cost, client['currency'])}"
        why += f" ({source})."
    return RecommendationDraft(
        key=f"capacity.saturated.{machine.asset_id}",
        client_id=client["id"],
        title=f"{machine.name} saturated {running}: upgrade",
        why=why,
        category="capacity",
        source_app="capacity",
        risk="high",
        evidence_url=url,
        evidence={
            "asset_id": machine.asset_id,
            "machine": machine.name,
            "kind": machine.kind,
            "months_saturated": months,
            "class_evidence": machine.evidence,
            "cpu_p95_pct": _pct(machine.cpu.usage[30].p95) if _has(machine.cpu) else None,
            "mem_p95_pct": _pct(machine.mem.usage[30].p95) if _has(machine.mem) else None,
            "cost_source": source,
            "url": url,
        },
        one_time_cost=cost or Decimal("0"),
        effort_days=UPGRADE_DAYS,
    )


def _has(resource: Resource | None) -> bool:
    return bool(resource and resource.usage.get(30))


def saturated(client_ids: list[int], at: datetime.date | None = None) -> list[RecommendationDraft]:
    """One draft per machine saturated today, with how many 30-day windows in a row it has been.

    Costed at the replacement cost of the asset kind's lifecycle policy (the
    client's, or vcio's default), else at the upgrade price. Two queries on
    top of the capacity's: lifecycle policies and a year of CPU and memory
    rollups of the saturated machines.
    """
    t = Thresholds.from_settings()
    clients = client_rows(client_ids)
    found = [
        (cid, day, m)
        for cid, (day, machines) in capacity_as_of(clients, at).items()
        for m in machines
        if m.efficiency == SATURATED
    ]
    if not found:
        return []
    ids = [r.series_id for _c, _d, m in found for r in (m.cpu, m.mem) if r]
    first = min(d for _c, d, _m in found) - datetime.timedelta(days=MAX_MONTHS * t.class_days)
    rows = _year_of_rows(ids, first, max(d for _c, d, _m in found))
    policies = policies_for_clients({cid: clients[cid]["currency"] for cid, _d, _m in found})
    drafts = []
    for cid, day, machine in found:
        cpu_rows = rows.get(machine.cpu.series_id, []) if machine.cpu else []
        mem_rows = rows.get(machine.mem.series_id, []) if machine.mem else []
        months = max(months_saturated(cpu_rows, mem_rows, day, t), 1)
        policy = policies[cid].get(machine.kind)
        if policy and policy.replacement_cost is not None:
            cost, source = policy.replacement_cost, f"the {policy.source} lifecycle policy"
        else:
            cost = price("VCIO_CAPACITY_UPGRADE_COST", UPGRADE_COST, clients[cid]["currency"])
            source = "the practice's upgrade price"
        drafts.append(_saturated_draft(clients[cid], machine, months, cost, source))
    return drafts


# Idle servers ---------------------------------------------------------------------------


def _idle_draft(client: dict, idle: list[MachineCapacity]) -> RecommendationDraft:
    n = len(idle)
    run = price(
        "VCIO_CAPACITY_SERVER_RUN_COST_PER_YEAR", SERVER_RUN_COST_PER_YEAR, client["currency"]
    )
    saving = (run * (n - 1)).quantize(Decimal("1")) if run is not None else Decimal("0")
    names = ", ".join(m.name for m in idle)
    title = f"{n} servers idle: consolidate"
    why = (
        f"{n} servers did almost nothing over the last 30 days ({names}): each still costs "
        "power, backups, patching and licences. Moving their workloads onto one of them (or "
        f"onto an existing host) retires {n - 1}"
    )
    if run is not None:
        title += f", saves ~{format_money(saving, client['currency'])}/yr"
        why += (
            f", saving about {format_money(run, client['currency'])} a year each "
            f"({format_money(saving, client['currency'])} in all)."
        )
    else:
        why += "."
    return RecommendationDraft(
        key="capacity.consolidate",
        client_id=client["id"],
        title=title,
        why=why,
        category="cost",
        source_app="capacity",
        risk="low",
        evidence_url=machine_url(client["slug"], idle[0].asset_id),
        evidence={
            "count": n,
            "machines": [
                {
                    "asset_id": m.asset_id,
                    "name": m.name,
                    "kind": m.kind,
                    "cpu_p95_pct": _pct(m.cpu.usage[30].p95) if _has(m.cpu) else None,
                    "mem_p95_pct": _pct(m.mem.usage[30].p95) if _has(m.mem) else None,
                    "url": machine_url(client["slug"], m.asset_id),
                }
                for m in idle
            ],
            "run_cost_per_year": str(run) if run is not None else None,
        },
        # A saving is a negative recurring cost.
        recurring_cost_per_year=-saving,
        effort_days=CONSOLIDATE_DAYS * (n - 1),
    )


def idle(client_ids: list[int], at: datetime.date | None = None) -> list[RecommendationDraft]:
    """One draft per client with two or more idle servers or virtual machines."""
    clients = client_rows(client_ids)
    drafts = []
    for cid, (_day, machines) in capacity_as_of(clients, at).items():
        found = [m for m in servers(machines) if m.efficiency == IDLE]
        if len(found) >= 2:
            drafts.append(_idle_draft(clients[cid], found))
    return drafts


GENERATORS = [
    RecommendationGenerator(
        "capacity.disk_full", "Disks that will be full soon", disk_full, app="capacity"
    ),
    RecommendationGenerator(
        "capacity.memory_full", "Memory that will be full soon", memory_full, app="capacity"
    ),
    RecommendationGenerator(
        "capacity.saturated", "Machines saturated month after month", saturated, app="capacity"
    ),
    RecommendationGenerator("capacity.idle", "Idle servers to consolidate", idle, app="capacity"),
]


def register() -> None:
    for generator in GENERATORS:
        recommendation_generators.register(generator)
