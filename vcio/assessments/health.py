"""The standards part of a client's health: alignment of its latest signed-off assessment.

Score (0–100) = the alignment % as of the day scored, less
:data:`REVIEW_DUE_POINTS` for each accepted risk whose review date has
passed (a decision left to lapse is itself a gap). A client never assessed
scores ``None``, left out of the composite. Four queries for any number of
clients.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from vcio.assessments.latest import latest_signed_off
from vcio.assessments.models import Risk, Treatment
from vcio.assessments.scores import scorecards
from vcio.core.numbers import format_number, round_float
from vcio.core.registry import HealthComponent, SubScore, health_components

REVIEW_DUE_POINTS = 5.0


def health(client_ids: list[int], today: datetime.date | None = None) -> dict[int, SubScore]:
    """Each client's standards score as of ``today`` (None: today)."""
    day = today or timezone.localdate()
    latest = latest_signed_off(client_ids, today)
    cards = scorecards([a.pk for a in latest.values()])
    due: dict[int, int] = {}
    for cid in Risk.objects.filter(
        client_id__in=client_ids,
        treatment=Treatment.ACCEPT,
        closed=False,
        review_date__lte=day,
    ).values_list("client_id", flat=True):
        due[cid] = due.get(cid, 0) + 1
    result: dict[int, SubScore] = {}
    for cid in client_ids:
        assessment = latest.get(cid)
        pct = cards[assessment.pk].overall.percent if assessment else None
        if pct is None:
            result[cid] = SubScore(None, "No signed-off assessment yet.")
            continue
        lapsed = due.get(cid, 0)
        score = max(0.0, pct - REVIEW_DUE_POINTS * lapsed)
        text = (
            f"{format_number(pct, 1)} % aligned with {assessment.version} "
            f"(assessed {assessment.as_of.isoformat()})"
        )
        if lapsed:
            text += f"; {lapsed} accepted risk{'s' if lapsed > 1 else ''} past its review date"
        result[cid] = SubScore(round_float(score, 1), text + ".")
    return result


def register() -> None:
    health_components.register(
        HealthComponent(
            key="standards", label="Standards", weight=10, compute=health, app="assessments"
        )
    )
