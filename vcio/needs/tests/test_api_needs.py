"""Needs API: CRUD scoped to the user's clients, EDIT to write, same-client checks; satisfaction."""

from __future__ import annotations

import datetime

import pytest

from vcio.needs.models import Need
from vcio.needs.tests.flow import department, need, submit, survey_round
from vcio.strategy.tests.factories import GoalFactory

URL = "/api/needs/"


def body(acme, **changes):
    data = {"client": "acme", "department": department(acme, "Sales").pk, "kind": "pain",
            "text": "The VPN drops", "urgency": 3, "raised_on": "2026-05-01"}  # fmt: skip
    data.update(changes)
    return data


def test_a_consultant_creates_reads_updates_and_deletes(api, bob, acme):
    goal = GoalFactory(client=acme)
    r = api(bob).post(URL, body(acme, goal=goal.pk, due_on="2026-06-30"), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["goal"] == goal.pk and r.json()["initiative"] is None
    pk = r.json()["id"]
    assert Need.objects.get(pk=pk).created_by == bob
    r = api(bob).patch(f"{URL}{pk}/", {"status": "done", "theme": "network"}, format="json")
    assert (r.status_code, r.json()["status"], r.json()["theme"]) == (200, "done", "network")
    assert api(bob).get(URL, {"status": "done"}).json()["count"] == 1
    assert api(bob).delete(f"{URL}{pk}/").status_code == 204


def test_readers_read_and_cannot_write(api, carol, dave, acme):
    n = need(acme, "Acme need")
    assert api(carol).get(f"{URL}{n.pk}/").json()["text"] == "Acme need"
    assert api(carol).patch(f"{URL}{n.pk}/", {"text": "x"}, format="json").status_code == 403
    assert api(carol).post(URL, body(acme), format="json").status_code == 403
    assert api(dave).get(f"{URL}{n.pk}/").status_code == 404
    assert api(dave).get(URL).json()["count"] == 0


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("goal", "globex-goal", "belongs to another client"),
        ("department", "globex-dept", "belongs to another client"),
        ("goal", "99999999", "no goal with id"),
        ("text", "x" * 2001, "2000"),
        ("due_on", "2026-04-01", "before the day the need was raised"),
        ("urgency", 9, "valid choice"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, alice, acme, globex, field, value, words):
    if value == "globex-goal":
        value = GoalFactory(client=globex).pk
    elif value == "globex-dept":
        value = department(globex, "Globex sales").pk
    r = api(alice).post(URL, body(acme, **{field: value}), format="json")
    assert r.status_code == 400
    assert words in " ".join(r.json()[field])
    assert not Need.objects.exists()


def test_an_update_cannot_be_due_before_raised(api, bob, acme):
    n = need(acme, "x", raised_on=datetime.date(2026, 5, 1))
    r = api(bob).patch(f"{URL}{n.pk}/", {"due_on": "2026-01-01"}, format="json")
    assert r.status_code == 400 and "due_on" in r.json()


def test_satisfaction_trend_per_client(api, bob, dave, acme, globex):
    sales = department(acme, "Sales")
    for day, title, rating in ((datetime.date(2026, 3, 2), "Spring", 2),
                               (datetime.date(2026, 6, 1), "Summer", 4)):  # fmt: skip
        submit(survey_round(acme, day, title), sales, rating, {"Email": rating + 1})
    r = api(bob).get("/api/needs-satisfaction/acme/")
    assert r.status_code == 200
    data = r.json()
    assert [x["overall"] for x in data["rounds"]] == [2.0, 4.0]
    assert data["overall_change"] == 2.0
    assert data["departments"] == [{"name": "Sales", "now": 4.0, "before": 2.0, "change": 2.0,
                                    "n": 1}]  # fmt: skip
    assert data["services"][0]["name"] == "Email" and data["services"][0]["now"] == 5.0
    assert api(dave).get("/api/needs-satisfaction/acme/").status_code == 404
    listed = api(dave).get("/api/needs-satisfaction/").json()
    assert [c["client"] for c in listed["results"]] == ["globex"]


def test_list_queries_do_not_grow(api, bob, acme, django_assert_max_num_queries):
    for i in range(30):
        need(acme, f"n{i}", department=department(acme, "Sales"))
    http = api(bob)
    http.get(URL)
    with django_assert_max_num_queries(12):
        assert http.get(URL).json()["count"] == 30
