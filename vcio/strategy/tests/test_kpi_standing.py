"""Is a KPI on track? Progress against the progress its goal's time line expects.

The rule (``vcio.strategy.kpis.standing``): off track when the value is worse
than the baseline (moving away from the target), or when less of the way is
done than the time passed since the goal was set asks for. The goal page, the
review report and the strategy health sub-score all say the same.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from vcio.core.fiscal import quarter_of
from vcio.core.registry import ReviewPeriod
from vcio.strategy import review
from vcio.strategy.kpis import record_value
from vcio.strategy.models import BusinessGoal
from vcio.strategy.review_changes import strategy_health
from vcio.strategy.tests.factories import GoalFactory, KpiFactory


def _goal(client, *, set_days_ago: int, target_in_days: int, title: str = "Keep devices supported"):
    today = timezone.localdate()
    goal = GoalFactory(
        client=client, title=title, target_date=today + datetime.timedelta(days=target_in_days)
    )
    # The goal was set ``set_days_ago`` days ago: its time line starts then.
    set_at = timezone.now() - datetime.timedelta(days=set_days_ago)
    BusinessGoal.objects.filter(pk=goal.pk).update(created_at=set_at)
    goal.refresh_from_db()
    return goal


def _kpi(goal, name: str, baseline, target, value):
    kpi = KpiFactory(
        goal=goal, name=name, unit="%", baseline=Decimal(str(baseline)), target=Decimal(str(target))
    )
    record_value(kpi, Decimal(str(value)), timezone.localdate())
    return kpi


def _report_html(client) -> str:
    today = timezone.localdate()
    quarter = quarter_of(today, client.fiscal_year_start_month).shift(-1)
    data = review.collect_goals(ReviewPeriod(client.pk, "qbr", quarter.start, quarter.end, today))
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return render_to_string(
        "strategy/report_goals.html",
        {
            "data": data,
            "period": {"label": quarter.label},
            "client": {"name": client.name, "currency": "USD"},
        },
    )


def test_a_kpi_worse_than_its_baseline_is_off_track_even_on_the_day_the_goal_is_set(
    client, acme, bob
):
    # The case: 47.9 % of devices under warranty, baseline 62 %, target 85 %.
    # The goal was set today, so no progress is expected yet; but the value moved away.
    goal = _goal(acme, set_days_ago=0, target_in_days=365)
    _kpi(goal, "Devices under warranty", 62, 85, 47.9)

    sub = strategy_health([acme.pk])[acme.pk]
    assert sub.explanation.startswith("0 of 1 KPI on track (Devices under warranty off track)")
    assert sub.score == 0

    client.force_login(bob)
    page = client.get(reverse("strategy:goal_detail", kwargs={"client": acme.slug, "pk": goal.pk}))
    text = page.content.decode()
    assert "0 % of the way, 0 % expected by now" in text
    assert (
        "Off track: moving away from the target: "
        "47.9 % against a baseline of 62 % and a target of 85 %" in text
    )
    listing = client.get(
        reverse("strategy:goal_list", kwargs={"client": acme.slug})
    ).content.decode()
    assert "<strong>off track</strong>" in listing

    html = _report_html(acme)
    assert "0 % off track: moving away from the target" in html
    assert "on track" not in html


def test_a_kpi_behind_its_time_line_is_off_track_and_one_ahead_is_on_track(client, acme, bob):
    # Set 100 days ago, due in 100 days: half the time line has passed, so half the
    # way from baseline to target is expected (100 / 200 = 50 %).
    goal = _goal(acme, set_days_ago=100, target_in_days=100)
    _kpi(goal, "Backups tested", 0, 100, 30)  # 30 % of the way: behind
    _kpi(goal, "Patch compliance", 40, 90, 70)  # (70 - 40) / (90 - 40) = 60 %: ahead

    sub = strategy_health([acme.pk])[acme.pk]
    assert sub.explanation.startswith("1 of 2 KPIs on track (Backups tested off track)")
    assert sub.score == 50

    client.force_login(bob)
    text = client.get(
        reverse("strategy:goal_detail", kwargs={"client": acme.slug, "pk": goal.pk})
    ).content.decode()
    assert "30 % of the way, 50 % expected by now" in text
    assert "Off track: behind: 30 % of the way, 50 % expected by now" in text
    assert "60 % of the way, 50 % expected by now" in text
    assert "On track" in text

    html = _report_html(acme)
    assert "30 % off track: behind: 30 % of the way, 50 % expected by now" in html
    assert "60 % on track" in html


@pytest.mark.parametrize(
    ("value", "on_track"),
    [(62, True), (61.9, False), (85, True), (90, True)],
)
def test_at_the_baseline_on_the_first_day_is_on_track_and_any_step_back_is_not(
    acme, value, on_track
):
    goal = _goal(acme, set_days_ago=0, target_in_days=365)
    _kpi(goal, "Devices under warranty", 62, 85, value)
    sub = strategy_health([acme.pk])[acme.pk]
    assert sub.score == (100 if on_track else 0)


def test_a_kpi_where_lower_is_better_moving_up_is_off_track(acme):
    goal = _goal(acme, set_days_ago=0, target_in_days=365)
    _kpi(goal, "Open critical findings", 12, 2, 15)
    sub = strategy_health([acme.pk])[acme.pk]
    assert sub.explanation.startswith("0 of 1 KPI on track (Open critical findings off track)")
