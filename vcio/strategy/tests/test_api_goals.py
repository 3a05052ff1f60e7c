"""The strategy API, part one: goals, KPIs, recommendations, scoring weights, the schema.

Initiatives, their goal links, milestones and spend are in test_api_initiatives.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from vcio.core.models import AuditEvent, Contact, Department
from vcio.core.tests.factories import ClientFactory, make_token
from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    Kpi,
    KpiValue,
    Recommendation,
    ScoringWeights,
)
from vcio.strategy.models.planning import ALL_ZERO_MESSAGE, DEFAULT_WEIGHTS
from vcio.strategy.tests.factories import GoalFactory, KpiFactory, RecommendationFactory


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def queries(http: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- goals ----------------------------------------------------------------------------------


def test_a_consultant_creates_changes_and_deletes_a_goal(api, bob, acme):
    http = api(bob)
    owner = Contact.objects.get(client=acme)
    response = http.post(
        "/api/goals/",
        {"client": "acme", "title": "Zero unplanned downtime", "priority": 4, "owner": owner.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client"] == "acme" and body["owner"] == owner.pk and body["kpis"] == []
    assert body["status"] == "active"
    pk = body["id"]
    response = http.patch(f"/api/goals/{pk}/", {"status": "achieved"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "achieved"
    assert http.delete(f"/api/goals/{pk}/").status_code == 204
    assert not BusinessGoal.objects.filter(pk=pk).exists()
    actions = AuditEvent.objects.filter(object_id=str(pk), client=acme)
    assert sorted(actions.values_list("action", flat=True)) == ["create", "delete", "update"]


def test_a_token_reads_goals_and_a_read_only_token_may_not_write(api, bob, acme):
    GoalFactory(client=acme, title="Grow 20 %")
    _, key = make_token(bob)
    assert [g["title"] for g in results(api(token=key).get("/api/goals/"))] == ["Grow 20 %"]
    _, read_only = make_token(bob, name="reader", read_only=True)
    response = api(token=read_only).post(
        "/api/goals/", {"client": "acme", "title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert BusinessGoal.objects.count() == 1


def test_goals_show_their_kpis_with_current_value_and_progress(api, carol, acme):
    goal = GoalFactory(client=acme, title="Modern fleet")
    KpiFactory(
        goal=goal,
        name="Supported OS",
        baseline=Decimal("0"),
        target=Decimal("100"),
        entered_value=Decimal("25"),
    )
    # Acme has one contact: the live figure "core.contacts" reads 1.
    KpiFactory(goal=goal, name="People on file", figure_key="core.contacts", unit="")
    (row,) = results(api(carol).get("/api/goals/"))
    kpis = {k["name"]: k for k in row["kpis"]}
    assert Decimal(kpis["Supported OS"]["current_value"]) == 25
    assert kpis["Supported OS"]["progress"] == 0.25
    assert Decimal(kpis["People on file"]["current_value"]) == 1
    assert kpis["People on file"]["progress"] is None


def test_an_owner_or_department_of_another_client_is_refused(api, alice, bob, acme, globex):
    gary = Contact.objects.get(client=globex)
    clinic = Department.objects.get(client=globex)
    response = api(alice).post(
        "/api/goals/", {"client": "acme", "title": "x", "owner": gary.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"owner": ["this owner belongs to another client"]}
    response = api(alice).post(
        "/api/goals/", {"client": "acme", "title": "x", "department": clinic.pk}, format="json"
    )
    assert response.json() == {"department": ["this department belongs to another client"]}
    # Bob cannot even see Globex's contact: it does not exist for him.
    response = api(bob).post(
        "/api/goals/", {"client": "acme", "title": "x", "owner": gary.pk}, format="json"
    )
    assert response.json() == {"owner": [f"no contact with id {gary.pk} that you can access"]}
    goal = GoalFactory(client=acme)
    response = api(alice).patch(f"/api/goals/{goal.pk}/", {"owner": gary.pk}, format="json")
    assert response.status_code == 400
    assert not BusinessGoal.objects.filter(title="x").exists()
    goal.refresh_from_db()
    assert goal.owner is None


def test_the_executive_reads_goals_but_may_not_write(api, carol, acme):
    goal = GoalFactory(client=acme)
    http = api(carol)
    assert http.get(f"/api/goals/{goal.pk}/").status_code == 200
    response = http.post("/api/goals/", {"client": "acme", "title": "x"}, format="json")
    assert response.status_code == 403
    assert http.patch(f"/api/goals/{goal.pk}/", {"title": "y"}, format="json").status_code == 403
    assert http.delete(f"/api/goals/{goal.pk}/").status_code == 403


def test_another_clients_goals_are_invisible(api, dave, acme):
    goal = GoalFactory(client=acme)
    assert results(api(dave).get("/api/goals/")) == []
    assert api(dave).get(f"/api/goals/{goal.pk}/").status_code == 404
    assert api(dave).get("/api/goals/?client=acme").status_code == 400


# --- KPIs -----------------------------------------------------------------------------------


def test_a_kpi_round_trip(api, erin, acme):
    goal = GoalFactory(client=acme)
    http = api(erin)
    response = http.post(
        "/api/kpis/",
        {"goal": goal.pk, "name": "Patched within 14 days", "baseline": "40", "target": "95"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client"] == "acme" and body["current_value"] is None
    pk = body["id"]
    response = http.patch(f"/api/kpis/{pk}/", {"entered_value": "67.5"}, format="json")
    assert response.status_code == 200
    assert response.json()["progress"] == 0.5
    assert http.delete(f"/api/kpis/{pk}/").status_code == 204
    assert sorted(
        AuditEvent.objects.filter(object_id=str(pk)).values_list("action", flat=True)
    ) == ["create", "delete", "update"]


def test_an_unknown_figure_key_is_refused_listing_the_known_ones(api, bob, acme):
    goal = GoalFactory(client=acme)
    response = api(bob).post(
        "/api/kpis/", {"goal": goal.pk, "name": "x", "figure_key": "made.up"}, format="json"
    )
    assert response.status_code == 400
    (message,) = response.json()["figure_key"]
    assert "made.up is not a live figure" in message and "assets.supported_os_pct" in message
    assert not Kpi.objects.exists()


def test_a_kpi_cannot_hang_off_another_clients_goal(api, alice, bob, acme, globex):
    theirs = GoalFactory(client=globex)
    response = api(bob).post("/api/kpis/", {"goal": theirs.pk, "name": "x"}, format="json")
    assert response.json() == {"goal": [f"no goal with id {theirs.pk} that you can access"]}
    kpi = KpiFactory(goal=GoalFactory(client=acme))
    response = api(alice).patch(f"/api/kpis/{kpi.pk}/", {"goal": theirs.pk}, format="json")
    assert response.json() == {"goal": ["a record cannot move to another client"]}
    kpi.refresh_from_db()
    assert kpi.goal.client == acme


def test_kpi_values_are_recorded_and_listed(api, bob, carol, acme):
    kpi = KpiFactory(goal=GoalFactory(client=acme))
    http = api(bob)
    url = f"/api/kpis/{kpi.pk}/values/"
    for at, value in [("2026-01-01", "10"), ("2026-03-01", "30"), ("2026-02-01", "20")]:
        response = http.post(url, {"at": at, "value": value}, format="json")
        assert response.status_code == 201, response.content
    history = http.get(url).json()
    assert [(v["at"], Decimal(v["value"])) for v in history] == [
        ("2026-01-01", 10),
        ("2026-02-01", 20),
        ("2026-03-01", 30),
    ]
    kpi.refresh_from_db()
    assert kpi.entered_value == 30  # the latest date's value, not the last typed
    assert api(carol).get(url).status_code == 200
    response = api(carol).post(url, {"at": "2026-04-01", "value": "1"}, format="json")
    assert response.status_code == 403
    assert KpiValue.objects.filter(kpi=kpi).count() == 3
    response = http.post(url, {"at": "2026-02-31", "value": "x"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"at", "value"}


def test_a_bound_kpi_refuses_hand_entered_values(api, bob, acme):
    kpi = KpiFactory(goal=GoalFactory(client=acme), figure_key="core.contacts")
    response = api(bob).post(
        f"/api/kpis/{kpi.pk}/values/", {"at": "2026-01-01", "value": "3"}, format="json"
    )
    assert response.status_code == 400
    assert "reads the live figure core.contacts" in response.json()["value"][0]
    assert not KpiValue.objects.exists()


def test_another_clients_kpi_values_are_a_404(api, dave, acme):
    kpi = KpiFactory(goal=GoalFactory(client=acme))
    url = f"/api/kpis/{kpi.pk}/values/"
    assert api(dave).get(url).status_code == 404
    assert api(dave).post(url, {"at": "2026-01-01", "value": "1"}, format="json").status_code == 404
    assert not KpiValue.objects.exists()


# --- recommendations ------------------------------------------------------------------------


@pytest.fixture
def recs(acme, globex):
    return {
        "patch": RecommendationFactory(
            client=acme, title="Patch the firewall", risk="critical", source_app="assets"
        ),
        "mfa": RecommendationFactory(client=acme, title="Turn on MFA", risk="high"),
        "old": RecommendationFactory(client=acme, title="Old idea", status="dismissed"),
        "globex": RecommendationFactory(client=globex, title="Globex thing", risk="critical"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Patch the firewall", "Turn on MFA", "Old idea"}),
        ("?status=open", {"Patch the firewall", "Turn on MFA"}),
        ("?risk=critical", {"Patch the firewall"}),
        ("?source_app=assets", {"Patch the firewall"}),
        ("?client=acme&status=dismissed", {"Old idea"}),
    ],
)
def test_recommendations_are_listed_with_filters(api, bob, recs, query, expected):
    assert {r["title"] for r in results(api(bob).get(f"/api/recommendations/{query}"))} == expected


def test_bad_recommendation_filters_are_400s_naming_them(api, bob, recs):
    response = api(bob).get("/api/recommendations/?risk=apocalyptic&client=globex")
    assert response.status_code == 400 and set(response.json()) == {"risk", "client"}


def test_recommendations_are_read_only(api, bob, recs):
    pk = recs["mfa"].pk
    assert api(bob).post("/api/recommendations/", {}, format="json").status_code == 405
    assert api(bob).delete(f"/api/recommendations/{pk}/").status_code == 405


def test_promoting_makes_an_initiative_and_is_audited(api, bob, recs):
    rec = recs["patch"]
    response = api(bob).post(f"/api/recommendations/{rec.pk}/promote/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Patch the firewall" and body["status"] == "proposed"
    assert body["risk_reduction"] == 5 and "score" in body
    rec.refresh_from_db()
    assert rec.status == "promoted" and rec.initiative_id == body["id"]
    events = AuditEvent.objects.filter(actor_name="bob")
    assert {(e.content_type.model, e.action) for e in events} == {
        ("initiative", "create"),
        ("recommendation", "update"),
    }
    # Twice is refused, and makes no second initiative.
    response = api(bob).post(f"/api/recommendations/{rec.pk}/promote/")
    assert response.status_code == 400
    assert "only an open recommendation can be promoted" in response.json()["non_field_errors"][0]
    assert Initiative.objects.count() == 1


def test_dismissing_needs_a_reason(api, bob, recs):
    rec = recs["mfa"]
    url = f"/api/recommendations/{rec.pk}/dismiss/"
    for payload in ({}, {"reason": "   "}):
        response = api(bob).post(url, payload, format="json")
        assert response.status_code == 400
        assert response.json()["reason"] == ["say why this recommendation is dismissed"]
    rec.refresh_from_db()
    assert rec.status == "open"
    response = api(bob).post(url, {"reason": "Done by the MSP already"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed" and response.json()["dismissed_by"] == "bob"
    event = AuditEvent.objects.get(object_id=str(rec.pk), action="update")
    assert event.changes["dismissed_reason"] == ["", "Done by the MSP already"]


def test_the_executive_and_other_clients_may_not_decide(api, carol, dave, gina, recs):
    rec = recs["patch"]
    assert api(carol).post(f"/api/recommendations/{rec.pk}/promote/").status_code == 403
    for user in (dave, gina):
        assert api(user).post(f"/api/recommendations/{rec.pk}/promote/").status_code == 404
        response = api(user).post(
            f"/api/recommendations/{rec.pk}/dismiss/", {"reason": "no"}, format="json"
        )
        assert response.status_code == 404
    assert Recommendation.objects.get(pk=rec.pk).status == "open"
    assert not Initiative.objects.exists()


# --- scoring weights ------------------------------------------------------------------------


def test_weights_show_the_defaults_until_changed(api, bob, acme, globex):
    rows = results(api(bob).get("/api/scoring-weights/"))
    assert rows == [{"client": "acme", "is_default": True, **DEFAULT_WEIGHTS}]
    response = api(bob).put(
        "/api/scoring-weights/acme/",
        {"alignment": 50, "risk": 50, "urgency": 0, "benefit": 0, "cost": 0, "effort": 0},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_default"] is False and response.json()["alignment"] == 50
    response = api(bob).patch("/api/scoring-weights/acme/", {"cost": 10}, format="json")
    assert response.json()["cost"] == 10 and response.json()["alignment"] == 50
    assert ScoringWeights.objects.get(client=acme).as_dict()["cost"] == 10
    actions = AuditEvent.objects.filter(content_type__model="scoringweights")
    assert sorted(actions.values_list("action", flat=True)) == ["create", "update"]


def test_all_zero_weights_are_refused(api, bob, acme):
    zero = dict.fromkeys(DEFAULT_WEIGHTS, 0)
    response = api(bob).put("/api/scoring-weights/acme/", zero, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [ALL_ZERO_MESSAGE]}
    response = api(bob).patch("/api/scoring-weights/acme/", {"alignment": -1}, format="json")
    assert response.json() == {"alignment": ["a weight cannot be negative"]}
    assert not ScoringWeights.objects.exists()


def test_weights_need_manage_and_stay_within_the_client(api, carol, dave, erin, acme):
    url = "/api/scoring-weights/acme/"
    assert api(carol).get(url).status_code == 200
    for user in (carol, erin):  # executives and editors do not MANAGE the client
        assert api(user).patch(url, {"cost": 1}, format="json").status_code == 403
    assert api(dave).get(url).status_code == 404
    assert api(dave).patch(url, {"cost": 1}, format="json").status_code == 404
    assert not ScoringWeights.objects.exists()


# --- query counts and the schema ------------------------------------------------------------


def _goals(client, n: int) -> None:
    for _ in range(n):
        goal = GoalFactory(client=client)
        KpiFactory(goal=goal, entered_value=Decimal("3"))
        KpiFactory(goal=goal, figure_key="core.contacts")
        RecommendationFactory(client=client)


@pytest.mark.parametrize(
    "url", ["/api/goals/", "/api/kpis/", "/api/recommendations/", "/api/scoring-weights/"]
)
def test_list_query_counts_do_not_grow_with_rows(api, alice, acme, url):
    http = api(alice)
    _goals(acme, 2)
    ClientFactory()
    few = queries(http, url)
    _goals(acme, 18)
    for _ in range(18):
        ClientFactory()
    assert queries(http, url) == few


def test_the_openapi_schema_still_validates(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/initiatives/{id}/transition/", "/api/scoring-weights/{client}/"):
        assert path in text


def test_kpi_value_dates_default_to_today(api, bob, acme):
    kpi = KpiFactory(goal=GoalFactory(client=acme))
    response = api(bob).post(f"/api/kpis/{kpi.pk}/values/", {"value": "5"}, format="json")
    assert response.status_code == 201
    assert response.json()["at"] == timezone.localdate().isoformat()
