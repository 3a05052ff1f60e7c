"""The help-desk part of a client's health: service levels met, less recurring problems.

Score (0–100) over the 90 days to the day scored: the % of tickets in SLA
(see ``analytics.sla``), less :data:`RECURRING_POINTS` for each recurring
problem (one topic on one asset or in one department, the client's N times
in D days) among the tickets opened in those days, never below 0. Fewer
than :data:`MIN_TICKETS` tickets counted for the SLA is too little to
score: ``None``, left out of the composite. Six queries for any number of
clients.
"""

from __future__ import annotations

import datetime

from vcio.core.numbers import format_number, round_float
from vcio.core.registry import HealthComponent, SubScore, health_components
from vcio.helpdesk.analytics.many import clients_windows, sla_pct
from vcio.helpdesk.analytics.recurring import policy_for_clients, recurring

RECURRING_POINTS = 5.0
MIN_TICKETS = 5


def health(client_ids: list[int], today: datetime.date | None = None) -> dict[int, SubScore]:
    """Each client's help-desk score as of ``today`` (None: each client's own today)."""
    windows = clients_windows(client_ids, today)
    policies = policy_for_clients(list(windows))
    result: dict[int, SubScore] = {}
    for cid, w in windows.items():
        pct, counted = sla_pct(w)
        if pct is None or counted < MIN_TICKETS:
            result[cid] = SubScore(None, "Too few help-desk tickets in the last 90 days to score.")
            continue
        problems = recurring(w.opened, *policies[cid])
        score = max(0.0, pct - RECURRING_POINTS * len(problems))
        text = f"{format_number(pct, 1)} % of {counted} tickets of the last 90 days met their SLA"
        if problems:
            names = ", ".join(sorted({f"{g['topic']} ({g['where']})" for g in problems})[:3])
            text += (
                f"; {len(problems)} recurring problem{'s' if len(problems) > 1 else ''}: {names}"
            )
        result[cid] = SubScore(round_float(score, 1), text + ".")
    return result


def register() -> None:
    health_components.register(
        HealthComponent(
            key="helpdesk", label="Help desk", weight=10, compute=health, app="helpdesk"
        )
    )
