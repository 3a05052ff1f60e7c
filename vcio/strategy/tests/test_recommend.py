"""Generated recommendations become rows, and consultants promote or dismiss them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from vcio.core.registry import (
    RecommendationDraft,
    RecommendationGenerator,
    periodic_jobs,
    recommendation_generators,
)
from vcio.strategy.models import Initiative, Recommendation
from vcio.strategy.recommend import attach, dismiss, promote, sync_recommendations
from vcio.strategy.tests.factories import InitiativeFactory

DUE = datetime.date(2027, 3, 31)


class FakeGenerator:
    """A generator whose output a test sets; registered for the test only."""

    def __init__(self) -> None:
        self.drafts: list[RecommendationDraft] = []
        self.asked: list[list[int]] = []

    def __call__(self, client_ids: list[int]) -> list[RecommendationDraft]:
        self.asked.append(client_ids)
        return list(self.drafts)


@pytest.fixture
def fake(monkeypatch):
    """Only the fake generator runs, so the assets app's data does not interfere."""
    gen = FakeGenerator()
    monkeypatch.setattr(recommendation_generators, "_items", {})
    recommendation_generators.register(RecommendationGenerator("test.fake", "Fake", gen))
    return gen


def draft(client, key: str = "test.firewall", **fields) -> RecommendationDraft:
    defaults = dict(
        title="Replace the end-of-life firewall",
        why="ACME-ONLY firewall gets no more fixes.",
        category="security",
        source_app="test",
        risk="high",
        evidence_url="/clients/acme/assets/1/",
        evidence={"asset_ids": [1], "end_of_support": DUE},
        one_time_cost=Decimal("2500"),
        recurring_cost_per_year=Decimal("300"),
        effort_days=Decimal("2"),
        due_date=DUE,
    )
    return RecommendationDraft(key=key, client_id=client.pk, **{**defaults, **fields})


def test_sync_creates_then_updates_without_duplicates(fake, acme):
    fake.drafts = [draft(acme)]
    first = sync_recommendations([acme.pk])
    fake.drafts = [draft(acme, one_time_cost=Decimal("2700"))]
    second = sync_recommendations([acme.pk])

    assert (first.created, second.created, second.updated) == (1, 0, 1)
    rec = Recommendation.objects.get()
    assert rec.client == acme and rec.key == "test.firewall"
    assert rec.one_time_cost == Decimal("2700")
    assert rec.evidence == {"asset_ids": [1], "end_of_support": "2027-03-31"}
    assert rec.last_generated_at >= rec.first_generated_at


def test_vanished_open_recommendations_are_resolved_and_can_come_back(fake, acme):
    fake.drafts = [draft(acme)]
    sync_recommendations([acme.pk])
    fake.drafts = []
    assert sync_recommendations([acme.pk]).resolved == 1
    assert Recommendation.objects.get().status == "resolved"
    fake.drafts = [draft(acme)]
    assert sync_recommendations([acme.pk]).reopened == 1
    assert Recommendation.objects.get().status == "open"


def test_dismissed_and_promoted_ones_are_left_alone(fake, acme, bob):
    fake.drafts = [draft(acme, "a"), draft(acme, "b")]
    sync_recommendations([acme.pk])
    dismiss(Recommendation.objects.get(key="a"), bob, "Already budgeted elsewhere")
    promote(Recommendation.objects.get(key="b"), bob)

    fake.drafts = [draft(acme, "a", title="changed"), draft(acme, "b", title="changed")]
    sync_recommendations([acme.pk])
    fake.drafts = []
    sync_recommendations([acme.pk])

    rows = {r.key: r for r in Recommendation.objects.all()}
    assert rows["a"].status == "dismissed" and rows["a"].title != "changed"
    assert rows["b"].status == "promoted" and rows["b"].title != "changed"


def test_a_draft_for_one_client_never_lands_on_another(fake, acme, globex):
    fake.drafts = [draft(acme, "same.key"), draft(globex, "same.key", title="Globex's own")]
    sync_recommendations([globex.pk])

    (row,) = Recommendation.objects.all()
    assert row.client == globex and row.title == "Globex's own"
    assert fake.asked == [[globex.pk]]
    sync_recommendations([acme.pk])
    # Same key, two clients, two rows; syncing Acme did not resolve Globex's.
    assert dict(Recommendation.objects.values_list("client_id", "status")) == {
        acme.pk: "open",
        globex.pk: "open",
    }


def test_promote_copies_evidence_and_links_back(fake, acme, bob):
    fake.drafts = [draft(acme)]
    sync_recommendations([acme.pk])
    rec = Recommendation.objects.get()

    initiative = promote(rec, bob)

    assert isinstance(initiative, Initiative) and initiative.client == acme
    assert initiative.title == rec.title and initiative.description == rec.why
    assert (initiative.capex, initiative.opex_per_year, initiative.effort_days) == (
        Decimal("2500"),
        Decimal("300"),
        Decimal("2"),
    )
    assert initiative.due_date == DUE and initiative.risk_reduction == 4
    assert initiative.evidence_url == rec.evidence_url
    assert initiative.evidence["asset_ids"] == [1]
    assert "recommendation_key" not in initiative.evidence  # an internal key, not evidence
    assert rec.status == "promoted" and rec.initiative == initiative
    with pytest.raises(ValidationError, match="only an open recommendation can be promoted"):
        promote(rec, bob)
    assert Initiative.objects.count() == 1


def test_dismiss_needs_a_reason_and_records_who(fake, acme, bob):
    fake.drafts = [draft(acme)]
    sync_recommendations([acme.pk])
    rec = Recommendation.objects.get()
    with pytest.raises(ValidationError, match="Say why"):
        dismiss(rec, bob, "   ")
    rec.refresh_from_db()
    assert rec.status == "open"

    dismiss(rec, bob, "The client is moving to the cloud next year")
    rec.refresh_from_db()
    assert (rec.status, rec.dismissed_by, rec.dismissed_reason) == (
        "dismissed",
        bob,
        "The client is moving to the cloud next year",
    )
    assert rec.dismissed_at is not None


def test_a_failing_generator_changes_nothing(fake, acme, monkeypatch):
    fake.drafts = [draft(acme)]
    sync_recommendations([acme.pk])

    def broken(client_ids):
        raise RuntimeError("boom")

    recommendation_generators.register(RecommendationGenerator("test.broken", "Broken", broken))
    with pytest.raises(RuntimeError):
        sync_recommendations([acme.pk])
    assert Recommendation.objects.get().status == "open"


def test_sync_with_the_real_generators_and_periodic_job(acme):
    from vcio.assets.tests.factories import AssetFactory

    AssetFactory(client=acme, purchase_date=datetime.date(2015, 1, 1))
    assert "strategy.sync_recommendations" in periodic_jobs
    periodic_jobs.get("strategy.sync_recommendations").run()
    keys = set(Recommendation.objects.filter(client=acme).values_list("key", flat=True))
    assert any(k.startswith("assets.replace.") for k in keys)


def test_attach_folds_a_recommendation_and_its_money_into_an_initiative(fake, acme, globex):
    fake.drafts = [
        draft(acme, key="test.q1", one_time_cost=Decimal("3200"), recurring_cost_per_year=0),
        draft(acme, key="test.seats", one_time_cost=0, recurring_cost_per_year=Decimal("-600")),
    ]
    sync_recommendations([acme.pk])
    plan = InitiativeFactory(client=acme, title="Replacement budget", capex=Decimal("1000"))
    for rec in Recommendation.objects.order_by("key"):
        attach(rec, plan)
    assert (plan.capex, plan.opex_per_year) == (Decimal("4200"), Decimal("-600"))  # 1,000 + 3,200
    assert set(Recommendation.objects.values_list("status", "initiative")) == {
        ("promoted", plan.pk)
    }
    with pytest.raises(ValidationError, match="only an open recommendation can be attached"):
        attach(Recommendation.objects.first(), plan)
    theirs = InitiativeFactory(client=globex, title="Theirs", capex=Decimal("0"))
    fake.drafts = [draft(acme, key="test.other")]
    sync_recommendations([acme.pk])
    with pytest.raises(ValidationError, match="its own client"):
        attach(Recommendation.objects.get(key="test.other"), theirs)
    theirs.refresh_from_db()
    assert theirs.capex == 0


@pytest.mark.parametrize(
    "bad,message",
    [({"risk": "severe"}, "has risk 'severe'"), ({"one_time_cost": Decimal("-1")}, "negative")],
)
def test_a_generators_bad_draft_names_the_generator(fake, acme, bad, message):
    fake.drafts = [draft(acme, **bad)]
    with pytest.raises(ValueError, match=f"generator 'test.fake'.*{message}"):
        sync_recommendations([acme.pk])
    assert not Recommendation.objects.exists()


def test_promoting_links_the_initiative_to_the_goals_the_recommendation_serves(
    fake, acme, globex, bob
):
    from vcio.core.models import Department
    from vcio.strategy.models import BusinessGoal

    sales = Department.objects.create(client=acme, name="Sales")
    grow = BusinessGoal.objects.create(client=acme, title="Grow online sales")
    keep = BusinessGoal.objects.create(client=acme, title="Keep customers")
    foreign = BusinessGoal.objects.create(client=globex, title="Globex goal")
    fake.drafts = [draft(acme, goal_ids=(grow.pk, foreign.pk), department_id=sales.pk)]
    sync_recommendations([acme.pk])
    rec = Recommendation.objects.get(client=acme)
    assert rec.goal_ids == sorted([grow.pk, foreign.pk]) and rec.department == sales

    initiative = promote(rec, bob)

    # Only the client's own goal is linked: another client's id never crosses over.
    assert list(initiative.goals.all()) == [grow]
    # Folding a second one into the same initiative adds its goal once.
    fake.drafts = [draft(acme, key="test.second", goal_ids=(keep.pk, grow.pk))]
    sync_recommendations([acme.pk])
    attach(Recommendation.objects.get(key="test.second"), initiative)
    assert set(initiative.goals.all()) == {grow, keep}
