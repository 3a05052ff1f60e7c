"""Figures (KPIs) the help-desk app publishes about each client through the registry.

Each is computed over the 90 days ending with the "as of" day, in each
client's time zone and business hours, for many clients in five queries
(``analytics.many``); a client with no ticket in the window gets ``None``.
"""

from __future__ import annotations

import datetime
from collections import Counter

from vcio.core.numbers import round_float
from vcio.core.registry import Figure, Number, figures
from vcio.helpdesk.analytics.many import DAYS_PER_MONTH, WINDOW_DAYS, clients_windows
from vcio.helpdesk.analytics.many import median_resolve as _median_resolve
from vcio.helpdesk.analytics.many import sla_pct as _sla_pct

Result = dict[int, Number | None]


def tickets_per_employee(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Tickets opened per employee per month: opened in the 90 days ÷ headcount ÷ (90 ÷ 30.44).

    None without a headcount or without a ticket in the window.
    """
    result: Result = dict.fromkeys(client_ids)
    for cid, w in clients_windows(client_ids, at).items():
        opened, people = len(w.opened), w.client["employee_count"]
        if opened and people:
            result[cid] = round_float(opened / people / (WINDOW_DAYS / DAYS_PER_MONTH), 2)
    return result


def median_resolve_hours(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Median business hours from opening to resolution, tickets resolved in the 90 days."""
    result: Result = dict.fromkeys(client_ids)
    for cid, w in clients_windows(client_ids, at).items():
        value = _median_resolve(w)
        result[cid] = None if value is None else round_float(value, 1)
    return result


def sla_pct(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """% in SLA: tickets resolved in the 90 days whose first response and resolution met the
    targets of their priority, out of those plus the tickets still open past their target."""
    result: Result = dict.fromkeys(client_ids)
    for cid, w in clients_windows(client_ids, at).items():
        pct, _n = _sla_pct(w)
        result[cid] = None if pct is None else round_float(pct, 1)
    return result


def top_topic_share(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """% of the tickets opened in the 90 days that belong to the largest topic."""
    result: Result = dict.fromkeys(client_ids)
    for cid, w in clients_windows(client_ids, at).items():
        opened = [r for r in w.opened if r["topic_id"] is not None]
        if opened and w.opened:
            top = Counter(r["topic_id"] for r in opened).most_common(1)[0][1]
            result[cid] = round_float(100 * top / len(w.opened), 1)
    return result


FIGURES = [
    Figure(
        "helpdesk.tickets_per_employee",
        "Tickets per employee per month",
        tickets_per_employee,
        better="lower",
        app="helpdesk",
        description="Help-desk tickets opened in the last 90 days per employee, per month. "
        "Rising means people lose time to IT problems.",
    ),
    Figure(
        "helpdesk.median_resolve_hours",
        "Median time to resolve",
        median_resolve_hours,
        unit="h",
        better="lower",
        app="helpdesk",
        description="Half the tickets resolved in the last 90 days took less than this, in "
        "business hours from opening to resolution.",
    ),
    Figure(
        "helpdesk.sla_pct",
        "Tickets in SLA",
        sla_pct,
        unit="%",
        better="higher",
        app="helpdesk",
        description="Tickets of the last 90 days answered and resolved within the targets of "
        "their priority; tickets still open past their target count as missed.",
    ),
    Figure(
        "helpdesk.top_topic_share",
        "Share of the top ticket topic",
        top_topic_share,
        unit="%",
        better="lower",
        app="helpdesk",
        description="The largest topic's share of the tickets opened in the last 90 days: a "
        "high share points at one problem worth fixing at its root.",
    ),
]


def register() -> None:
    for figure in FIGURES:
        figures.register(figure)
