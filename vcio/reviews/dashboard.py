"""The reviews app's practice-dashboard panel: every client's health, trend and reviews due.

A fixed number of queries whatever the number of clients: one call to
``health_of`` (one query or so per health component), the cadences and
held reviews (``cadence.schedules``: two), and the last six finalised
scores of every client in one windowed query.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from vcio.core.models import Client
from vcio.core.numbers import format_number, round_float
from vcio.core.registry import DashboardPanel, dashboard_panels
from vcio.reviews import cadence
from vcio.reviews.health import health_of
from vcio.reviews.models import Review, ReviewStatus

TREND_REVIEWS = 6
SPARK_WIDTH, SPARK_HEIGHT = 80, 20


def score_trends(client_ids: list[int], user: Any) -> dict[int, list[float]]:
    """The health scores of each client's last ``TREND_REVIEWS`` finalised reviews, oldest first.

    One query: a window function ranks each client's reviews, so the rows
    read do not grow with a client's history.
    """
    rows = (
        Review.objects.for_user(user)
        .filter(client_id__in=client_ids, status=ReviewStatus.FINALISED)
        .filter(health_score__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("client_id")],
                order_by=[F("period_end").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=TREND_REVIEWS)
        .order_by()
        .values_list("client_id", "period_end", "health_score")
    )
    found: dict[int, list[tuple[Any, float]]] = defaultdict(list)
    for client_id, period_end, score in rows:
        found[client_id].append((period_end, score))
    return {cid: [score for _, score in sorted(points)] for cid, points in found.items()}


def sparkline(scores: list[float]) -> SafeString:
    """A tiny inline SVG line of 0–100 scores (empty for fewer than two points)."""
    if len(scores) < 2:
        return mark_safe("")
    step = SPARK_WIDTH / (len(scores) - 1)
    points = " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - max(0.0, min(100.0, s)) / 100 * SPARK_HEIGHT:.1f}"
        for i, s in enumerate(scores)
    )
    described = ", ".join(format_number(s) for s in scores)
    # Only numbers formatted above go into the markup, so it is safe as it is.
    return mark_safe(  # noqa: S308
        f'<svg class="spark" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img">'
        f"<title>Health score at the last reviews: {described}</title>"
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{points}"/>'
        "</svg>"
    )


def trend_arrow(scores: list[float]) -> dict[str, Any]:
    """The change of the last finalised score from the one before: arrow, delta and class."""
    if len(scores) < 2:
        return {"arrow": "", "delta": None, "css": ""}
    delta = round_float(scores[-1] - scores[-2], 1)
    if delta > 0:
        return {"arrow": "▲", "delta": delta, "css": "better"}
    if delta < 0:
        return {"arrow": "▼", "delta": delta, "css": "worse"}
    return {"arrow": "=", "delta": delta, "css": ""}


def health_context(clients: list[Client], user: Any) -> dict[str, Any]:
    """Rows of the panel: each client with its live health, trend, next and overdue reviews."""
    ids = [c.pk for c in clients]
    health = health_of(ids)
    trends = score_trends(ids, user)
    schedules = cadence.schedules(clients, timezone.localdate())
    rows = []
    for client in clients:
        scores = trends.get(client.pk, [])
        schedule = schedules[client.pk]
        rows.append(
            {
                "client": client,
                "score": health[client.pk]["score"],
                "band": health[client.pk]["band"],
                "spark": sparkline(scores),
                "trend": trend_arrow(scores),
                "next_due": schedule.next_due,
                "overdue": schedule.overdue,
            }
        )
    return {"rows": rows, "overdue_count": sum(len(r["overdue"]) for r in rows)}


PANEL = DashboardPanel(
    key="reviews.health",
    title="Client health and reviews",
    template="reviews/panel_health.html",
    context=health_context,
    order=10,
    app="reviews",
)


def register() -> None:
    dashboard_panels.register(PANEL)
