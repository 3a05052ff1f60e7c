"""Satisfaction per round: means per department, per service and overall, checked by hand."""

from __future__ import annotations

import datetime

from vcio.needs.satisfaction import trends
from vcio.needs.tests.flow import department, submit, survey_round

SPRING = datetime.date(2026, 3, 2)
SUMMER = datetime.date(2026, 6, 1)


def two_rounds(client):
    sales, finance = department(client, "Sales"), department(client, "Finance")
    spring = survey_round(client, SPRING, "Spring 2026")
    submit(spring, sales, 2, {"Email": 3, "CRM": 1})
    submit(spring, sales, 3, {"Email": 4})
    submit(spring, finance, 5, {"Email": 5})
    summer = survey_round(client, SUMMER, "Summer 2026")
    submit(summer, sales, 4, {"CRM": 3}, on=SUMMER + datetime.timedelta(days=3))
    submit(summer, finance, 3, {"Email": 2, "CRM": 4}, on=SUMMER + datetime.timedelta(days=5))
    return sales, finance


def test_means_per_department_service_and_overall_by_hand(acme):
    sales, finance = two_rounds(acme)
    trend = trends([acme.pk])[acme.pk]
    assert [r.title for r in trend.rounds] == ["Spring 2026", "Summer 2026"]
    spring, summer = trend.rounds
    # Spring: Sales rated 2 and 3 → 2.5; Finance 5; overall (2 + 3 + 5) / 3 = 3.33.
    assert spring.departments[sales.pk][1].mean == 2.5
    assert spring.departments[sales.pk][1].n == 2
    assert spring.departments[finance.pk][1].mean == 5.0
    assert (spring.overall.mean, spring.overall.n) == (3.33, 3)
    # Email 3, 4, 5 → 4; CRM 1 → 1.
    assert (spring.services["Email"].mean, spring.services["Email"].n) == (4.0, 3)
    assert spring.services["CRM"].mean == 1.0
    # Summer: Sales 4, Finance 3 → 3.5; CRM (3 + 4) / 2 = 3.5; Email 2.
    assert summer.overall.mean == 3.5
    assert summer.services["CRM"].mean == 3.5
    # Trend: the last round against the one before.
    assert trend.overall_change() == round(3.5 - 10 / 3, 2)
    rows = {d["name"]: d for d in trend.department_changes()}
    assert rows["Sales"]["change"] == 1.5 and rows["Finance"]["change"] == -2.0
    services = {d["name"]: d for d in trend.service_changes()}
    assert services["Email"] == {"name": "Email", "now": 2.0, "n": 1, "before": 4.0,
                                 "change": -2.0}  # fmt: skip


def test_as_of_a_day_ignores_later_rounds_and_answers(acme):
    two_rounds(acme)
    # The day before summer opened: only spring.
    before = trends([acme.pk], SUMMER - datetime.timedelta(days=1))[acme.pk]
    assert [r.title for r in before.rounds] == ["Spring 2026"]
    assert before.overall_change() is None
    # Summer open, Sales answered (day 3), Finance not yet (day 5): summer's overall is 4.
    midway = trends([acme.pk], SUMMER + datetime.timedelta(days=4))[acme.pk]
    assert midway.latest.title == "Summer 2026"
    assert (midway.latest.overall.mean, midway.latest.overall.n) == (4.0, 1)


def test_a_round_without_ratings_and_a_client_without_rounds(acme, globex):
    two_rounds(acme)
    survey_round(acme, SUMMER + datetime.timedelta(days=90), "Autumn 2026")  # sent, no answers
    found = trends([acme.pk, globex.pk])
    assert found[acme.pk].latest.title == "Summer 2026"
    assert found[globex.pk].rounds == []


def test_one_query_for_many_clients(acme, globex, django_assert_num_queries):
    two_rounds(acme)
    two_rounds(globex)
    with django_assert_num_queries(1):
        found = trends([acme.pk, globex.pk])
    assert found[globex.pk].latest.overall.mean == 3.5
