"""The strategy app's part of a review: report sections and the "strategy progress" sub-score.

Four sections are stored in each review's snapshot (see
``core.registry.ReportSection``): the roadmap of the next four fiscal
quarters with its budget and Gantt chart, the business goals with their
KPIs, the budget's plan against actual spend, and the open recommendations.
Each ``collect`` runs a fixed number of queries whatever the number of
initiatives, KPIs or recommendations (``values()`` rows, no per-row query),
and stores what :mod:`vcio.strategy.review_changes` needs to say what
changed between two reviews: ids, titles, end quarters, statuses, keys.

Snapshots are JSON: amounts are stored as numbers (floats rounded to the
cent) so the report's ``money`` filter can format them; dates as ISO text.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from vcio.core.charts import line_chart
from vcio.core.fiscal import FiscalQuarter, next_quarters, quarter_of
from vcio.core.models import Client
from vcio.core.numbers import round_float, round_half_up
from vcio.core.registry import (
    HealthComponent,
    ReportSection,
    ReviewPeriod,
    health_components,
    report_sections,
)
from vcio.strategy import budget as budgets
from vcio.strategy import review_changes as changes
from vcio.strategy.gantt import Bar, gantt
from vcio.strategy.models import (
    BusinessGoal,
    GoalStatus,
    Initiative,
    InitiativeGoal,
    InitiativeStatus,
    KpiValue,
    Recommendation,
    RecommendationStatus,
)
from vcio.strategy.review_changes import kpi_rows, label_of, late_reason

S = InitiativeStatus
ROADMAP_QUARTERS = 4
# On the roadmap: everything planned, finished or not; turned-down items are not.
ON_ROADMAP = (S.PROPOSED, S.APPROVED, S.SCHEDULED, S.IN_PROGRESS, S.DONE)
RISK_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
TOP_RECOMMENDATIONS = 15
TOP_OVERRUNS = 5
# Past this many rows a Gantt chart stops being read (and fills pages); the table lists all.
GANTT_BARS = 50


def money(value: Decimal | None) -> float:
    """An amount as a JSON number, rounded to the cent (the report formats it)."""
    return round_float(float(value or 0), 2)


def _client(period: ReviewPeriod) -> Client:
    return Client.objects.only(
        "id", "name", "currency", "fiscal_year_start_month", "monthly_fee"
    ).get(pk=period.client_id)


# Initiatives ---------------------------------------------------------------------

INITIATIVE_FIELDS = (
    "id",
    "client_id",
    "title",
    "status",
    "start_quarter",
    "end_quarter",
    "due_date",
    "percent_complete",
    "capex",
    "opex_per_year",
    "updated_at",
)


def tracked(row: dict[str, Any], today: datetime.date, month: int) -> dict[str, Any]:
    """What the next review compares an initiative by (see ``review_changes``)."""
    end = row["end_quarter"] or row["start_quarter"]
    return {
        "id": row["id"],
        "title": row["title"],
        "status": row["status"],
        "end": end.isoformat() if end else None,
        "end_label": label_of(end, month),
        "due": row["due_date"].isoformat() if row["due_date"] else None,
        "late": late_reason(row, today, month),
        "percent": row["percent_complete"],
        # No completion date is stored; a finished item is last saved when it is finished.
        "done_on": row["updated_at"].date().isoformat() if row["status"] == S.DONE else None,
    }


def _in_window(row: dict[str, Any], quarters: list[FiscalQuarter]) -> bool:
    start = row["start_quarter"]
    if start is None or row["status"] not in ON_ROADMAP or start > quarters[-1].end:
        return False
    # Work under way stays on the roadmap until it is done, even past its end quarter.
    end = row["end_quarter"] or start
    return end >= quarters[0].start or row["status"] == S.IN_PROGRESS


def _goal_titles(ids: list[int]) -> dict[int, list[str]]:
    """The titles of the goals each initiative serves. One query."""
    out: dict[int, list[str]] = defaultdict(list)
    links = (
        InitiativeGoal.objects.filter(initiative_id__in=ids)
        .order_by("goal__title")
        .values_list("initiative_id", "goal__title")
    )
    for pk, title in links:
        out[pk].append(title)
    return out


def _bars(rows: list[dict[str, Any]], quarters: list[FiscalQuarter]) -> list[Bar]:
    first_q = quarters[0]

    def index(day: datetime.date) -> int:
        q = quarter_of(day, first_q.start_month)
        return (q.fiscal_year - first_q.fiscal_year) * 4 + (q.quarter - first_q.quarter)

    bars = [
        Bar(
            title=r["title"],
            status=r["status"],
            status_label=S(r["status"]).label,
            first=index(r["start_quarter"]),
            # Late work under way runs on into the current quarter.
            last=max(index(r["end_quarter"] or r["start_quarter"]), 0),
        )
        for r in rows
    ]
    return sorted(bars, key=lambda b: (b.first, b.last, b.title))


def _quarter_budget(client: Client, quarters: list[FiscalQuarter], today: datetime.date) -> dict:
    """Planned money of ``quarters`` from the budget (two fiscal years cover any four quarters)."""
    plan = budgets.build_budget(client, years=2, today=today)
    wanted = {q.label for q in quarters}
    lines = [line for line in plan.lines if line.label in wanted]
    rows = [
        {
            "label": line.label,
            "capex": money(line.initiative_capex),
            "forecast": money(line.forecast),
            # Net of savings, so that the row adds up to its total.
            "opex": money(line.initiative_opex + line.initiative_savings),
            "committed": money(line.committed),
            # Apart, so the report can leave it out for readers without COMMERCIAL.
            "fee": money(line.fee),
            "total": money(line.total),
            "total_without_fee": money(line.total - line.fee),
        }
        for line in lines
    ]
    totals = {
        key: round_float(sum(r[key] for r in rows), 2)
        for key in ("capex", "forecast", "opex", "committed", "fee", "total", "total_without_fee")
    }
    return {"quarters": rows, "totals": totals}


def collect_roadmap(period: ReviewPeriod) -> dict[str, Any]:
    """The next four quarters' initiatives, their budget and Gantt chart, and every
    initiative's end quarter and status (for "completed" and "slipped"). Fixed queries."""
    client = _client(period)
    month = client.fiscal_year_start_month
    quarters = next_quarters(period.today, month, ROADMAP_QUARTERS)
    rows = list(
        Initiative.objects.filter(client_id=client.pk)
        .exclude(status=S.DECLINED)
        .order_by("start_quarter", "title", "id")
        .values(*INITIATIVE_FIELDS)
    )
    planned = [r for r in rows if _in_window(r, quarters)]
    goals = _goal_titles([r["id"] for r in planned])
    items = [
        {
            "id": r["id"],
            "title": r["title"],
            "status": r["status"],
            "status_label": S(r["status"]).label,
            "start": label_of(r["start_quarter"], month),
            "end": label_of(r["end_quarter"] or r["start_quarter"], month),
            "percent": r["percent_complete"],
            "capex": money(r["capex"]),
            "opex_per_year": money(r["opex_per_year"]),
            "goals": goals.get(r["id"], []),
            "late": bool(late_reason(r, period.today, month)),
        }
        for r in planned
    ]
    money_planned = _quarter_budget(client, quarters, period.today)
    if not rows and not money_planned["totals"]["total"]:
        return {}
    data: dict[str, Any] = {
        "as_of": period.today,
        "quarters": [q.label for q in quarters],
        "initiatives": items,
        "unscheduled": sum(
            1 for r in rows if r["start_quarter"] is None and r["status"] in ON_ROADMAP[:4]
        ),
        "tracked": [tracked(r, period.today, month) for r in rows],
        "budget": money_planned,
    }
    if items:
        bars = _bars(planned, quarters)[:GANTT_BARS]
        data["gantt_shown"] = len(bars)
        chart = gantt(
            quarters,
            bars,
            today=period.today,
            title=f"Roadmap of {client.name}, {quarters[0].label} to {quarters[-1].label}",
            width=720,
        )
        data["gantt"] = str(chart)
    return data


# Goals and KPIs --------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _kpi_series(client_id: int, period: ReviewPeriod) -> dict[int, list[tuple]]:
    """Each KPI's values recorded in the period, oldest first. One query."""
    out: dict[int, list[tuple]] = defaultdict(list)
    for pk, at, value in (
        KpiValue.objects.filter(
            kpi__goal__client_id=client_id, at__gte=period.start, at__lte=period.end
        )
        .order_by("kpi_id", "at")
        .values_list("kpi_id", "at", "value")
    ):
        out[pk].append((at, float(value)))
    return out


def _kpi_data(row: dict[str, Any], points: list[tuple]) -> dict[str, Any]:
    data = {
        "id": row["id"],
        "name": row["name"],
        "unit": row["unit"],
        "direction": row["direction"],
        "baseline": _number(row["baseline"]),
        "target": _number(row["target"]),
        "value": row["value"],
        "progress": None if row["progress"] is None else int(round_half_up(row["progress"] * 100)),
        "on_track": row["on_track"],
        "expected": None if row["progress"] is None else int(round_half_up(row["expected"] * 100)),
        "why": row["why"],
        "points": len(points),
        "first": [points[0][0].isoformat(), points[0][1]] if points else None,
        "last": [points[-1][0].isoformat(), points[-1][1]] if points else None,
    }
    if len(points) >= 2:
        data["chart"] = str(
            line_chart(
                [p[0] for p in points],
                [p[1] for p in points],
                title=row["name"],
                desc=f"{row['name']} in the period, against its target.",
                target=_number(row["target"]),
                width=720,
                height=150,
            )
        )
    return data


def collect_goals(period: ReviewPeriod) -> dict[str, Any]:
    """Each goal (abandoned ones left out) with its KPIs and the initiatives serving it.

    A fixed number of queries: goals, KPIs, their values in the period, links.
    """
    goals = list(
        BusinessGoal.objects.filter(client_id=period.client_id)
        .exclude(status=GoalStatus.ABANDONED)
        .values("id", "title", "status", "priority", "target_date")
    )
    if not goals:
        return {}
    series = _kpi_series(period.client_id, period)
    kpis: dict[int, list[dict]] = defaultdict(list)
    for row in kpi_rows([period.client_id], period.today):
        kpis[row["goal_id"]].append(_kpi_data(row, series.get(row["id"], [])))
    serving: dict[int, list[dict]] = defaultdict(list)
    for goal_id, title, status, percent in (
        InitiativeGoal.objects.filter(goal__client_id=period.client_id)
        .exclude(initiative__status=S.DECLINED)
        .order_by("initiative__start_quarter", "initiative__title")
        .values_list(
            "goal_id", "initiative__title", "initiative__status", "initiative__percent_complete"
        )
    ):
        serving[goal_id].append(
            {"title": title, "status": status, "status_label": S(status).label, "percent": percent}
        )
    priority = dict(BusinessGoal._meta.get_field("priority").choices)
    return {
        "goals": [
            {
                "id": g["id"],
                "title": g["title"],
                "status_label": GoalStatus(g["status"]).label,
                "priority_label": priority.get(g["priority"], ""),
                "target_date": g["target_date"],
                "kpis": kpis.get(g["id"], []),
                "initiatives": serving.get(g["id"], []),
            }
            for g in goals
        ]
    }


# Budget --------------------------------------------------------------------------------


def collect_budget(period: ReviewPeriod) -> dict[str, Any]:
    """Planned against actual initiative spend by quarter of the current fiscal year to date.

    Only spend dated on or before the review's day counts: the section reads as
    it did that day.

    Planned counts a begun quarter's whole plan. Fixed queries (``build_budget``).
    """
    client = _client(period)
    plan = budgets.build_budget(client, years=1, today=period.today, spent_by=period.today)
    begun = [line for line in plan.lines if line.begun]
    quarters = [
        {
            "label": line.label,
            "planned": money(line.planned_initiatives),
            "actual": money(line.actual),
            "variance": money(line.variance),
        }
        for line in begun
    ]
    planned = sum((line.planned_initiatives for line in begun), Decimal(0))
    actual = sum((line.actual for line in begun), Decimal(0))
    if not planned and not actual:
        return {}
    overruns = sorted(
        (i for i in plan.initiatives if i.variance > 0), key=lambda i: (-i.variance, i.title)
    )[:TOP_OVERRUNS]
    return {
        "fiscal_year": plan.years[0].label if plan.years else "",
        "currency": client.currency,
        "quarters": quarters,
        "planned": money(planned),
        "actual": money(actual),
        "variance": money(actual - planned),
        "variance_pct": round_float((actual - planned) / planned * 100, 1) if planned else None,
        "overruns": [
            {
                "id": i.id,
                "title": i.title,
                "status_label": i.status,
                "planned": money(i.planned_to_date),
                "actual": money(i.actual),
                "variance": money(i.variance),
            }
            for i in overruns
        ],
    }


# Recommendations ---------------------------------------------------------------------


def _risk_order(row: dict[str, Any]) -> tuple:
    due = row["due_date"] or datetime.date.max
    return (-RISK_RANK.get(row["risk"], 0), due, -row["one_time_cost"], row["title"])


def collect_recommendations(period: ReviewPeriod) -> dict[str, Any]:
    """The open recommendations by risk (the first 15 in full, every key compactly) and the
    status of the closed ones, so the next review can say which were resolved and how."""
    rows = list(
        Recommendation.objects.filter(
            client_id=period.client_id, status=RecommendationStatus.OPEN
        ).values(
            "key",
            "title",
            "risk",
            "one_time_cost",
            "recurring_cost_per_year",
            "source_app",
            "due_date",
        )
    )
    closed = dict(
        Recommendation.objects.filter(client_id=period.client_id)
        .exclude(status=RecommendationStatus.OPEN)
        .values_list("key", "status")
    )
    if not rows and not closed:
        return {}
    rows.sort(key=_risk_order)
    by_risk = {risk: sum(1 for r in rows if r["risk"] == risk) for risk in RISK_RANK}
    return {
        "count": len(rows),
        "by_risk": by_risk,
        "top": [
            {
                "key": r["key"],
                "title": r["title"],
                "risk": r["risk"],
                "one_time_cost": money(r["one_time_cost"]),
                "recurring_cost_per_year": money(r["recurring_cost_per_year"]),
                "source_app": r["source_app"],
                "due_date": r["due_date"],
            }
            for r in rows[:TOP_RECOMMENDATIONS]
        ],
        # [key, title, risk] of every open one: what "new" and "resolved" compare.
        "open": [[r["key"], r["title"], r["risk"]] for r in rows],
        "closed": closed,
    }


def register() -> None:
    for section in (
        ReportSection(
            "strategy.goals",
            "Business goals and KPIs",
            collect_goals,
            "strategy/report_goals.html",
            changes=changes.goal_changes,
            order=20,
            app="strategy",
        ),
        ReportSection(
            "strategy.roadmap",
            "Roadmap: the next four quarters",
            collect_roadmap,
            "strategy/report_roadmap.html",
            changes=changes.roadmap_changes,
            order=50,
            app="strategy",
        ),
        # Both kinds: "budget vs plan" is on the monthly agenda as well as the QBR's.
        ReportSection(
            "strategy.budget",
            "Budget: plan against actual",
            collect_budget,
            "strategy/report_budget.html",
            changes=changes.budget_changes,
            order=60,
            app="strategy",
        ),
        ReportSection(
            "strategy.recommendations",
            "Recommendations",
            collect_recommendations,
            "strategy/report_recommendations.html",
            changes=changes.recommendation_changes,
            order=70,
            app="strategy",
        ),
    ):
        report_sections.register(section)
    health_components.register(
        HealthComponent(
            "strategy", "Strategy progress", 25, changes.strategy_health, app="strategy"
        )
    )
