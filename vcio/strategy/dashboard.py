"""The strategy app's practice-dashboard panels: top recommendations and the budget pipeline.

Each panel runs one query whatever the number of clients. The pipeline is
in CALENDAR quarters: clients have different fiscal years, so only the
calendar lines their quarters up.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone

from vcio.core.fiscal import add_months, quarter_of
from vcio.core.models import Client
from vcio.core.registry import DashboardPanel, dashboard_panels
from vcio.strategy.models import Initiative, InitiativeStatus, Recommendation
from vcio.strategy.models.recommendations import RecommendationStatus, Risk

TOP_RECOMMENDATIONS = 10
PIPELINE_QUARTERS = 4
ZERO = Decimal("0")
S = InitiativeStatus
# Money the client has said yes to, and money still waiting for a yes.
COMMITTED = (S.APPROVED, S.SCHEDULED, S.IN_PROGRESS)
PROPOSED = (S.PROPOSED,)
RISK_RANK = {Risk.CRITICAL: 0, Risk.HIGH: 1, Risk.MEDIUM: 2, Risk.LOW: 3}


def top_recommendations(clients: list[Client], user: Any) -> dict[str, Any]:
    """The ``TOP_RECOMMENDATIONS`` open recommendations of highest risk across the clients.

    Ties go to the earliest due date, then the largest one-time cost. One query.
    """
    by_id = {c.pk: c for c in clients}
    rank = Case(
        *(When(risk=risk, then=Value(n)) for risk, n in RISK_RANK.items()),
        default=Value(len(RISK_RANK)),
        output_field=IntegerField(),
    )
    found = (
        Recommendation.objects.for_user(user)
        .filter(client_id__in=list(by_id), status=RecommendationStatus.OPEN)
        .annotate(risk_rank=rank)
        .order_by("risk_rank", F("due_date").asc(nulls_last=True), "-one_time_cost", "id")[
            :TOP_RECOMMENDATIONS
        ]
    )
    rows = []
    for rec in found:
        client = by_id[rec.client_id]
        url = reverse("strategy:recommendation_list", kwargs={"client": client.slug})
        rows.append({"rec": rec, "client": client, "url": f"{url}#rec-{rec.pk}"})
    return {"rows": rows}


def calendar_quarters(today: datetime.date, n: int) -> list[datetime.date]:
    """First days of the ``n`` calendar quarters from the one holding ``today``."""
    first = quarter_of(today, 1).start
    return [add_months(first, 3 * i) for i in range(n)]


def quarter_label(start: datetime.date) -> str:
    """E.g. "Q4 2026 (Oct–Dec)"."""
    end = add_months(start, 2)
    return f"Q{(start.month - 1) // 3 + 1} {start.year} ({start:%b}–{end:%b})"


def _spread(
    start: datetime.date, capex: Decimal, opex: Decimal, quarters: list[datetime.date]
) -> list[Decimal]:
    """An initiative's spend in each quarter, as the budget plans it.

    The one-time cost in the calendar quarter its start quarter begins in, a
    quarter of its yearly cost in every quarter from then on.
    """
    first = quarter_of(start, 1).start
    return [(capex if q == first else ZERO) + (opex / 4 if q >= first else ZERO) for q in quarters]


def budget_pipeline(clients: list[Client], user: Any) -> dict[str, Any]:
    """Committed vs proposed initiative spend by calendar quarter, totalled per currency.

    Returns ``quarters`` (labels), ``currencies`` (one table per currency the
    clients are billed in) and ``unscheduled`` (proposed or approved
    initiatives with no quarter yet, which the pipeline cannot place). One query.
    """
    by_id = {c.pk: c for c in clients}
    quarters = calendar_quarters(timezone.localdate(), PIPELINE_QUARTERS)
    tables: dict[str, dict[str, list[Decimal]]] = defaultdict(
        lambda: {"committed": [ZERO] * len(quarters), "proposed": [ZERO] * len(quarters)}
    )
    unscheduled = 0
    rows = (
        Initiative.objects.for_user(user)
        .filter(client_id__in=list(by_id), status__in=[*COMMITTED, *PROPOSED])
        .order_by()
        .values_list("client_id", "status", "start_quarter", "capex", "opex_per_year")
    )
    for client_id, status, start, capex, opex in rows:
        if start is None:
            unscheduled += 1
            continue
        line = tables[by_id[client_id].currency]["proposed" if status in PROPOSED else "committed"]
        for i, amount in enumerate(_spread(start, capex, opex, quarters)):
            line[i] += amount
    currencies = [
        {
            "currency": currency,
            "rows": [
                {"label": quarter_label(q), "committed": c, "proposed": p}
                for q, c, p in zip(quarters, table["committed"], table["proposed"], strict=True)
            ],
            "committed": sum(table["committed"]),
            "proposed": sum(table["proposed"]),
        }
        for currency, table in sorted(tables.items())
    ]
    return {
        "quarters": [quarter_label(q) for q in quarters],
        "currencies": currencies,
        "unscheduled": unscheduled,
    }


PANELS = (
    DashboardPanel(
        key="strategy.recommendations",
        title="Top recommendations by risk",
        template="strategy/panel_recommendations.html",
        context=top_recommendations,
        order=30,
        app="strategy",
    ),
    DashboardPanel(
        key="strategy.pipeline",
        title="Budget pipeline",
        template="strategy/panel_pipeline.html",
        context=budget_pipeline,
        order=40,
        app="strategy",
    ),
)


def register() -> None:
    for panel in PANELS:
        dashboard_panels.register(panel)
