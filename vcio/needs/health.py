"""The "IT satisfaction" part of a client's health: how the departments rate IT.

Score (0–100) = (mean − 1) / 4 × 100, the latest survey round's overall
mean rating (1–5) as of the day scored put on 0–100 (1 → 0, 3 → 50,
5 → 100), less :data:`URGENT_POINTS` for each urgent need (high or
critical, raised by then, still open) that no initiative addresses: a
department waiting on something urgent is unhappy whatever it said last
quarter. Never below 0. A client never surveyed scores ``None``, left out
of the composite. Weight :data:`WEIGHT`: what leaders feel matters, but it
is an opinion, so it counts less than measured parts. Two queries for any
number of clients.
"""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from vcio.core.numbers import format_number, round_float
from vcio.core.registry import HealthComponent, SubScore, health_components
from vcio.needs.models import Need, NeedStatus, Urgency
from vcio.needs.satisfaction import trends

URGENT_POINTS = 5.0
WEIGHT = 5


def score_from_mean(mean: float) -> float:
    """A 1–5 mean rating on 0–100: 1 → 0, 5 → 100."""
    return (mean - 1) / 4 * 100


def urgent_unplanned(client_ids: list[int], day: datetime.date) -> dict[int, int]:
    """Open high or critical needs raised by ``day`` without an initiative, per client."""
    rows = (
        Need.objects.filter(
            client_id__in=client_ids,
            status=NeedStatus.OPEN,
            urgency__gte=Urgency.HIGH,
            initiative__isnull=True,
            raised_on__lte=day,
        )
        .values("client_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["client_id"]: row["n"] for row in rows}


def health(client_ids: list[int], today: datetime.date | None = None) -> dict[int, SubScore]:
    """Each client's IT satisfaction score as of ``today`` (None: today)."""
    day = today or timezone.localdate()
    found = trends(client_ids, day)
    urgent = urgent_unplanned(client_ids, day)
    result: dict[int, SubScore] = {}
    for cid in client_ids:
        latest = found[cid].latest
        mean = latest.overall.mean if latest else None
        if mean is None:
            result[cid] = SubScore(None, "No survey answers yet.")
            continue
        waiting = urgent.get(cid, 0)
        score = max(0.0, score_from_mean(mean) - URGENT_POINTS * waiting)
        text = (
            f"Departments rate IT {format_number(mean, 2)} / 5 ({latest.overall.n} "
            f"answer{'s' if latest.overall.n != 1 else ''}, {latest.title})"
        )
        if waiting:
            text += f"; {waiting} urgent need{'s' if waiting > 1 else ''} without an initiative"
        result[cid] = SubScore(round_float(score, 1), text + ".")
    return result


def register() -> None:
    health_components.register(
        HealthComponent(
            key="it_satisfaction",
            label="IT satisfaction",
            weight=WEIGHT,
            compute=health,
            app="needs",
        )
    )
