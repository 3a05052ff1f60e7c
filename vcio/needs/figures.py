"""Figures (KPIs) of the needs app, usable as goals' KPIs and in reviews.

- ``needs.it_satisfaction``: the latest survey round's overall mean rating
  (1–5) as of the day asked; rounds opened (and answers submitted) after it
  are ignored (:mod:`vcio.needs.satisfaction`).
- ``needs.open_needs``: needs raised by that day and still open. A need's
  status keeps no history, so a past day counts today's status of the
  needs raised by then.
- ``needs.needs_with_initiative``: % of the needs raised by that day
  (dismissed ones left out: they are no longer needs) that an initiative
  addresses. ``None`` when there are none.

One or two queries each, for any number of clients.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from vcio.core.numbers import round_float
from vcio.core.registry import Figure, Number, figures
from vcio.needs.models import Need, NeedStatus
from vcio.needs.satisfaction import trends

Result = dict[int, Number | None]


def it_satisfaction(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """The latest round's overall mean rating (1–5) as of ``at``; None without ratings."""
    result: Result = dict.fromkeys(client_ids)
    for cid, trend in trends(client_ids, at).items():
        if trend.latest is not None:
            result[cid] = trend.latest.overall.mean
    return result


def _raised(client_ids: list[int], at: datetime.date | None):
    return Need.objects.filter(
        client_id__in=client_ids, raised_on__lte=at or timezone.localdate()
    ).exclude(status=NeedStatus.DISMISSED)


def open_needs(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Needs raised by ``at`` that are still open (0 for a client with none)."""
    result: Result = dict.fromkeys(client_ids, 0)
    rows = (
        _raised(client_ids, at)
        .filter(status=NeedStatus.OPEN)
        .values("client_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        result[row["client_id"]] = row["n"]
    return result


def needs_with_initiative(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """% of the needs raised by ``at`` (not dismissed) that have an initiative, 1 decimal."""
    result: Result = dict.fromkeys(client_ids)
    rows = (
        _raised(client_ids, at)
        .values("client_id")
        .annotate(n=Count("id"), planned=Count("id", filter=Q(initiative__isnull=False)))
        .order_by()
    )
    for row in rows:
        if row["n"]:
            result[row["client_id"]] = round_float(100 * row["planned"] / row["n"], 1)
    return result


FIGURES = [
    Figure(
        "needs.it_satisfaction",
        "IT satisfaction",
        it_satisfaction,
        unit="/ 5",
        better="higher",
        app="needs",
        description="The overall satisfaction with IT (1–5) the department heads gave in the "
        "latest survey round, averaged over their answers.",
    ),
    Figure(
        "needs.open_needs",
        "Open needs",
        open_needs,
        unit="needs",
        better="lower",
        app="needs",
        description="Needs the departments raised that nobody has planned, done or dismissed yet.",
    ),
    Figure(
        "needs.needs_with_initiative",
        "Needs with an initiative",
        needs_with_initiative,
        unit="%",
        better="higher",
        app="needs",
        description="Share of the departments' needs (dismissed ones aside) that an initiative "
        "of the roadmap addresses.",
    ),
]


def register() -> None:
    for figure in FIGURES:
        figures.register(figure)
