"""Demo strategy data: goals, KPIs and 20–40 initiatives per client, loaded twice safely."""

from __future__ import annotations

import pytest

from vcio.assets.demo import load_assets
from vcio.core.demo import load_core
from vcio.core.models import Client
from vcio.core.registry import demo_loaders, figures
from vcio.strategy.demo import FUNDED_BY, load_strategy
from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    InitiativeGoal,
    InitiativeStatus,
    Kpi,
    KpiValue,
    Milestone,
    Recommendation,
    RecommendationStatus,
    Scenario,
    ScoringWeights,
    SpendEntry,
)

S = InitiativeStatus
MODELS = (
    BusinessGoal,
    Kpi,
    KpiValue,
    Recommendation,
    Initiative,
    InitiativeGoal,
    Initiative.requires.through,
    Milestone,
    SpendEntry,
    ScoringWeights,
)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in MODELS)


def load(ctx: dict) -> list[str]:
    lines: list[str] = []
    load_strategy(ctx, lines.append)
    return lines


@pytest.fixture
def practice(db):
    ctx: dict = {}
    load_core(ctx, lambda msg: None)
    load_assets(ctx, lambda msg: None)
    return ctx


def test_the_loader_is_registered_after_assets():
    assert demo_loaders.get("strategy").order == 40 > demo_loaders.get("assets").order


def test_each_demo_client_gets_goals_kpis_and_20_to_40_initiatives(practice):
    lines = load(practice)
    assert len(lines) == 3
    for client in Client.objects.all():
        goals = BusinessGoal.objects.filter(client=client)
        assert 3 <= goals.count() <= 5
        for goal in goals:
            assert goal.owner is not None and goal.owner.client_id == client.pk
            assert goal.target_date is not None
            assert 1 <= goal.kpis.count() <= 2
        initiatives = Initiative.objects.filter(client=client)
        assert 20 <= initiatives.count() <= 40
        statuses = set(initiatives.values_list("status", flat=True))
        # Applying the base plan scheduled every approved item.
        assert {S.SCHEDULED, S.IN_PROGRESS, S.DONE, S.DECLINED} <= statuses
        assert S.APPROVED not in statuses
        base = Scenario.objects.get(client=client, name="Base plan")
        assert base.applied_at is not None and base.plan["score"] >= base.plan["greedy_score"]
        chosen = [row for row in base.plan["items"] if row["quarter"] is not None]
        assert len(chosen) >= 15
        assert all(row["reason"] for row in base.plan["items"] if row["quarter"] is None)
        assert initiatives.filter(mandatory=True).exists()
        groups = initiatives.exclude(alternative_group="").values_list("alternative_group")
        assert groups.count() >= 2 and groups.distinct().count() == 1
        assert SpendEntry.objects.filter(initiative__client=client, initiative__status=S.DONE)
        assert initiatives.filter(requires__isnull=False).exists()
        promoted = Recommendation.objects.filter(
            client=client, status=RecommendationStatus.PROMOTED
        ).exclude(initiative__title__in=FUNDED_BY)  # those fold into one initiative each
        assert 2 <= promoted.count() <= 3
        assert all(r.initiative.client_id == client.pk for r in promoted)
        assert all(r.initiative.goal_links.exists() for r in promoted)
        assert len({r.category for r in promoted}) == promoted.count()  # one of each kind
        assert ScoringWeights.objects.filter(client=client).exists()
    sizes = {c.slug: c.initiatives.count() for c in Client.objects.all()}
    assert sizes["acme"] > sizes["globex"] > sizes["initech"]
    assert Milestone.objects.exists()
    assert Scenario.objects.filter(name="Base plan (budget +20 %)").count() == 1  # Acme's


def test_started_work_sits_in_fiscal_quarters_with_progress(practice):
    load(practice)
    for initiative in Initiative.objects.filter(
        status__in=[S.APPROVED, S.SCHEDULED, S.IN_PROGRESS, S.DONE]
    ).select_related("client"):
        start = initiative.start_quarter
        assert start is not None and start.day == 1
        first = initiative.client.fiscal_year_start_month
        assert (start.month - first) % 3 == 0
        assert initiative.end_quarter >= start
        assert initiative.approved_by is not None
        assert initiative.approved_by.memberships.filter(client=initiative.client).exists()
    for initiative in Initiative.objects.filter(status=S.IN_PROGRESS):
        assert 0 < initiative.percent_complete < 100
    assert not Initiative.objects.filter(status=S.DONE).exclude(percent_complete=100).exists()


def test_loading_twice_changes_no_counts_and_keeps_the_rows(practice):
    load(practice)
    before = counts()
    ids = set(Initiative.objects.values_list("pk", flat=True))
    load(practice)
    assert counts() == before
    assert set(Initiative.objects.values_list("pk", flat=True)) == ids


def test_no_link_crosses_clients(practice):
    load(practice)
    links = InitiativeGoal.objects.select_related("initiative", "goal")
    assert links.exists()
    for link in links:
        assert link.goal.client_id == link.initiative.client_id
    edges = Initiative.requires.through.objects.select_related("from_initiative", "to_initiative")
    assert edges.exists()
    for edge in edges:
        assert edge.from_initiative.client_id == edge.to_initiative.client_id


def test_bound_kpis_point_at_registered_figures_and_entered_ones_have_history(practice):
    load(practice)
    bound = Kpi.objects.exclude(figure_key="")
    assert {k.figure_key for k in bound} == {
        "assets.under_warranty_pct",
        "assets.supported_os_pct",
    }
    assert all(k.figure_key in figures for k in bound)
    assert KpiValue.objects.filter(kpi__in=bound, source=KpiValue.Source.FIGURE).exists()
    for kpi in Kpi.objects.filter(figure_key=""):
        assert kpi.values.count() >= 3
        assert kpi.entered_value == kpi.values.order_by("-at")[0].value


@pytest.mark.django_db
def test_the_replacement_budget_and_the_licence_clean_up_carry_their_money(practice):
    """Not $0 / $0: the forecast's next four quarters, and the unused seats' yearly saving."""
    load(practice)
    load(practice)  # loading again neither loses nor doubles the folded-in money
    for title, prefix in (
        ("Twelve-month replacement budget from the lifecycle forecast", "assets.replace."),
        ("Consolidate licences and drop unused seats", "assets.licence_waste."),
    ):
        initiative = Initiative.objects.get(client__slug="acme", title=title)
        folded = list(initiative.recommendations.all())
        assert folded and all(r.key.startswith(prefix) for r in folded)
        assert initiative.capex == sum(r.one_time_cost for r in folded)
        assert initiative.opex_per_year == sum(r.recurring_cost_per_year for r in folded)
    replace = Initiative.objects.get(client__slug="acme", title__startswith="Twelve-month")
    consolidate = Initiative.objects.get(client__slug="acme", title__startswith="Consolidate")
    assert replace.capex > 0 and consolidate.opex_per_year < 0  # a saving
