"""Transparent scoring: every score expands to parts that add up to it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.strategy.models import Priority, ScoringWeights
from vcio.strategy.scoring import (
    GoalLink,
    InitiativeData,
    score,
    score_all,
    urgency_from_due,
)
from vcio.strategy.services import link_goal
from vcio.strategy.tests.factories import GoalFactory, InitiativeFactory

TODAY = datetime.date(2026, 11, 28)  # FY2026 Q4 for a calendar fiscal year


def data(**fields) -> InitiativeData:
    defaults = dict(
        id=1,
        capex=Decimal("5000"),
        opex_per_year=Decimal("1000"),
        effort_days=Decimal("10"),
        benefit=4,
        risk_reduction=5,
        urgency=3,
        goals=(GoalLink("Grow exports", 50, Priority.HIGH),),
        max_cost=Decimal("12000"),
        max_effort=Decimal("40"),
    )
    return InitiativeData(**{**defaults, **fields})


def test_parts_add_up_to_the_total_and_explain_themselves():
    breakdown = score(data())
    parts = {p.name: p for p in breakdown.parts}

    assert sum(p.points for p in breakdown.parts) == pytest.approx(breakdown.total)
    assert list(parts) == ["alignment", "risk", "urgency", "benefit", "cost", "effort"]
    # 50 % of a high-priority goal (weight 0.75) = 0.375 of full alignment.
    assert parts["alignment"].normalised == pytest.approx(0.375)
    assert parts["alignment"].points == pytest.approx(0.375 * 30)
    assert "50 % of “Grow exports” (high priority)" in parts["alignment"].explanation
    assert parts["risk"].normalised == 1.0 and parts["risk"].points == pytest.approx(20)
    assert parts["urgency"].normalised == 0.5
    # Costs 6,000 in its first year of the client's largest 12,000: half as good as free.
    assert parts["cost"].normalised == pytest.approx(0.5)
    assert "Costs 6,000 in its first year, against 12,000" in parts["cost"].explanation
    assert parts["effort"].normalised == pytest.approx(0.75)
    assert 0 <= breakdown.total <= 100


def test_weights_change_the_total_but_not_the_parts_meaning():
    only_risk = score(
        data(), {"alignment": 0, "risk": 1, "urgency": 0, "benefit": 0, "cost": 0, "effort": 0}
    )
    assert only_risk.total == pytest.approx(100)
    assert [p.points for p in only_risk.parts if p.name != "risk"] == [0] * 5


def test_best_possible_initiative_scores_100():
    best = data(
        capex=Decimal("0"),
        opex_per_year=Decimal("0"),
        effort_days=Decimal("0"),
        benefit=5,
        risk_reduction=5,
        urgency=5,
        goals=(GoalLink("Survive", 100, Priority.CRITICAL),),
    )
    assert score(best).total == pytest.approx(100)
    assert score(data(goals=())).parts[0].explanation == "Linked to no business goal."


def test_all_zero_weights_are_refused():
    with pytest.raises(ValueError, match="At least one weight must be above zero"):
        score(
            data(), dict.fromkeys(("alignment", "risk", "urgency", "benefit", "cost", "effort"), 0)
        )


@pytest.mark.parametrize(
    "due,level",
    [
        (datetime.date(2026, 1, 1), 5),  # overdue
        (datetime.date(2026, 12, 31), 5),  # this quarter
        (datetime.date(2027, 3, 31), 5),  # next quarter
        (datetime.date(2027, 6, 1), 4),
        (datetime.date(2027, 12, 1), 3),
        (datetime.date(2028, 12, 1), 2),
        (datetime.date(2030, 1, 1), 1),
    ],
)
def test_urgency_is_derived_from_the_due_date(due, level):
    assert urgency_from_due(due, TODAY, 1) == level


def test_score_all_uses_the_clients_weights_and_links_in_constant_queries(acme, globex):
    goal = GoalFactory(client=acme, title="Keep the plant running", priority=Priority.CRITICAL)
    cheap = InitiativeFactory(client=acme, capex=Decimal("1000"), urgency=1)
    dear = InitiativeFactory(client=acme, capex=Decimal("10000"), due_date=TODAY, urgency=1)
    link_goal(dear, goal, 100)
    InitiativeFactory(client=globex, capex=Decimal("999999"))  # not Acme's yardstick
    ScoringWeights.objects.create(
        client=acme, alignment=50, risk=0, urgency=50, benefit=0, cost=0, effort=0
    )

    with CaptureQueriesContext(connection) as ctx:
        scores = score_all(acme.pk, today=TODAY)
    assert len(ctx.captured_queries) == 4

    assert set(scores) == {cheap.pk, dear.pk}
    dear_parts = {p.name: p for p in scores[dear.pk].parts}
    assert dear_parts["urgency"].raw == 5  # derived from the due date, not the entered 1
    assert dear_parts["alignment"].points == pytest.approx(50)
    assert scores[dear.pk].total == pytest.approx(100)
    assert scores[cheap.pk].total == pytest.approx(0)

    for _ in range(10):
        InitiativeFactory(client=acme)
    with CaptureQueriesContext(connection) as ctx:
        score_all(acme.pk, today=TODAY)
    assert len(ctx.captured_queries) == 4
