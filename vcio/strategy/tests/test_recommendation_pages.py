"""The recommendation list: read the evidence, make an initiative, or dismiss with a reason."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.core.models import AuditEvent
from vcio.core.registry import (
    RecommendationDraft,
    RecommendationGenerator,
    recommendation_generators,
)
from vcio.strategy.models import Initiative, Recommendation
from vcio.strategy.tests.factories import InitiativeFactory, RecommendationFactory

DUE = datetime.date(2027, 3, 31)


def url(name: str, client, pk: int | None = None) -> str:
    base = f"/clients/{client.slug}/recommendations/"
    return {
        "list": base,
        "refresh": f"{base}refresh/",
        "promote": f"{base}{pk}/promote/",
        "dismiss": f"{base}{pk}/dismiss/",
    }[name]


def firewall(client, **fields) -> Recommendation:
    defaults = dict(
        client=client,
        key="test.firewall",
        title="Replace the end-of-life firewall",
        why="The firewall gets no more security fixes after March.",
        risk="high",
        evidence_url="/clients/acme/assets/",
        evidence={"asset_ids": [7], "end_of_support": "2027-03-31"},
        one_time_cost=Decimal("2500"),
        recurring_cost_per_year=Decimal("300"),
        effort_days=Decimal("2"),
        due_date=DUE,
        category="security",
        source_app="assets",
    )
    return RecommendationFactory(**{**defaults, **fields})


@pytest.fixture
def rec(acme) -> Recommendation:
    return firewall(acme)


def test_the_list_shows_why_costs_effort_due_date_and_evidence(login, bob, acme, rec):
    acme.currency = "EUR"
    acme.save()
    page = login(bob).get(url("list", acme))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Replace the end-of-life firewall" in html
    assert "no more security fixes" in html
    assert "High risk" in html
    assert "€2,500" in html and "€300" in html
    assert "2 person-days" in html and "2027-03-31" in html
    assert 'href="/clients/acme/assets/">See the evidence' in html
    assert "Make initiative" in html and 'name="reason"' in html and "Refresh now" in html


def test_open_ones_come_first_and_the_list_filters_by_status_risk_and_source(login, bob, acme, rec):
    RecommendationFactory(client=acme, title="Old dismissed one", status="dismissed")
    RecommendationFactory(client=acme, title="Low open one", risk="low", source_app="licences")
    http = login(bob)

    default = http.get(url("list", acme)).content.decode()
    assert "Low open one" in default and "Old dismissed one" not in default

    every = http.get(url("list", acme) + "?status=all").content.decode()
    assert every.index("Low open one") < every.index("Old dismissed one")
    assert every.index("Replace the end-of-life") < every.index("Old dismissed one")

    high = http.get(url("list", acme) + "?risk=high").content.decode()
    assert "Replace the end-of-life" in high and "Low open one" not in high
    by_app = http.get(url("list", acme) + "?source_app=licences").content.decode()
    assert "Low open one" in by_app and "Replace the end-of-life" not in by_app


def test_a_consultant_makes_an_initiative_that_keeps_the_evidence(login, bob, acme, rec):
    http = login(bob)
    response = http.post(url("promote", acme, rec.pk), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Initiative “Replace the end-of-life firewall” created" in html
    initiative = Initiative.objects.get(client=acme)
    # The consultant lands on the new initiative, ready to link it to goals.
    assert response.redirect_chain[-1][0] == f"/clients/acme/initiatives/{initiative.pk}/"
    assert "Back to the recommendations</a>" in html  # a link, not escaped text

    assert initiative.title == rec.title and initiative.status == "proposed"
    assert initiative.evidence["asset_ids"] == [7]
    assert initiative.evidence_url == "/clients/acme/assets/"
    assert (initiative.capex, initiative.opex_per_year) == (Decimal("2500"), Decimal("300"))
    assert initiative.effort_days == Decimal("2") and initiative.due_date == DUE
    rec.refresh_from_db()
    assert rec.status == "promoted" and rec.initiative == initiative

    actions = set(AuditEvent.objects.values_list("action", "object_repr"))
    assert ("create", initiative.title) in actions and ("update", rec.title) in actions

    promoted = http.get(url("list", acme) + "?status=promoted").content.decode()
    assert "Made an initiative" in promoted and "Make initiative</button>" not in promoted


def test_promoting_twice_is_refused_with_the_reason(login, bob, acme, rec):
    http = login(bob)
    http.post(url("promote", acme, rec.pk))
    again = http.post(url("promote", acme, rec.pk))
    assert again.status_code == 400
    assert "only an open recommendation can be promoted" in again.content.decode()
    assert Initiative.objects.count() == 1


def test_dismissing_records_and_shows_who_when_and_why(login, bob, acme, rec):
    http = login(bob)
    response = http.post(url("dismiss", acme, rec.pk), {"reason": "Replaced last week"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.status == "dismissed" and rec.dismissed_by == bob
    assert rec.dismissed_reason == "Replaced last week"
    html = http.get(url("list", acme) + "?status=dismissed").content.decode()
    assert f"Dismissed by {bob.get_full_name()}" in html and "Replaced last week" in html
    assert AuditEvent.objects.filter(action="update", object_repr=rec.title).exists()


def test_dismissing_without_a_reason_is_refused_and_changes_nothing(login, bob, acme, rec):
    response = login(bob).post(url("dismiss", acme, rec.pk), {"reason": "   "})
    assert response.status_code == 400
    assert "Say why this recommendation is dismissed." in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "open" and rec.dismissed_reason == ""
    assert not AuditEvent.objects.exists()


def test_a_decided_recommendation_cannot_be_dismissed(login, bob, acme, rec):
    http = login(bob)
    http.post(url("promote", acme, rec.pk))
    response = http.post(url("dismiss", acme, rec.pk), {"reason": "Changed my mind"})
    assert response.status_code == 400
    assert "only an open recommendation can be dismissed" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "promoted" and rec.dismissed_reason == ""


def test_an_executive_sees_the_list_but_cannot_decide(login, carol, acme, rec):
    http = login(carol)
    html = http.get(url("list", acme)).content.decode()
    assert "Replace the end-of-life firewall" in html
    assert "Make initiative" not in html and "Refresh now" not in html
    assert http.post(url("promote", acme, rec.pk)).status_code == 403
    assert http.post(url("dismiss", acme, rec.pk), {"reason": "no"}).status_code == 403
    assert http.post(url("refresh", acme)).status_code == 403
    rec.refresh_from_db()
    assert rec.status == "open" and not Initiative.objects.exists()


def test_another_clients_recommendation_is_not_found(login, bob, acme, globex):
    theirs = firewall(globex)
    http = login(bob)
    assert http.post(url("promote", acme, theirs.pk)).status_code == 404
    assert http.post(url("dismiss", acme, theirs.pk), {"reason": "x"}).status_code == 404
    assert http.post(url("promote", globex, theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "open"


def test_the_actions_take_only_post(login, bob, acme, rec):
    http = login(bob)
    assert http.get(url("promote", acme, rec.pk)).status_code == 405
    assert http.get(url("refresh", acme)).status_code == 405


@pytest.fixture
def fake_generator(monkeypatch, acme):
    """Only a test generator runs: one draft for Acme."""
    monkeypatch.setattr(recommendation_generators, "_items", {})
    draft = RecommendationDraft(
        key="test.backup",
        client_id=acme.pk,
        title="Back up the file server off-site",
        why="One copy, in the same room.",
        category="backup",
        source_app="test",
        risk="critical",
    )
    recommendation_generators.register(
        RecommendationGenerator("test.fake", "Fake", lambda ids: [draft])
    )


def test_refresh_now_runs_the_generators_and_says_what_changed(
    login, bob, acme, rec, fake_generator
):
    response = login(bob).post(url("refresh", acme), follow=True)
    html = response.content.decode()
    assert "1 created, 0 updated, 1 resolved" in html
    assert "Back up the file server off-site" in html
    rec.refresh_from_db()
    assert rec.status == "resolved"


@pytest.mark.parametrize("status", ["open", "all"])
def test_the_list_runs_the_same_queries_for_2_or_20_recommendations(login, bob, acme, status):
    http = login(bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(url("list", acme) + f"?status={status}").status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            kind = ["open", "dismissed", "promoted"][i % 3]
            RecommendationFactory(
                client=acme,
                status=kind,
                dismissed_by=bob if kind == "dismissed" else None,
                initiative=InitiativeFactory(client=acme) if kind == "promoted" else None,
            )

    add(2)
    firewall(acme, dismissed_by=bob, status="dismissed", dismissed_reason="r")
    small = count()
    add(18)
    assert count() == small
