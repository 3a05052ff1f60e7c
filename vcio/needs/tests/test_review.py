"""The review section: satisfaction per department this round vs last, new and planned needs."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string

from vcio.core.registry import ReviewPeriod, report_sections
from vcio.needs.models import NeedStatus, Urgency
from vcio.needs.review import changes, collect
from vcio.needs.tests.flow import department, need, submit, survey_round
from vcio.strategy.tests.factories import InitiativeFactory

SPRING = datetime.date(2026, 3, 2)
SUMMER = datetime.date(2026, 6, 1)
XSS = "<script>alert(1)</script>"


def period(client, start, end):
    return ReviewPeriod(client.pk, "qbr", start, end, end)


def setup(client):
    sales, finance = department(client, "Sales"), department(client, "Finance")
    spring = survey_round(client, SPRING, "Spring")
    submit(spring, sales, 2)
    submit(spring, finance, 4)
    summer = survey_round(client, SUMMER, "Summer")
    submit(summer, sales, 4)
    submit(summer, finance, 2)
    need(client, "Old need", raised_on=SPRING, department=sales)
    need(client, f"New need {XSS}", raised_on=SUMMER, department=finance, urgency=Urgency.HIGH)
    return sales, finance


def test_collect_compares_departments_and_lists_new_needs(acme):
    setup(acme)
    data = collect(period(acme, SUMMER, SUMMER + datetime.timedelta(days=30)))
    s = data["satisfaction"]
    assert (s["round"], s["overall"], s["previous_overall"], s["change"]) == (
        "Summer", 3.0, 3.0, 0.0)  # fmt: skip
    rows = {d["name"]: d for d in s["departments"]}
    assert (rows["Sales"]["now"], rows["Sales"]["before"], rows["Sales"]["direction"]) == (
        4.0, 2.0, "up")  # fmt: skip
    assert rows["Finance"]["direction"] == "down"
    assert [n["text"] for n in data["new"]] == [f"New need {XSS}"]
    assert data["open_count"] == 2


def test_changes_name_departments_up_and_down_new_and_planned_needs(acme):
    setup(acme)
    first = collect(period(acme, SPRING, SPRING + datetime.timedelta(days=60)))
    n = need(acme, "Planned one", raised_on=SPRING, status=NeedStatus.PLANNED,
             initiative=InitiativeFactory(client=acme, title="CRM upgrade"))  # fmt: skip
    later = period(acme, SUMMER, SUMMER + datetime.timedelta(days=30))
    current = collect(later)
    found = {(c.kind, c.direction): c.text for c in changes(first, current, later)}
    assert found[("needs.satisfaction_up", "better")].startswith("Sales rates IT 4.00 / 5, up")
    assert found[("needs.satisfaction_down", "worse")].startswith("Finance rates IT 2.00 / 5")
    assert found[("needs.new", "neutral")] == "1 new need raised (Finance)."
    assert "Planned one" in found[("needs.planned", "better")]
    assert "CRM upgrade" in found[("needs.planned", "better")]
    # The same snapshot twice: nothing new about satisfaction or planning.
    again = [c.kind for c in changes(current, current, later)]
    assert "needs.planned" not in again and "needs.satisfaction_up" not in again
    assert n.pk in current["planned_ids"]


def test_template_escapes_need_text_and_says_no_data(acme, globex):
    setup(acme)
    section = report_sections.get("needs")
    assert section.title == "Departments' needs and satisfaction"
    data = collect(period(acme, SUMMER, SUMMER + datetime.timedelta(days=30)))
    html = render_to_string(section.template, {"data": data})
    assert XSS not in html and "&lt;script&gt;" in html
    assert "▲ up" in html and "▼ down" in html
    assert collect(period(globex, SPRING, SUMMER)) == {}
    assert "No data yet." in render_to_string(section.template, {"data": {}})
