"""The strategy API, part two: initiatives, their goal links, milestones and spend."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from vcio.core.models import AuditEvent, Contact
from vcio.core.tests.factories import make_token
from vcio.strategy.models import Initiative, InitiativeGoal, Milestone, SpendEntry
from vcio.strategy.tests.factories import GoalFactory, InitiativeFactory


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def queries(http: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def acme_april(acme):
    """Acme with a fiscal year starting in April (FY2027 runs April 2026 – March 2027)."""
    acme.fiscal_year_start_month = 4
    acme.save()
    return acme


# --- initiatives ----------------------------------------------------------------------------


def test_an_initiative_round_trip_with_quarters_score_and_dependencies(api, bob, acme_april):
    first = InitiativeFactory(client=acme_april, title="Replace the firewall")
    http = api(bob)
    response = http.post(
        "/api/initiatives/",
        {
            "client": "acme",
            "title": "Zero-trust network",
            "capex": "12000",
            "effort_days": "20",
            "benefit": 4,
            "requires": [first.pk],
            "start_quarter": "2026-05-15",
            "end_quarter": "2027-02-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["requires"] == [first.pk] and body["status"] == "proposed"
    # Any day of a quarter is stored as the quarter's first day, labelled in the client's FY.
    assert body["start_quarter"] == "2026-04-01" and body["start_quarter_label"] == "FY2027 Q1"
    assert body["end_quarter"] == "2027-01-01" and body["end_quarter_label"] == "FY2027 Q4"
    assert 0 < body["score"] <= 100
    parts = {p["name"]: p for p in body["score_breakdown"]}
    assert set(parts) == {"alignment", "risk", "urgency", "benefit", "cost", "effort"}
    assert round(sum(p["points"] for p in parts.values()), 1) == round(body["score"], 1)
    assert parts["alignment"]["explanation"] == "Linked to no business goal."
    pk = body["id"]
    response = http.patch(f"/api/initiatives/{pk}/", {"requires": []}, format="json")
    assert response.status_code == 200 and response.json()["requires"] == []
    assert http.get(f"/api/initiatives/{pk}/").json()["requires"] == []
    update = AuditEvent.objects.get(object_id=str(pk), action="update")
    assert update.changes["requires"] == [[first.pk], []]
    assert http.delete(f"/api/initiatives/{pk}/").status_code == 204
    assert not Initiative.objects.filter(pk=pk).exists()


def test_a_token_lists_initiatives_with_goals_and_scores(api, bob, acme):
    goal = GoalFactory(client=acme, title="Stay open for business", priority=4)
    item = InitiativeFactory(client=acme, title="Backups")
    InitiativeGoal.objects.create(initiative=item, goal=goal, contribution=80)
    InitiativeFactory(client=acme, title="Intranet")
    _, key = make_token(bob)
    rows = {r["title"]: r for r in results(api(token=key).get("/api/initiatives/"))}
    (link,) = rows["Backups"]["goals"]
    assert (link["goal"], link["title"], link["contribution"]) == (
        goal.pk,
        "Stay open for business",
        80,
    )
    assert rows["Backups"]["score"] > rows["Intranet"]["score"]  # alignment counts


def test_negative_money_is_refused_naming_the_field(api, bob, acme):
    response = api(bob).post(
        "/api/initiatives/",
        {"client": "acme", "title": "x", "capex": "-1", "opex_per_year": "-5"},
        format="json",
    )
    assert response.status_code == 400
    # A negative recurring cost is a saving (dropped licence seats); a one-time cost is not.
    assert response.json() == {"capex": ["a cost cannot be negative"]}
    assert not Initiative.objects.exists()


def test_a_negative_recurring_cost_is_a_saving(api, bob, acme):
    response = api(bob).post(
        "/api/initiatives/",
        {"client": "acme", "title": "Drop seats", "opex_per_year": "-1200"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["opex_per_year"] == "-1200.00"


def test_an_end_before_the_start_is_refused(api, bob, acme):
    response = api(bob).post(
        "/api/initiatives/",
        {
            "client": "acme",
            "title": "x",
            "start_quarter": "2027-01-01",
            "end_quarter": "2026-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "before the start quarter" in str(response.json())
    assert not Initiative.objects.exists()


def test_requiring_another_clients_initiative_is_refused(api, alice, bob, acme, globex):
    theirs = InitiativeFactory(client=globex, title="Globex migration")
    ours = InitiativeFactory(client=acme, title="Ours")
    response = api(alice).post(
        "/api/initiatives/",
        {"client": "acme", "title": "New", "requires": [theirs.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"requires": [f"initiative {theirs.pk} belongs to another client"]}
    response = api(alice).patch(
        f"/api/initiatives/{ours.pk}/", {"title": "Renamed", "requires": [theirs.pk]}, format="json"
    )
    assert response.status_code == 400
    # Bob cannot see Globex's initiative at all.
    response = api(bob).post(
        "/api/initiatives/",
        {"client": "acme", "title": "New", "requires": [theirs.pk]},
        format="json",
    )
    assert response.json() == {
        "requires": [f"no initiative with id {theirs.pk} that you can access"]
    }
    assert not Initiative.objects.filter(title__in=["New", "Renamed"]).exists()
    assert not ours.requires.exists()


def test_a_dependency_cycle_is_refused_naming_it_and_nothing_is_saved(api, bob, acme):
    audit = InitiativeFactory(client=acme, title="Audit")
    fix = InitiativeFactory(client=acme, title="Fix")
    report = InitiativeFactory(client=acme, title="Report")
    fix.requires.add(audit)
    report.requires.add(fix)
    response = api(bob).patch(
        f"/api/initiatives/{audit.pk}/",
        {"title": "Audit again", "capex": "5", "requires": [report.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "requires": ["This would make a dependency cycle: “Audit” → “Report” → “Fix” → “Audit”."]
    }
    audit.refresh_from_db()
    assert audit.title == "Audit" and audit.capex == Decimal("1000")
    assert not audit.requires.exists()
    assert not AuditEvent.objects.filter(object_id=str(audit.pk)).exists()
    response = api(bob).patch(
        f"/api/initiatives/{audit.pk}/", {"requires": [audit.pk]}, format="json"
    )
    assert response.json() == {"requires": ["“Audit” cannot require itself."]}


def test_the_status_only_moves_through_transition(api, bob, acme):
    item = InitiativeFactory(client=acme)
    response = api(bob).patch(f"/api/initiatives/{item.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == "proposed"


def test_the_workflow_needs_the_executive_to_approve(api, bob, carol, acme):
    item = InitiativeFactory(client=acme, title="MFA everywhere")
    url = f"/api/initiatives/{item.pk}/transition/"
    response = api(bob).post(url, {"status": "approved"}, format="json")
    assert response.status_code == 403  # a consultant proposes; the client approves
    response = api(carol).post(url, {"status": "approved"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved" and body["approved_by"] == "carol" and body["approved_at"]
    assert api(carol).post(url, {"status": "scheduled"}, format="json").status_code == 403
    assert api(bob).post(url, {"status": "scheduled"}, format="json").json()["status"] == (
        "scheduled"
    )
    response = api(bob).post(url, {"status": "done"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "status": [
            "“MFA everywhere” is scheduled: it can move to in progress, declined, deferred, "
            "not done."
        ]
    }
    response = api(bob).post(url, {"status": "finished"}, format="json")
    assert (
        response.status_code == 400 and "not an initiative status" in response.json()["status"][0]
    )
    item.refresh_from_db()
    assert item.status == "scheduled"
    changes = [
        e.changes["status"]
        for e in AuditEvent.objects.filter(object_id=str(item.pk)).order_by("id")
    ]
    assert changes == [["proposed", "approved"], ["approved", "scheduled"]]


def test_the_executive_may_decline_and_others_cannot_touch_it(api, carol, dave, gina, acme):
    item = InitiativeFactory(client=acme)
    url = f"/api/initiatives/{item.pk}/transition/"
    for user in (dave, gina):
        assert api(user).post(url, {"status": "approved"}, format="json").status_code == 404
    response = api(carol).post(url, {"status": "declined"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "declined"


def test_another_clients_initiatives_are_invisible(api, dave, acme):
    item = InitiativeFactory(client=acme)
    assert results(api(dave).get("/api/initiatives/")) == []
    assert api(dave).get(f"/api/initiatives/{item.pk}/").status_code == 404
    assert api(dave).delete(f"/api/initiatives/{item.pk}/").status_code == 404
    assert Initiative.objects.filter(pk=item.pk).exists()


# --- goal links -----------------------------------------------------------------------------


def test_linking_and_unlinking_a_goal(api, bob, acme):
    item = InitiativeFactory(client=acme)
    goal = GoalFactory(client=acme, title="Compliance")
    url = f"/api/initiatives/{item.pk}/goals/"
    response = api(bob).post(url, {"goal": goal.pk, "contribution": 40}, format="json")
    assert response.status_code == 201, response.content
    link_id = response.json()["id"]
    response = api(bob).post(url, {"goal": goal.pk, "contribution": 90}, format="json")
    assert response.status_code == 200 and response.json()["contribution"] == 90
    (shown,) = api(bob).get(f"/api/initiatives/{item.pk}/").json()["goals"]
    assert shown == {"id": link_id, "goal": goal.pk, "title": "Compliance", "contribution": 90}
    response = api(bob).post(url, {"goal": goal.pk, "contribution": 101}, format="json")
    assert response.json() == {"contribution": ["a contribution is a percentage from 0 to 100"]}
    assert api(bob).delete(f"/api/initiative-goals/{link_id}/").status_code == 204
    assert not InitiativeGoal.objects.exists()
    actions = AuditEvent.objects.filter(object_id=str(link_id)).values_list("action", flat=True)
    assert sorted(actions) == ["create", "delete", "update"]


def test_linking_another_clients_goal_is_refused(api, alice, bob, carol, acme, globex):
    item = InitiativeFactory(client=acme)
    theirs = GoalFactory(client=globex)
    url = f"/api/initiatives/{item.pk}/goals/"
    response = api(alice).post(url, {"goal": theirs.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"goal": ["This goal belongs to another client."]}
    response = api(bob).post(url, {"goal": theirs.pk}, format="json")
    assert response.json() == {"goal": [f"no goal with id {theirs.pk} that you can access"]}
    response = api(alice).post(
        "/api/initiative-goals/", {"initiative": item.pk, "goal": theirs.pk}, format="json"
    )
    assert response.json() == {"goal": ["this goal belongs to another client"]}
    ours = GoalFactory(client=acme)
    assert api(carol).post(url, {"goal": ours.pk}, format="json").status_code == 403
    assert not InitiativeGoal.objects.exists()


def test_initiative_goal_crud_refuses_a_duplicate(api, erin, acme):
    item = InitiativeFactory(client=acme, title="SIEM")
    goal = GoalFactory(client=acme, title="Detect breaches")
    http = api(erin)
    payload = {"initiative": item.pk, "goal": goal.pk, "contribution": 30}
    response = http.post("/api/initiative-goals/", payload, format="json")
    assert response.status_code == 201, response.content
    response = http.post("/api/initiative-goals/", payload, format="json")
    assert response.json() == {
        "goal": ["“SIEM” is already linked to “Detect breaches”: change that link"]
    }
    pk = InitiativeGoal.objects.get().pk
    response = http.patch(f"/api/initiative-goals/{pk}/", {"contribution": 70}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Detect breaches"


# --- milestones and spend -------------------------------------------------------------------


def test_milestones_round_trip(api, tess, carol, acme):
    item = InitiativeFactory(client=acme)
    http = api(tess)
    response = http.post(
        "/api/milestones/",
        {"initiative": item.pk, "title": "Pilot", "due": "2026-06-30"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert http.patch(f"/api/milestones/{pk}/", {"done": True}, format="json").json()["done"]
    assert api(carol).delete(f"/api/milestones/{pk}/").status_code == 403
    assert http.delete(f"/api/milestones/{pk}/").status_code == 204
    assert not Milestone.objects.exists()


def test_spend_is_recorded_and_a_negative_amount_refused(api, bob, acme):
    item = InitiativeFactory(client=acme)
    http = api(bob)
    response = http.post(
        "/api/spend/",
        {"initiative": item.pk, "date": "2026-02-01", "amount": "-10", "kind": "capex"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"amount": ["an amount cannot be negative"]}
    response = http.post(
        "/api/spend/",
        {"initiative": item.pk, "date": "2026-02-01", "amount": "2500.50", "kind": "opex"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert SpendEntry.objects.get().amount == Decimal("2500.50")
    response = http.post(
        "/api/spend/",
        {"initiative": item.pk, "date": "yesterday", "amount": "1", "kind": "gift"},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()) == {"date", "kind"}
    assert SpendEntry.objects.count() == 1


def test_children_of_another_clients_initiative_are_out_of_reach(api, alice, gina, acme, globex):
    item = InitiativeFactory(client=acme)
    response = api(gina).post(
        "/api/milestones/", {"initiative": item.pk, "title": "Sneaky"}, format="json"
    )
    assert response.json() == {
        "initiative": [f"no initiative with id {item.pk} that you can access"]
    }
    mine = Milestone.objects.create(initiative=item, title="Pilot")
    assert api(gina).get(f"/api/milestones/{mine.pk}/").status_code == 404
    theirs = InitiativeFactory(client=globex)
    response = api(alice).patch(
        f"/api/milestones/{mine.pk}/", {"initiative": theirs.pk}, format="json"
    )
    assert response.json() == {"initiative": ["a record cannot move to another client"]}
    assert not Milestone.objects.filter(title="Sneaky").exists()
    mine.refresh_from_db()
    assert mine.initiative == item


# --- query counts ---------------------------------------------------------------------------


def _initiatives(client, n: int) -> None:
    goal = GoalFactory(client=client)
    previous = None
    for i in range(n):
        item = InitiativeFactory(
            client=client,
            start_quarter=datetime.date(2026, 1, 1),
            due_date=datetime.date(2027, 1, 1),
        )
        InitiativeGoal.objects.create(initiative=item, goal=goal, contribution=10 + i)
        Milestone.objects.create(initiative=item, title=f"M{i}")
        SpendEntry.objects.create(initiative=item, date=datetime.date(2026, 3, 1), amount=5)
        if previous is not None:
            item.requires.add(previous)
        previous = item


@pytest.mark.parametrize(
    "url", ["/api/initiatives/", "/api/initiative-goals/", "/api/milestones/", "/api/spend/"]
)
def test_list_query_counts_do_not_grow_with_rows(api, bob, acme, url):
    http = api(bob)
    _initiatives(acme, 2)
    few = queries(http, url)
    _initiatives(acme, 18)
    assert queries(http, url) == few


def test_an_owner_of_another_client_is_refused(api, alice, acme, globex):
    gary = Contact.objects.get(client=globex)
    response = api(alice).post(
        "/api/initiatives/", {"client": "acme", "title": "x", "owner": gary.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"owner": ["this owner belongs to another client"]}
    assert not Initiative.objects.exists()


def test_the_initiative_list_costs_the_same_for_one_client_or_several(api, alice, acme, globex):
    http = api(alice)  # the owner sees every client's initiatives on one page
    _initiatives(acme, 3)
    one_client = queries(http, "/api/initiatives/")
    _initiatives(globex, 3)
    assert queries(http, "/api/initiatives/") == one_client
