"""The practice-dashboard panel: each client's standards alignment, unknowns and risks to decide.

Across the clients the user may see: the latest signed-off assessment's
alignment and unknown share, open assessments waiting for sign-off, and
accepted risks whose review date has passed. Lowest alignment first.
Five queries whatever the number of clients.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from vcio.assessments.latest import latest_signed_off
from vcio.assessments.models import Assessment, AssessmentStatus, Risk, Treatment
from vcio.assessments.scores import scorecards
from vcio.core.registry import DashboardPanel, dashboard_panels

ROWS = 10


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # the pages are not installed (a trimmed test URLconf)
        return ""


def standards_context(clients: list[Any], user: Any) -> dict[str, Any]:
    """Rows: clients with an assessment or a risk to decide, lowest alignment first."""
    by_id = {c.pk: c for c in clients}
    latest = latest_signed_off(list(by_id))
    cards = scorecards([a.pk for a in latest.values()])
    waiting: dict[int, int] = {}
    for cid in Assessment.objects.filter(
        client_id__in=list(by_id), status=AssessmentStatus.IN_REVIEW
    ).values_list("client_id", flat=True):
        waiting[cid] = waiting.get(cid, 0) + 1
    due: dict[int, int] = {}
    for cid in Risk.objects.filter(
        client_id__in=list(by_id),
        treatment=Treatment.ACCEPT,
        closed=False,
        review_date__lte=timezone.localdate(),
    ).values_list("client_id", flat=True):
        due[cid] = due.get(cid, 0) + 1
    rows = []
    for cid, client in by_id.items():
        a = latest.get(cid)
        if a is None and cid not in waiting and cid not in due:
            continue
        card = cards[a.pk] if a else None
        rows.append(
            {
                "client": client,
                "url": _url("assessments:assessment_list", client=client.slug),
                "framework": str(a.version) if a else "",
                "as_of": a.as_of if a else None,
                "percent": card.overall.percent if card else None,
                "unknown": card.overall.unknown_percent if card else None,
                "waiting": waiting.get(cid, 0),
                "due": due.get(cid, 0),
            }
        )
    rows.sort(key=lambda r: (r["percent"] is None, r["percent"] or 0, r["client"].name))
    return {
        "rows": rows[:ROWS],
        "more": max(len(rows) - ROWS, 0),
        "heatmap_url": _url("assessments:heatmap"),
    }


PANEL = DashboardPanel(
    key="assessments.standards",
    title="Standards: alignment and risks to decide",
    template="assessments/panel_standards.html",
    context=standards_context,
    order=40,
    app="assessments",
)


def register() -> None:
    dashboard_panels.register(PANEL)
