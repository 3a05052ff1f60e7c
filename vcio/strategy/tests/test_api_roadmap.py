"""The roadmap API: scenarios (optimise, apply, vary, compare), moves and the budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from vcio.core.tests.factories import make_token
from vcio.strategy.models import Initiative, InitiativeStatus, Scenario
from vcio.strategy.planning import horizon_quarters
from vcio.strategy.tests.factories import InitiativeFactory

S = InitiativeStatus
OPTIMISE = {"client": "acme", "name": "Base", "horizon": 4, "capex_per_quarter": "10000"}


@pytest.fixture
def portfolio(acme):
    switches = InitiativeFactory(client=acme, title="Core switches", capex=Decimal("6000"))
    segment = InitiativeFactory(client=acme, title="Segment the network", capex=Decimal("3000"))
    segment.requires.add(switches)
    InitiativeFactory(client=acme, title="Data centre", capex=Decimal("50000"))
    InitiativeFactory(client=acme, title="MFA", capex=Decimal("2000"), status=S.APPROVED)
    return acme


@pytest.mark.django_db
class TestScenarios:
    def test_optimise_returns_the_plan_with_reasons(self, api, bob, portfolio):
        r = api(bob).post("/api/scenarios/", OPTIMISE, format="json")
        assert r.status_code == 201, r.json()
        plan = r.json()["plan"]
        assert plan["optimal"] is True and plan["score"] >= plan["greedy_score"]
        rows = {row["title"]: row for row in plan["items"]}
        assert rows["Core switches"]["quarter"] == 0
        assert rows["Segment the network"]["quarter"] == 1
        assert rows["Data centre"]["quarter"] is None
        assert "capex cap" in rows["Data centre"]["reason"]

    def test_bad_caps_and_impossible_plans_are_400s_that_save_nothing(self, api, bob, portfolio):
        client = api(bob)
        r = client.post("/api/scenarios/", {**OPTIMISE, "capex_per_quarter": "-1"}, format="json")
        assert r.status_code == 400 and "capex_per_quarter" in r.json()
        r = client.post("/api/scenarios/", {**OPTIMISE, "capex_per_quarter": "10"}, format="json")
        assert r.status_code == 400 and "'MFA'" in str(r.json())
        r = client.post("/api/scenarios/", {**OPTIMISE, "client": "globex"}, format="json")
        assert r.status_code == 400 and "client" in r.json()
        assert not Scenario.objects.exists()

    def test_apply_variant_and_compare(self, api, bob, portfolio):
        client = api(bob)
        base = client.post("/api/scenarios/", OPTIMISE, format="json").json()
        r = client.post(f"/api/scenarios/{base['id']}/apply/")
        assert r.status_code == 200 and r.json()["changed"] == 3
        assert Initiative.objects.get(title="MFA").status == S.SCHEDULED
        r = client.post(f"/api/scenarios/{base['id']}/variant/", {"percent": 500}, format="json")
        assert r.status_code == 201 and r.json()["name"] == "Base (budget +500 %)"
        variant = r.json()["id"]
        r = client.get(f"/api/scenarios/compare/?a={base['id']}&b={variant}")
        assert r.status_code == 200
        moved = {m["title"]: (m["before"], m["after"]) for m in r.json()["moves"]}
        assert moved["Data centre"][0] == "not in plan"

    def test_an_executive_reads_but_cannot_optimise_or_apply(self, api, bob, carol, portfolio):
        base = api(bob).post("/api/scenarios/", OPTIMISE, format="json").json()
        client = api(carol)
        assert client.get(f"/api/scenarios/{base['id']}/").status_code == 200
        assert client.post("/api/scenarios/", {**OPTIMISE, "name": "Mine"}).status_code == 403
        assert client.post(f"/api/scenarios/{base['id']}/apply/").status_code == 403
        assert Scenario.objects.get().applied_at is None

    def test_another_clients_scenarios_are_invisible(self, api, bob, gina, portfolio):
        base = api(bob).post("/api/scenarios/", OPTIMISE, format="json").json()
        client = api(gina)
        assert client.get("/api/scenarios/").json()["results"] == []
        assert client.get(f"/api/scenarios/{base['id']}/").status_code == 404
        assert client.post(f"/api/scenarios/{base['id']}/apply/").status_code == 404


@pytest.mark.django_db
class TestRoadmapAndBudget:
    def test_move_answers_the_warnings(self, api, bob, portfolio):
        first = horizon_quarters(portfolio, 8, timezone.localdate())[0]
        segment = Initiative.objects.get(title="Segment the network")
        r = api(bob).post(
            "/api/roadmap/acme/move/",
            {"initiative": segment.pk, "quarter": first.start.isoformat()},
            format="json",
        )
        assert r.status_code == 200
        assert r.json()["initiative"]["start_quarter"] == first.label
        assert r.json()["warnings"] == [
            "“Segment the network” requires “Core switches”, which is not on the roadmap."
        ]
        roadmap = api(bob).get("/api/roadmap/acme/").json()
        assert roadmap["quarters"][0]["label"] == first.label
        assert {"Segment the network", "MFA"} <= {i["title"] for i in roadmap["initiatives"]}

    def test_moving_another_clients_initiative_is_a_404(self, api, bob, globex):
        theirs = InitiativeFactory(client=globex, title="Theirs")
        r = api(bob).post(
            "/api/roadmap/acme/move/", {"initiative": theirs.pk, "quarter": None}, format="json"
        )
        assert r.status_code == 404

    def test_the_budget_by_quarter_and_year(self, api, carol, acme):
        acme.monthly_fee = Decimal("1000")
        acme.save()
        _, token = make_token(carol, name="read", client=acme)
        r = api(token=token).get("/api/budget/acme/?years=1")
        assert r.status_code == 200
        body = r.json()
        assert len(body["quarters"]) == 4 and len(body["years"]) == 1
        assert Decimal(body["quarters"][0]["fee"]) == 3000
        r = api(token=token).get("/api/budget/acme/?years=9")
        assert r.status_code == 400 and "years" in r.json()
