"""The strategy's part of a review: its report sections, what changed, its health sub-score."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from vcio.core.fiscal import quarter_of
from vcio.core.registry import ReviewPeriod
from vcio.reviews import services
from vcio.reviews.reports import pdf_bytes, render_report
from vcio.strategy import review
from vcio.strategy.models import InitiativeGoal, KpiValue, Recommendation, SpendEntry
from vcio.strategy.models import InitiativeStatus as S
from vcio.strategy.review_changes import (
    budget_changes,
    goal_changes,
    recommendation_changes,
    roadmap_changes,
    strategy_health,
)
from vcio.strategy.tests.factories import (
    GoalFactory,
    InitiativeFactory,
    KpiFactory,
    RecommendationFactory,
)

D = datetime.date
# Acme's fiscal year is the calendar year: the first review is taken in FY2026 Q3,
# the second a quarter later in FY2026 Q4.
FIRST, SECOND = D(2026, 7, 10), D(2026, 10, 10)
Q1, Q2, Q3, Q4 = D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1)


def period(client, today: datetime.date, kind: str = "qbr") -> ReviewPeriod:
    quarter = quarter_of(today, client.fiscal_year_start_month).shift(-1)
    return ReviewPeriod(client.pk, kind, quarter.start, quarter.end, today)


def stored(data: dict) -> dict:
    """The data as a snapshot reads it back (Decimals and dates as strings)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def collect(client, today: datetime.date) -> dict[str, dict]:
    p = period(client, today)
    return {
        "goals": stored(review.collect_goals(p)),
        "roadmap": stored(review.collect_roadmap(p)),
        "budget": stored(review.collect_budget(p)),
        "recommendations": stored(review.collect_recommendations(p)),
    }


@pytest.fixture
def world(acme):
    """Acme as it stood at the first review."""
    goal = GoalFactory(client=acme, title="Keep the office secure")
    patch = KpiFactory(goal=goal, name="Patch compliance", baseline=50, target=95)
    for day, value in ((D(2026, 5, 1), 60), (D(2026, 6, 1), 70)):
        KpiValue.objects.create(kpi=patch, at=day, value=value)
    firewall = InitiativeFactory(
        client=acme,
        title="Replace firewall",
        status=S.IN_PROGRESS,
        start_quarter=Q2,
        end_quarter=Q3,
        capex=Decimal("8000"),
        percent_complete=40,
    )
    InitiativeGoal.objects.create(initiative=firewall, goal=goal, contribution=80)
    mfa = InitiativeFactory(
        client=acme,
        title="Roll out MFA",
        status=S.SCHEDULED,
        start_quarter=Q3,
        end_quarter=Q3,
        capex=Decimal("2000"),
        opex_per_year=Decimal("1200"),
    )
    switches = InitiativeFactory(
        client=acme, title="Upgrade the switches", status=S.APPROVED, start_quarter=Q3
    )
    InitiativeFactory(client=acme, title="Old project", status=S.DONE, start_quarter=Q1)
    InitiativeFactory(client=acme, title="An idea", status=S.PROPOSED)
    InitiativeFactory(client=acme, title="Turned down", status=S.DECLINED, start_quarter=Q3)
    SpendEntry.objects.create(initiative=firewall, date=D(2026, 5, 10), amount=Decimal("4000"))
    RecommendationFactory(client=acme, key="rec.patch", title="Patch the servers", risk="high")
    laptops = RecommendationFactory(
        client=acme,
        key="rec.laptops",
        title="Replace old laptops",
        risk="medium",
        one_time_cost=Decimal("12000"),
    )
    RecommendationFactory(client=acme, key="rec.old", title="Old advice", status="dismissed")
    return {
        "client": acme,
        "patch": patch,
        "firewall": firewall,
        "mfa": mfa,
        "switches": switches,
        "laptops": laptops,
    }


def change_in_between(world) -> None:
    """What happened between the two reviews."""
    acme = world["client"]
    RecommendationFactory(
        client=acme, key="rec.mfa-mail", title="Enable MFA for email", risk="critical"
    )
    world["laptops"].status = "dismissed"
    world["laptops"].save()
    world["firewall"].status = S.DONE
    world["firewall"].percent_complete = 100
    world["firewall"].save()
    world["mfa"].end_quarter = Q4
    world["mfa"].save()
    SpendEntry.objects.create(
        initiative=world["firewall"], date=D(2026, 8, 1), amount=Decimal("10000")
    )
    KpiValue.objects.create(kpi=world["patch"], at=D(2026, 9, 1), value=86)


def texts(changes) -> list[tuple[str, str, str]]:
    return [(c.kind, c.text, c.direction) for c in changes]


# Collecting -------------------------------------------------------------------------


def test_roadmap_lists_the_next_four_quarters_with_their_budget(world):
    data = collect(world["client"], FIRST)["roadmap"]
    assert data["quarters"] == ["FY2026 Q3", "FY2026 Q4", "FY2027 Q1", "FY2027 Q2"]
    rows = {i["title"]: i for i in data["initiatives"]}
    # The firewall started last quarter and ends in this one; done, declined and
    # unscheduled work is not on the next four quarters' roadmap.
    assert set(rows) == {"Replace firewall", "Roll out MFA", "Upgrade the switches"}
    firewall = rows["Replace firewall"]
    assert (firewall["start"], firewall["end"], firewall["percent"]) == (
        "FY2026 Q2",
        "FY2026 Q3",
        40,
    )
    assert firewall["goals"] == ["Keep the office secure"]
    assert rows["Roll out MFA"]["opex_per_year"] == 1200.0
    assert data["unscheduled"] == 1
    q3 = data["budget"]["quarters"][0]
    # MFA's one-time 2,000 + a quarter of every yearly cost (MFA's 1,200) + the default
    # capex of the switches (1,000): the roadmap's money in its start quarter.
    assert (q3["label"], q3["capex"], q3["opex"]) == ("FY2026 Q3", 3000.0, 300.0)
    assert "<svg" in data["gantt"] and "Roll out MFA" in data["gantt"]


def test_goals_carry_their_kpis_values_and_serving_initiatives(world):
    (goal,) = collect(world["client"], FIRST)["goals"]["goals"]
    (kpi,) = goal["kpis"]
    assert (kpi["value"], kpi["target"], kpi["progress"]) == (70.0, 95.0, 44)
    assert kpi["points"] == 2 and kpi["first"] == ["2026-05-01", 60.0]
    assert "<svg" in kpi["chart"]
    assert goal["initiatives"] == [
        {
            "title": "Replace firewall",
            "status": "in_progress",
            "status_label": "In progress",
            "percent": 40,
        }
    ]


def test_budget_compares_plan_and_actual_to_date(world):
    data = collect(world["client"], FIRST)["budget"]
    assert data["fiscal_year"] == "FY2026"
    assert [q["label"] for q in data["quarters"]] == ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3"]
    # Old project 1,000 + firewall 8,000 + MFA 2,300 + switches 1,000 planned; 4,000 spent.
    assert (data["planned"], data["actual"], data["variance"]) == (12300.0, 4000.0, -8300.0)
    assert data["overruns"] == []


def test_recommendations_by_risk_keep_every_open_key(world):
    data = collect(world["client"], FIRST)["recommendations"]
    assert data["count"] == 2
    assert [r["title"] for r in data["top"]] == ["Patch the servers", "Replace old laptops"]
    assert data["open"] == [
        ["rec.patch", "Patch the servers", "high"],
        ["rec.laptops", "Replace old laptops", "medium"],
    ]
    assert data["closed"] == {"rec.old": "dismissed"}


def test_a_client_with_nothing_collects_empty_sections(globex):
    data = collect(globex, FIRST)
    assert data["goals"] == {} and data["budget"] == {} and data["recommendations"] == {}
    assert data["roadmap"] == {}


# What changed -----------------------------------------------------------------------


def test_what_changed_between_two_reviews(world):
    before = collect(world["client"], FIRST)
    change_in_between(world)
    after = collect(world["client"], SECOND)
    p = period(world["client"], SECOND)
    assert texts(
        recommendation_changes(before["recommendations"], after["recommendations"], p)
    ) == [
        (
            "recommendation.new",
            "New recommendation (critical risk): Enable MFA for email.",
            "worse",
        ),
        ("recommendation.resolved", "Recommendation dismissed: Replace old laptops.", "better"),
    ]
    assert texts(roadmap_changes(before["roadmap"], after["roadmap"], p)) == [
        (
            "initiative.completed",
            "Replace firewall was completed (planned to end in FY2026 Q3).",
            "better",
        ),
        ("initiative.slipped", "Roll out MFA moved from FY2026 Q3 to FY2026 Q4.", "worse"),
        (
            "initiative.slipped",
            "Upgrade the switches is late: planned to end in FY2026 Q3, "
            "still approved (0 % complete).",
            "worse",
        ),
    ]
    assert texts(budget_changes(before["budget"], after["budget"], p)) == [
        (
            "budget.variance",
            "Initiative spend to date in FY2026 is $14,000 against $12,600 planned for the "
            "quarters begun: 11 % over plan (it was 68 % under plan at the previous review).",
            "worse",
        )
    ]
    assert texts(goal_changes(before["goals"], after["goals"], p)) == [
        (
            "kpi.progress",
            "Patch compliance (Keep the office secure) moved toward its target of 95 %: "
            "from 70 % to 86 %, now 80 % of the way.",
            "better",
        )
    ]


def test_spend_far_over_plan_is_bad_news_and_the_overrun_is_named(world):
    SpendEntry.objects.create(
        initiative=world["firewall"], date=D(2026, 6, 1), amount=Decimal("20000")
    )
    data = collect(world["client"], FIRST)["budget"]
    (change,) = budget_changes(None, data, period(world["client"], FIRST))
    assert change.direction == "worse"
    assert "$24,000 against $12,300 planned" in change.text and "95 % over plan" in change.text
    assert [(i["title"], i["variance"]) for i in data["overruns"]] == [
        ("Replace firewall", 16000.0)
    ]


def test_deferred_work_slips_and_late_work_stays_on_the_roadmap(world):
    acme = world["client"]
    before = collect(acme, FIRST)["roadmap"]
    world["switches"].status = S.DEFERRED
    world["switches"].save()
    after = collect(acme, SECOND)["roadmap"]
    found = texts(roadmap_changes(before, after, period(acme, SECOND)))
    assert (
        "initiative.slipped",
        "Upgrade the switches was deferred (it was planned to end in FY2026 Q3).",
        "worse",
    ) in found
    assert (
        "initiative.slipped",
        "Replace firewall is late: planned to end in FY2026 Q3, still in progress (40 % complete).",
        "worse",
    ) in found
    # The firewall was due last quarter and is still under way: it stays on the roadmap.
    rows = {i["title"]: i for i in after["initiatives"]}
    assert rows["Replace firewall"]["late"] is True
    assert "Upgrade the switches" not in rows and "Replace firewall" in after["gantt"]


def test_a_closed_recommendation_says_how_it_was_closed(world):
    acme = world["client"]
    before = collect(acme, FIRST)["recommendations"]
    world["laptops"].status = "promoted"
    world["laptops"].save()
    Recommendation.objects.filter(client=acme, key="rec.patch").delete()
    after = collect(acme, SECOND)["recommendations"]
    assert texts(recommendation_changes(before, after, period(acme, SECOND))) == [
        ("recommendation.resolved", "Recommendation removed: Patch the servers.", "better"),
        (
            "recommendation.resolved",
            "Recommendation promoted to an initiative: Replace old laptops.",
            "better",
        ),
    ]


def test_a_first_review_has_no_changes_but_the_budget(world):
    data = collect(world["client"], FIRST)
    p = period(world["client"], FIRST)
    assert roadmap_changes(None, data["roadmap"], p) == []
    assert recommendation_changes(None, data["recommendations"], p) == []
    assert goal_changes(None, data["goals"], p) == []
    assert budget_changes(None, data["budget"], p)[0].direction == "better"


def test_moving_away_from_the_target_is_worse(world):
    before = collect(world["client"], FIRST)["goals"]
    KpiValue.objects.create(kpi=world["patch"], at=D(2026, 9, 1), value=55)
    after = collect(world["client"], SECOND)["goals"]
    (change,) = goal_changes(before, after, period(world["client"], SECOND))
    assert change.direction == "worse" and "moved away from its target" in change.text


# Templates ---------------------------------------------------------------------------

TEMPLATES = {
    "goals": "strategy/report_goals.html",
    "roadmap": "strategy/report_roadmap.html",
    "budget": "strategy/report_budget.html",
    "recommendations": "strategy/report_recommendations.html",
}
CONTEXT = {"period": {"label": "FY2026 Q2"}, "client": {"name": "Acme Corp", "currency": "USD"}}


def test_sections_render_their_data(world):
    data = collect(world["client"], FIRST)
    html = {k: render_to_string(t, {**CONTEXT, "data": data[k]}) for k, t in TEMPLATES.items()}
    assert "Patch compliance" in html["goals"] and "44 %" in html["goals"]
    assert "Replace firewall (in progress, 40 %)" in html["goals"]
    assert "Roll out MFA" in html["roadmap"] and "$1,200" in html["roadmap"]
    assert "<svg" in html["roadmap"] and "FY2027 Q2" in html["roadmap"]
    assert "$4,000" in html["budget"] and "68 % under plan" in html["budget"]
    assert "Patch the servers" in html["recommendations"] and "$12,000" in html["recommendations"]
    assert all("<script" not in h for h in html.values())


def test_a_long_roadmap_charts_its_first_initiatives_and_lists_them_all(world, monkeypatch):
    monkeypatch.setattr(review, "GANTT_BARS", 2)
    data = collect(world["client"], FIRST)["roadmap"]
    html = render_to_string(TEMPLATES["roadmap"], {**CONTEXT, "data": data})
    assert "The chart shows the first 2 of 3 initiatives" in html
    assert "Upgrade the switches</td>" in html


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_empty_sections_say_no_data_yet(key):
    assert "No data yet." in render_to_string(TEMPLATES[key], {**CONTEXT, "data": {}})


# Health --------------------------------------------------------------------------------


def test_health_counts_kpis_on_track_and_late_initiatives(acme, globex):
    today = timezone.localdate()
    goal = GoalFactory(client=acme)  # no target date: a KPI half way there is on track
    for name, value in (("Uptime", 80), ("Backups tested", 20), ("Patching", 60)):
        kpi = KpiFactory(goal=goal, name=name, baseline=0, target=100)
        KpiValue.objects.create(kpi=kpi, at=today, value=value)
    month = acme.fiscal_year_start_month
    InitiativeFactory(
        client=acme,
        title="Replace firewall",
        status=S.IN_PROGRESS,
        start_quarter=quarter_of(today, month).shift(-3).start,
        end_quarter=quarter_of(today, month).shift(-2).start,
    )
    InitiativeFactory(
        client=acme,
        title="Roll out MFA",
        status=S.SCHEDULED,
        start_quarter=quarter_of(today, month).shift(1).start,
    )
    InitiativeFactory(client=acme, title="Someday", status=S.PROPOSED)
    scores = strategy_health([acme.pk, globex.pk])
    assert globex.pk not in scores  # no goals and no initiatives: no data
    sub = scores[acme.pk]
    assert (
        sub.explanation
        == "2 of 3 KPIs on track (Backups tested off track); 1 initiative late: Replace firewall."
    )
    assert sub.score == pytest.approx((200 / 3 + 50) / 2, abs=0.1)


def test_health_without_anything_measurable_has_no_score(acme):
    GoalFactory(client=acme)
    sub = strategy_health([acme.pk])[acme.pk]
    assert sub.score is None and "No KPI" in sub.explanation


# Query counts ---------------------------------------------------------------------------


def add_rows(client, n: int) -> None:
    """``n`` more goals with KPIs and values, initiatives with spend, recommendations."""
    for i in range(n):
        goal = GoalFactory(client=client)
        kpi = KpiFactory(goal=goal, baseline=0, target=100)
        KpiValue.objects.create(kpi=kpi, at=D(2026, 5, 1), value=i)
        item = InitiativeFactory(
            client=client, status=S.SCHEDULED, start_quarter=Q3, end_quarter=Q4
        )
        InitiativeGoal.objects.create(initiative=item, goal=goal)
        SpendEntry.objects.create(initiative=item, date=D(2026, 7, 2), amount=Decimal("10"))
        RecommendationFactory(client=client, risk="high")


def queries(client) -> dict[str, int]:
    p = period(client, FIRST)
    counts = {}
    for name, fn in (
        ("goals", review.collect_goals),
        ("roadmap", review.collect_roadmap),
        ("budget", review.collect_budget),
        ("recommendations", review.collect_recommendations),
        ("health", lambda p: strategy_health([p.client_id])),
    ):
        with CaptureQueriesContext(connection) as ctx:
            fn(p)
        counts[name] = len(ctx)
    return counts


def test_collecting_runs_a_fixed_number_of_queries(world, globex):
    add_rows(world["client"], 5)
    few = queries(world["client"])
    add_rows(world["client"], 10)
    assert queries(world["client"]) == few
    with CaptureQueriesContext(connection) as one:
        strategy_health([world["client"].pk])
    add_rows(globex, 5)
    with CaptureQueriesContext(connection) as two:
        strategy_health([world["client"].pk, globex.pk])
    assert len(two) == len(one)


# The whole report ---------------------------------------------------------------------------


def test_the_report_of_a_review_shows_the_strategy_sections(world, bob):
    qbr = services.create_review(world["client"], "qbr", Q2, D(2026, 6, 30), bob)
    html = render_report(qbr, services.report_snapshot(qbr, today=FIRST))
    for title in (
        "Business goals and KPIs",
        "Roadmap: the next four quarters",
        "Budget: plan against actual",
        "Recommendations",
    ):
        assert title in html
    assert "Roll out MFA" in html and "Patch the servers" in html
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes(html))).pages)
    assert "Roadmap" in text and "Upgrade the switches" in text
