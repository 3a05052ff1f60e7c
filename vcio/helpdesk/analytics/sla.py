"""SLA compliance against the client's per-priority targets (business hours).

Targets are the client's ``SlaTarget`` rows, else ``DEFAULT_SLA_HOURS``.
A ticket is *in SLA* when its first response and its resolution both met
the targets of its priority. The population of a period is the tickets
resolved in it plus the tickets still open at its end whose resolution
clock has already passed the target: those count as missed (a backlog that
blows its targets must not flatter the figure by staying unresolved).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import numpy as np

from vcio.helpdesk.models import DEFAULT_SLA_HOURS, PRIORITY_ORDER, Priority, SlaTarget

Targets = dict[str, tuple[float, float]]  # priority → (respond hours, resolve hours)


def targets_for_clients(client_ids: list[int]) -> dict[int, Targets]:
    """Each client's targets per priority: its rows over the defaults (one query)."""
    base = {p: (float(fr), float(res)) for p, (fr, res) in DEFAULT_SLA_HOURS.items()}
    found: dict[int, Targets] = {cid: dict(base) for cid in client_ids}
    for t in SlaTarget.objects.filter(client_id__in=client_ids):
        found[t.client_id][t.priority] = (float(t.first_response_hours), float(t.resolve_hours))
    return found


def met(priorities: list[str], response: np.ndarray, resolve: np.ndarray, targets: Targets):
    """Per resolved ticket: True when both its times are within its priority's targets."""
    fr = np.array([targets[p][0] for p in priorities], dtype=float)
    res = np.array([targets[p][1] for p in priorities], dtype=float)
    with np.errstate(invalid="ignore"):
        return (response <= fr) & (resolve <= res)


def overdue(priorities: list[str], open_hours: np.ndarray, targets: Targets) -> np.ndarray:
    """Per open ticket: True when its business hours so far exceed its resolve target."""
    res = np.array([targets[p][1] for p in priorities], dtype=float)
    with np.errstate(invalid="ignore"):
        return open_hours > res


def compliance(
    resolved_priorities: list[str],
    resolved_met: np.ndarray,
    open_priorities: list[str],
    open_overdue: np.ndarray,
    targets: Targets,
) -> dict:
    """% in SLA overall and per priority, with counts.

    Returns ``{"pct", "met", "total", "by_priority": [{priority, name, pct, met,
    total, respond_hours, resolve_hours}]}``; ``pct`` is None with no tickets.
    """
    met_n: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for p, ok in zip(resolved_priorities, resolved_met, strict=True):
        total[p] += 1
        met_n[p] += bool(ok)
    for p, late in zip(open_priorities, open_overdue, strict=True):
        total[p] += bool(late)
    rows = []
    for p in PRIORITY_ORDER:
        fr, res = targets[p]
        rows.append(
            {
                "priority": p,
                "name": Priority(p).label,
                "met": met_n[p],
                "total": total[p],
                "pct": 100 * met_n[p] / total[p] if total[p] else None,
                "respond_hours": fr,
                "resolve_hours": res,
            }
        )
    all_met, all_total = sum(met_n.values()), sum(total.values())
    return {
        "pct": 100 * all_met / all_total if all_total else None,
        "met": all_met,
        "total": all_total,
        "by_priority": rows,
    }


def as_decimal_text(hours: float) -> str:
    """Hours as short text: 4.0 → "4", 2.5 → "2.5"."""
    return format(Decimal(str(hours)).normalize(), "f")
