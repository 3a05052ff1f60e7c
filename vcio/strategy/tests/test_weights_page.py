"""The scoring weights page: weights with their defaults and meaning, and the ranking they make."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.core.models import AuditEvent
from vcio.strategy.models import InitiativeGoal, ScoringWeights
from vcio.strategy.models.planning import ALL_ZERO_MESSAGE, DEFAULT_WEIGHTS
from vcio.strategy.tests.factories import GoalFactory, InitiativeFactory

URL = "/clients/acme/scoring/"
ONLY_BENEFIT = {
    "alignment": 0,
    "risk": 0,
    "urgency": 0,
    "benefit": 100,
    "cost": 0,
    "effort": 0,
}


@pytest.fixture
def two_initiatives(acme):
    """One that mostly benefits the business, one that mostly removes risk."""
    quick = InitiativeFactory(client=acme, title="Self-service password reset", benefit=5)
    quick.risk_reduction = 1
    quick.save()
    risky = InitiativeFactory(client=acme, title="Replace the old server", benefit=1)
    risky.risk_reduction = 5
    risky.save()
    return quick, risky


def ranking_of(html: str, *titles: str) -> list[str]:
    """``titles`` in the order the ranking on the page lists them."""
    section = html[html.index('id="ranking"') :]
    return sorted(titles, key=section.index)


def test_the_page_shows_each_weight_with_its_default_meaning_and_share(login, bob, acme):
    page = login(bob).get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Goal alignment" in html and "each contribution weighted by the goal" in html
    assert "Smaller scores higher" in html
    assert 'name="alignment"' in html and 'value="30"' in html
    assert "30 %" in html and "These are the default weights." in html
    assert "Reset to defaults" in html


def test_saving_weights_changes_the_ranking_and_is_audited(login, bob, acme, two_initiatives):
    http = login(bob)
    before = http.get(URL).content.decode()
    assert ranking_of(before, "Self-service password reset", "Replace the old server") == [
        "Replace the old server",
        "Self-service password reset",
    ]

    response = http.post(URL, ONLY_BENEFIT, follow=True)
    html = response.content.decode()
    assert "Scoring weights saved." in html
    assert ranking_of(html, "Self-service password reset", "Replace the old server") == [
        "Self-service password reset",
        "Replace the old server",
    ]
    assert "100 %" in html and "changed from the defaults" in html
    assert ScoringWeights.objects.get(client=acme).as_dict() == ONLY_BENEFIT
    assert AuditEvent.objects.filter(action="create").count() == 1

    http.post(URL, {**ONLY_BENEFIT, "risk": 50})
    update = AuditEvent.objects.get(action="update")
    assert update.changes == {"risk": [0, 50]}


def test_each_score_opens_into_its_breakdown(login, bob, acme, two_initiatives):
    html = login(bob).get(URL).content.decode()
    assert html.count('<details class="score-breakdown"') == 2
    assert "Risk reduction rated 5 of 5." in html and "Linked to no business goal." in html
    assert "Normalised" in html and "Points" in html


def test_done_and_declined_initiatives_are_left_out_of_the_ranking(login, bob, acme):
    InitiativeFactory(client=acme, title="Still to do")
    InitiativeFactory(client=acme, title="Finished last year", status="done")
    InitiativeFactory(client=acme, title="Turned down", status="declined")
    html = login(bob).get(URL).content.decode()
    ranking = html[html.index('id="ranking"') :]
    assert "Still to do" in ranking
    assert "Finished last year" not in ranking and "Turned down" not in ranking


def test_all_weights_at_zero_are_refused(login, bob, acme):
    zero = dict.fromkeys(DEFAULT_WEIGHTS, 0)
    response = login(bob).post(URL, zero)
    assert response.status_code == 400
    assert ALL_ZERO_MESSAGE in response.content.decode()
    assert not ScoringWeights.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cost", "101", "Cost: 101 is above 100"),
        ("benefit", "abc", "Business benefit: “abc” is not a whole number"),
        ("risk", "-1", "Risk reduction: -1 is below 0"),
    ],
)
def test_a_bad_weight_is_refused_naming_the_field(login, bob, acme, field, value, message):
    response = login(bob).post(URL, {**DEFAULT_WEIGHTS, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ScoringWeights.objects.exists()


def test_reset_puts_back_the_defaults(login, bob, acme):
    http = login(bob)
    http.post(URL, ONLY_BENEFIT)
    response = http.post(URL, {**ONLY_BENEFIT, "reset": "1"}, follow=True)
    assert "reset to the defaults" in response.content.decode()
    assert ScoringWeights.objects.get(client=acme).as_dict() == DEFAULT_WEIGHTS


def test_preview_ranks_with_the_typed_weights_without_saving(login, bob, acme, two_initiatives):
    response = login(bob).post(URL, {**ONLY_BENEFIT, "preview": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "not saved" in html
    assert ranking_of(html, "Self-service password reset", "Replace the old server")[0] == (
        "Self-service password reset"
    )
    assert not ScoringWeights.objects.exists()


def test_an_executive_sees_the_weights_read_only(login, carol, acme, two_initiatives):
    http = login(carol)
    html = http.get(URL).content.decode()
    assert "Goal alignment" in html and "Replace the old server" in html
    assert 'name="alignment"' not in html and "Save weights" not in html
    assert http.post(URL, ONLY_BENEFIT).status_code == 403
    assert not ScoringWeights.objects.exists()


def test_a_technician_may_not_change_the_weights(login, tess, acme):
    assert login(tess).post(URL, ONLY_BENEFIT).status_code == 403


def test_another_clients_weights_are_not_found(login, bob, globex):
    http = login(bob)
    assert http.get("/clients/globex/scoring/").status_code == 404
    assert http.post("/clients/globex/scoring/", ONLY_BENEFIT).status_code == 404


def test_the_page_runs_the_same_queries_for_2_or_20_initiatives(login, bob, acme):
    http = login(bob)
    goal = GoalFactory(client=acme)

    def add(n: int) -> None:
        for _ in range(n):
            initiative = InitiativeFactory(client=acme)
            InitiativeGoal.objects.create(initiative=initiative, goal=goal, contribution=40)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(URL).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    small = count()
    add(18)
    assert count() == small
