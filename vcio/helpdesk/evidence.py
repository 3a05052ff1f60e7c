"""Evidence rules the help-desk app answers assessment items with.

``helpdesk.sla_compliance``: the tickets of the 90 days to ``at`` handled
within their SLA, counted exactly as the "Tickets in SLA" figure counts them
(:func:`vcio.helpdesk.analytics.many.sla_pct`, :mod:`vcio.helpdesk.analytics.sla`):
the tickets resolved in the window whose first response and resolution met
the targets of their priority (business hours), out of those plus the
tickets still open at the window's end past their resolve target. Aligned
from 95 %, partly from 80 %, else not aligned; no ticket counted: no data.

At most six queries whatever the number of clients: the five of
:func:`~vcio.helpdesk.analytics.many.clients_windows`, and one for the
numbers of the tickets listed (none when there is none).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse

from vcio.core.evidence import MAX_ROWS, grade, named, plural, verb
from vcio.core.registry import EvidenceResult, EvidenceRow, EvidenceRule, evidence_rules
from vcio.helpdesk.analytics import sla
from vcio.helpdesk.analytics.data import is_open_at, resolved_in
from vcio.helpdesk.analytics.hours import business_hours_between
from vcio.helpdesk.analytics.many import WINDOW_DAYS, ClientWindow, clients_windows
from vcio.helpdesk.analytics.times import durations
from vcio.helpdesk.models import Ticket

Results = dict[int, EvidenceResult]


@dataclass(frozen=True)
class Judged:
    """One ticket counted by the SLA figure: in SLA or not, and why (business hours)."""

    ticket_id: int
    ok: bool
    detail: str


def _hours(value: float) -> str:
    return f"{value:.1f} h"


def _judge_resolved(w: ClientWindow) -> list[Judged]:
    resolved = resolved_in(w.rows, w.start, w.end)
    d = durations(resolved, w.hours)
    priorities = [r["priority"] for r in resolved]
    met = sla.met(priorities, d.response, d.resolve, w.targets)
    found = []
    for i, row in enumerate(resolved):
        respond_target, resolve_target = w.targets[row["priority"]]
        said = []
        if met[i] or not d.response[i] <= respond_target:
            said.append(f"answered in {_hours(d.response[i])}, target {respond_target:g} h")
        if met[i] or not d.resolve[i] <= resolve_target:
            said.append(f"resolved in {_hours(d.resolve[i])}, target {resolve_target:g} h")
        found.append(Judged(row["id"], bool(met[i]), "; ".join(said)))
    return found


def _judge_open(w: ClientWindow) -> list[Judged]:
    """The tickets still open at the window's end past their resolve target (all missed)."""
    still_open = [r for r in w.rows if is_open_at(r, w.end)]
    hours = business_hours_between(
        [r["opened_at"] for r in still_open], [w.end] * len(still_open), w.hours
    )
    priorities = [r["priority"] for r in still_open]
    late = sla.overdue(priorities, hours, w.targets)
    return [
        Judged(
            row["id"],
            False,
            f"still open after {_hours(hours[i])}, target {w.targets[row['priority']][1]:g} h",
        )
        for i, row in enumerate(still_open)
        if late[i]
    ]


def judge(w: ClientWindow) -> list[Judged]:
    """Every ticket the SLA figure counts for the client's window, missed ones first."""
    found = _judge_resolved(w) + _judge_open(w)
    return sorted(found, key=lambda j: j.ok)


def sla_compliance(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Tickets of the 90 days to ``at`` within their SLA, per client (at most 6 queries)."""
    windows = clients_windows(client_ids, at)
    judged = {cid: judge(w) for cid, w in windows.items()}
    shown = {cid: found[:MAX_ROWS] for cid, found in judged.items()}
    ids = [j.ticket_id for found in shown.values() for j in found]
    tickets = (
        {t["id"]: t for t in Ticket.objects.filter(pk__in=ids).values("id", "external_id")}
        if ids
        else {}
    )
    result: Results = {}
    for cid in client_ids:
        found = judged.get(cid, [])
        if not found:
            result[cid] = EvidenceResult(
                "no_data",
                f"No ticket was resolved in the last {WINDOW_DAYS} days, "
                "and none is open past its target.",
                counts={"total": 0},
            )
            continue
        slug = windows[cid].client["slug"]
        rows = tuple(_row(j, tickets[j.ticket_id], slug) for j in shown[cid])
        result[cid] = _result(found, rows)
    return result


def _row(j: Judged, ticket: dict, slug: str) -> EvidenceRow:
    url = reverse("helpdesk:ticket", kwargs={"client": slug, "pk": j.ticket_id})
    return EvidenceRow(f"#{ticket['external_id']}", j.detail, url, ok=j.ok)


def _result(found: list[Judged], rows: tuple[EvidenceRow, ...]) -> EvidenceResult:
    ok = sum(j.ok for j in found)
    total = len(found)
    missed = total - ok
    pct = 100 * ok / total
    sentence = (
        f"{ok} of {plural(total, 'ticket')} of the last {WINDOW_DAYS} days "
        f"{verb(ok, 'was', 'were')} answered and resolved within their SLA "
        f"({round(pct, 1):g} %)"
    )
    if missed:
        failing = [r for r in rows if not r.ok]
        sentence += f"; {missed} {verb(missed, 'was', 'were')} not: {named(failing, missed)}"
    counts = {"ok": ok, "total": total}
    return EvidenceResult(grade(ok, total, 0.95, 0.8), sentence + ".", rows, counts)


RULES = [
    EvidenceRule(
        "helpdesk.sla_compliance",
        "Tickets are handled within their SLA",
        sla_compliance,
        app="helpdesk",
        description=f"Tickets of the last {WINDOW_DAYS} days answered and resolved within the "
        "targets of their priority, in business hours; tickets still open past their target "
        "count as missed. Aligned from 95 %, partly from 80 %.",
    ),
]


def register() -> None:
    for rule in RULES:
        evidence_rules.register(rule)
