"""The needs pages: list, board, detail, add and edit; the satisfaction page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.needs.models import NEED_TEXT_MAX, Need, NeedStatus
from vcio.needs.tests.flow import department, need, submit, survey_round
from vcio.strategy.tests.factories import GoalFactory, InitiativeFactory

LIST = "/clients/acme/needs/"
XSS = "<script>alert(1)</script>"


def form(acme, **changes):
    data = {
        "department": department(acme, "Sales").pk,
        "kind": "request",
        "text": "A CRM that works on phones",
        "urgency": 3,
        "raised_on": "2026-05-01",
        "due_on": "2026-09-30",
        "goal": "",
        "status": "open",
        "theme": "",
    }
    data.update(changes)
    return data


def test_list_filters_by_department_status_and_theme(login, bob, acme):
    sales, finance = department(acme, "Sales"), department(acme, "Finance")
    need(acme, "CRM is slow", department=sales, theme="crm")
    need(acme, "Payroll export", department=finance, theme="payroll")
    need(acme, "CRM mobile", department=sales, theme="crm", status=NeedStatus.DONE)
    page = login(bob).get(LIST, {"department": sales.pk}).content.decode()
    assert "CRM is slow" in page and "CRM mobile" in page and "Payroll export" not in page
    page = login(bob).get(LIST, {"status": "open", "theme": "crm"}).content.decode()
    assert "CRM is slow" in page and "CRM mobile" not in page and "Payroll" not in page
    assert "Add a need" in page


def test_a_client_executive_reads_but_does_not_edit(login, carol, acme):
    n = need(acme, "Reads this")
    page = login(carol).get(LIST).content.decode()
    assert "Reads this" in page and "Add a need" not in page
    assert login(carol).get(f"{LIST}{n.pk}/edit/").status_code == 403
    assert login(carol).post(f"{LIST}new/", form(acme)).status_code == 403
    assert Need.objects.count() == 1


def test_another_clients_user_sees_nothing(login, dave, acme):
    n = need(acme, "Acme's secret need")
    assert login(dave).get(LIST).status_code == 404
    assert login(dave).get(f"{LIST}{n.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["", "board/"])
def test_queries_do_not_grow_with_the_number_of_needs(login, bob, acme, path):
    goal, plan = GoalFactory(client=acme), InitiativeFactory(client=acme)
    sales = department(acme, "Sales")

    def count(total: int) -> int:
        Need.objects.all().delete()
        for i in range(total):
            need(acme, f"Need {i}", department=sales, goal=goal, initiative=plan, theme="t")
        http = login(bob)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(LIST + path).status_code == 200
        return len(ctx.captured_queries)

    assert count(5) == count(50)


def test_need_text_is_escaped_everywhere(login, bob, acme):
    n = need(acme, f"Fix {XSS} now", theme=XSS, department=department(acme, XSS))
    for path in ("", "board/", f"{n.pk}/"):
        page = login(bob).get(LIST + path).content.decode()
        assert XSS not in page, path
        assert "&lt;script&gt;" in page


def test_add_a_need_with_a_goal(login, bob, acme):
    goal = GoalFactory(client=acme, title="Sell more")
    r = login(bob).post(f"{LIST}new/", form(acme, goal=goal.pk))
    assert r.status_code == 302
    n = Need.objects.get()
    assert (n.goal, n.created_by, n.due_on) == (goal, bob, datetime.date(2026, 9, 30))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("goal", "other", "That goal is not one of this client&#x27;s goals."),
        ("department", "other", "That department is not one of this client&#x27;s."),
        ("text", "x" * (NEED_TEXT_MAX + 1), "at most 2000 characters"),
        ("due_on", "2026-04-01", "The due date 2026-04-01 is before the day the need was raised"),
        ("raised_on", "31/02/2026", "Enter a valid date."),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(login, bob, acme, globex, field, value,
                                                     message):  # fmt: skip
    if value == "other":
        value = (GoalFactory(client=globex) if field == "goal"
                 else department(globex, "Globex sales")).pk  # fmt: skip
    r = login(bob).post(f"{LIST}new/", form(acme, **{field: value}))
    assert r.status_code == 400
    page = r.content.decode()
    assert message in page
    assert f'id="id_{field}-errors"' in page
    assert not Need.objects.exists()


def test_edit_changes_status_and_theme_and_keeps_others_goals_out(login, bob, acme, globex):
    n = need(acme, "Tablets", department=department(acme, "Sales"))
    data = form(acme, text="Tablets", status="dismissed", theme="devices")
    assert login(bob).post(f"{LIST}{n.pk}/edit/", data).status_code == 302
    n.refresh_from_db()
    assert (n.status, n.theme) == ("dismissed", "devices")
    bad = form(acme, goal=GoalFactory(client=globex).pk)
    assert login(bob).post(f"{LIST}{n.pk}/edit/", bad).status_code == 400
    n.refresh_from_db()
    assert n.goal is None and n.status == "dismissed"


def test_detail_shows_the_source_answer_and_round(login, bob, acme):
    sales = department(acme, "Sales")
    rnd = survey_round(acme, datetime.date(2026, 3, 2), "Spring 2026")
    invitation = submit(rnd, sales, 3, pain="Quotes are slow")
    answer = invitation.answers.get(question__key="pains")
    n = need(acme, "Quotes are slow", answer=answer, department=sales)
    page = login(bob).get(f"{LIST}{n.pk}/").content.decode()
    assert "Spring 2026" in page and "What gets in your way?" in page


def test_satisfaction_page_draws_a_chart_per_department_and_service(login, carol, acme):
    sales = department(acme, "Sales")
    finance = department(acme, "Finance")
    for day, title, (s, f) in ((datetime.date(2026, 3, 2), "Spring", (2, 4)),
                               (datetime.date(2026, 6, 1), "Summer", (4, 3))):  # fmt: skip
        rnd = survey_round(acme, day, title)
        submit(rnd, sales, s, {"Email": s})
        submit(rnd, finance, f, {"Email": f, "ERP": 5})
    page = login(carol).get(f"{LIST}satisfaction/").content.decode()
    assert page.count("<svg") >= 2
    assert "IT satisfaction per department" in page and "Satisfaction per business service" in page
    assert "3.5 / 5" in page  # summer: (4 + 3) / 2
    assert "n=2" in page


def test_satisfaction_page_without_answers(login, bob, acme):
    page = login(bob).get(f"{LIST}satisfaction/").content.decode()
    assert "No survey answers yet." in page
