"""Moving an initiative on the roadmap by hand, with the constraints re-checked.

A move is the user's decision, so it is saved (and the item locked there,
so re-optimising keeps it); what it breaks comes back as warnings naming
the constraint: a requirement not finished before, a dependent now starting
too early, an alternative already on the roadmap, a due date missed, or a
budget or effort cap of the applied scenario exceeded in a quarter or a
fiscal year.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vcio.core import audit
from vcio.core.fiscal import FiscalQuarter, add_months, quarter_of
from vcio.strategy.models import Initiative, InitiativeStatus, Scenario
from vcio.strategy.optimize_explain import num
from vcio.strategy.planning import PlanSettings, settings_of

S = InitiativeStatus
ON_ROADMAP = frozenset({S.PROPOSED, S.APPROVED, S.SCHEDULED, S.IN_PROGRESS, S.DONE})
FIELDS = (
    "id",
    "title",
    "status",
    "capex",
    "opex_per_year",
    "effort_days",
    "alternative_group",
    "start_quarter",
    "end_quarter",
    "due_date",
)


def applied_scenario(client_id: int) -> Scenario | None:
    """The scenario most recently written onto the roadmap: its caps are the roadmap's."""
    return (
        Scenario.objects.filter(client_id=client_id, applied_at__isnull=False)
        .order_by("-applied_at", "-id")
        .first()
    )


def move(initiative: Initiative, start: datetime.date | None, user: Any) -> list[str]:
    """Move ``initiative`` to the quarter holding ``start`` (None: off the roadmap).

    Keeps its duration, locks it there (so the optimiser keeps it), audits
    the change and returns the warnings, each naming what it breaks.
    """
    if initiative.status in (S.DONE, S.DECLINED):
        raise ValidationError(
            f"“{initiative.title}” is {initiative.get_status_display().lower()}; "
            "only open initiatives can be moved."
        )
    month = initiative.client.fiscal_year_start_month
    before = audit.snapshot(initiative)
    if start is None:
        initiative.start_quarter = initiative.end_quarter = None
        initiative.locked = False
    else:
        span = _span(initiative, month)
        initiative.start_quarter = quarter_of(start, month).start
        initiative.end_quarter = add_months(initiative.start_quarter, 3 * (span - 1))
        initiative.locked = True
    with transaction.atomic():
        initiative.save()
        audit.record_update(user, initiative, before)
    return check(initiative) if start is not None else []


def _span(initiative: Initiative, month: int) -> int:
    """How many quarters an initiative runs (its start to end quarter, else one)."""
    if initiative.start_quarter and initiative.end_quarter:
        a = quarter_of(initiative.start_quarter, month)
        b = quarter_of(initiative.end_quarter, month)
        return max(1, (b.fiscal_year - a.fiscal_year) * 4 + b.quarter - a.quarter + 1)
    return 1


def check(initiative: Initiative) -> list[str]:
    """What the roadmap, as it now stands, breaks around ``initiative``. Five queries."""
    client = initiative.client
    month = client.fiscal_year_start_month
    rows = {
        r["id"]: r
        for r in Initiative.objects.filter(client=client).values(*FIELDS)
        if r["status"] in ON_ROADMAP or r["id"] == initiative.pk
    }
    me = rows[initiative.pk]
    through = Initiative.requires.through.objects.filter(from_initiative__client=client)
    edges = list(through.values_list("from_initiative_id", "to_initiative_id"))
    warnings = _dependency_warnings(me, rows, edges, month)
    warnings += _alternative_warnings(me, rows)
    warnings += _due_warnings(me, month)
    scenario = applied_scenario(client.pk)
    if scenario is not None:
        warnings += _cap_warnings(me, rows, settings_of(scenario), scenario, month)
    return warnings


def _q(day: datetime.date | None, month: int) -> FiscalQuarter | None:
    return quarter_of(day, month) if day else None


def _dependency_warnings(
    me: dict, rows: dict[int, dict], edges: list[tuple[int, int]], month: int
) -> list[str]:
    out = []
    start, end = _q(me["start_quarter"], month), _q(me["end_quarter"] or me["start_quarter"], month)
    for src, dst in edges:
        if src == me["id"] and dst in rows and rows[dst]["status"] != S.DONE:
            req = rows[dst]
            req_end = _q(req["end_quarter"] or req["start_quarter"], month)
            if req_end is None:
                out.append(
                    f"“{me['title']}” requires “{req['title']}”, which is not on the roadmap."
                )
            elif req_end >= start:
                out.append(
                    f"“{me['title']}” requires “{req['title']}”, which ends in {req_end.label}: "
                    f"it should start in {req_end.next().label} or later, not {start.label}."
                )
        if dst == me["id"] and src in rows:
            dep = rows[src]
            dep_start = _q(dep["start_quarter"], month)
            if dep_start is not None and dep["status"] != S.DONE and dep_start <= end:
                out.append(
                    f"“{dep['title']}” requires “{me['title']}” and starts in {dep_start.label}, "
                    f"before “{me['title']}” ends in {end.label}."
                )
    return out


def _alternative_warnings(me: dict, rows: dict[int, dict]) -> list[str]:
    group = me["alternative_group"]
    if not group:
        return []
    return [
        f"“{me['title']}” and “{r['title']}” are alternatives (group “{group}”): "
        "only one of them should be on the roadmap."
        for r in rows.values()
        if r["id"] != me["id"] and r["alternative_group"] == group and r["start_quarter"]
    ]


def _due_warnings(me: dict, month: int) -> list[str]:
    due = me["due_date"]
    end = _q(me["end_quarter"] or me["start_quarter"], month)
    if due is None or end is None or end.end <= due:
        return []
    return [
        f"“{me['title']}” is due by {due.isoformat()} ({quarter_of(due, month).label}) "
        f"but would end in {end.label}."
    ]


def _usage(rows: dict[int, dict], month: int, quarters: list[FiscalQuarter]) -> dict:
    """Capex, opex and effort per quarter of ``quarters`` from the roadmap's start quarters."""
    use: dict[str, list[Decimal]] = {k: [Decimal(0)] * len(quarters) for k in _KINDS}
    for r in rows.values():
        start = _q(r["start_quarter"], month)
        # Done work is spent; the caps, like the optimiser's, are for what is still to do.
        if start is None or r["status"] == S.DONE:
            continue
        end = _q(r["end_quarter"] or r["start_quarter"], month)
        span = max(1, (end.fiscal_year - start.fiscal_year) * 4 + end.quarter - start.quarter + 1)
        for i, q in enumerate(quarters):
            if q.start == start.start:
                use["capex"][i] += r["capex"]
            if q.start >= start.start:
                use["opex"][i] += r["opex_per_year"] / 4
            if start.start <= q.start <= end.start:
                use["effort"][i] += r["effort_days"] / span
    return use


_KINDS = ("capex", "opex", "effort")
_UNITS = {"capex": "capex", "opex": "opex", "effort": "effort (person-days)"}


def _cap_warnings(
    me: dict, rows: dict[int, dict], settings: PlanSettings, scenario: Scenario, month: int
) -> list[str]:
    starts = [
        datetime.date.fromisoformat(d) for d in (scenario.plan or {}).get("quarter_starts", [])
    ]
    quarters = [quarter_of(d, month) for d in starts]
    if not quarters:
        return []
    use = _usage(rows, month, quarters)
    mine = _usage({me["id"]: me}, month, quarters)
    per_quarter = {
        "capex": settings.capex_per_quarter,
        "opex": settings.opex_per_quarter,
        "effort": settings.effort_per_quarter,
    }
    out = []
    for kind, cap in per_quarter.items():
        for i, q in enumerate(quarters):
            if cap is not None and mine[kind][i] > 0 and use[kind][i] > cap:
                out.append(
                    f"{q.label} {_UNITS[kind]} would be {num(float(use[kind][i]))} against the "
                    f"cap of {num(float(cap))} of scenario “{scenario.name}”."
                )
    per_year = {"capex": settings.capex_per_year, "opex": settings.opex_per_year}
    for kind, cap in per_year.items():
        if cap is None:
            continue
        totals: dict[int, Decimal] = defaultdict(Decimal)
        touched: set[int] = set()
        for i, q in enumerate(quarters):
            totals[q.fiscal_year] += use[kind][i]
            if mine[kind][i] > 0:
                touched.add(q.fiscal_year)
        for year in sorted(touched):
            if totals[year] > cap:
                out.append(
                    f"FY{year} {kind} would be {num(float(totals[year]))} against the yearly cap "
                    f"of {num(float(cap))} of scenario “{scenario.name}”."
                )
    return out
