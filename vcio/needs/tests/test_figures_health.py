"""The needs figures (KPIs) and the IT satisfaction part of a client's health."""

from __future__ import annotations

import datetime

from vcio.core.registry import compute_figures, figures, health_components
from vcio.needs.health import URGENT_POINTS, health
from vcio.needs.models import NeedStatus, Urgency
from vcio.needs.tests.flow import department, need, submit, survey_round
from vcio.strategy.tests.factories import InitiativeFactory

SPRING = datetime.date(2026, 3, 2)
SUMMER = datetime.date(2026, 6, 1)
KEYS = ["needs.it_satisfaction", "needs.open_needs", "needs.needs_with_initiative"]


def rounds(client):
    sales, finance = department(client, "Sales"), department(client, "Finance")
    spring = survey_round(client, SPRING, "Spring")
    submit(spring, sales, 2)
    submit(spring, finance, 3)
    summer = survey_round(client, SUMMER, "Summer")
    submit(summer, sales, 4)
    submit(summer, finance, 5)
    submit(summer, finance, 5)


def test_figures_are_registered_with_units():
    for key in KEYS:
        assert key in figures
    assert figures.get("needs.needs_with_initiative").unit == "%"


def test_it_satisfaction_is_the_latest_round_as_of_the_day(acme, globex):
    rounds(acme)
    on = lambda day: compute_figures([acme.pk, globex.pk], ["needs.it_satisfaction"], day)  # noqa: E731
    # Summer: (4 + 5 + 5) / 3 = 4.67; before summer opened: spring's (2 + 3) / 2 = 2.5.
    assert on(SUMMER)["needs.it_satisfaction"] == {acme.pk: 4.67, globex.pk: None}
    assert on(SUMMER - datetime.timedelta(days=1))["needs.it_satisfaction"][acme.pk] == 2.5
    assert on(SPRING - datetime.timedelta(days=1))["needs.it_satisfaction"][acme.pk] is None


def test_open_needs_and_needs_with_an_initiative(acme, globex):
    plan = InitiativeFactory(client=acme)
    need(acme, "a", raised_on=SPRING)
    need(acme, "b", raised_on=SPRING, status=NeedStatus.PLANNED, initiative=plan)
    need(acme, "c", raised_on=SUMMER)
    need(acme, "d", raised_on=SPRING, status=NeedStatus.DISMISSED)
    need(acme, "e", raised_on=SPRING, status=NeedStatus.DONE, initiative=plan)
    found = compute_figures([acme.pk, globex.pk], KEYS[1:], SUMMER)
    assert found["needs.open_needs"] == {acme.pk: 2, globex.pk: 0}
    # Raised by summer, dismissed aside: a, b, c, e; b and e have an initiative → 50 %.
    assert found["needs.needs_with_initiative"] == {acme.pk: 50.0, globex.pk: None}
    early = compute_figures([acme.pk], KEYS[1:], SPRING)
    assert early["needs.open_needs"][acme.pk] == 1
    assert early["needs.needs_with_initiative"][acme.pk] == round(100 * 2 / 3, 1)


def test_health_from_the_mean_less_urgent_needs_without_initiative(acme, globex):
    rounds(acme)
    need(acme, "urgent", raised_on=SUMMER, urgency=Urgency.CRITICAL)
    need(acme, "urgent but planned", raised_on=SUMMER, urgency=Urgency.HIGH,
         initiative=InitiativeFactory(client=acme), status=NeedStatus.PLANNED)  # fmt: skip
    need(acme, "not urgent", raised_on=SUMMER, urgency=Urgency.MEDIUM)
    scores = health([acme.pk, globex.pk], SUMMER)
    mean = (4 + 5 + 5) / 3
    assert scores[acme.pk].score == round((round(mean, 2) - 1) / 4 * 100 - URGENT_POINTS, 1)
    assert "4.67 / 5" in scores[acme.pk].explanation
    assert "1 urgent need without an initiative" in scores[acme.pk].explanation
    assert scores[globex.pk].score is None
    # Before summer: spring's 2.5 → 37.5, and the urgent need was not raised yet.
    assert health([acme.pk], SPRING)[acme.pk].score == 37.5
    component = health_components.get("it_satisfaction")
    assert component.label == "IT satisfaction" and component.weight < 10


def test_fixed_queries(acme, globex, django_assert_max_num_queries):
    rounds(acme)
    rounds(globex)
    with django_assert_max_num_queries(len(KEYS) + 1):
        compute_figures([acme.pk, globex.pk], KEYS)
    with django_assert_max_num_queries(2):
        health([acme.pk, globex.pk])
