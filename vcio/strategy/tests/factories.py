"""factory_boy factories for the strategy app's models."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from vcio.core.tests.factories import ClientFactory
from vcio.strategy.models import BusinessGoal, Initiative, Kpi, Recommendation


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessGoal

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    goal = factory.SubFactory(GoalFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    capex = Decimal("1000")
    opex_per_year = Decimal("0")
    effort_days = Decimal("5")


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    client = factory.SubFactory(ClientFactory)
    key = factory.Sequence(lambda n: f"test.rec.{n}")
    title = factory.Sequence(lambda n: f"Recommendation {n}")
    why = "Because the evidence says so."
    first_generated_at = factory.LazyFunction(timezone.now)
    last_generated_at = factory.LazyFunction(timezone.now)


def strategy_rows_for(client, marker: str) -> dict:
    """One row of every strategy model for ``client``, each carrying ``marker``.

    Used by the isolation walk (a victim row per client-scoped model) and the
    no-500 walk (a row for every route with an id to aim at).
    """
    import datetime

    from vcio.strategy.models import (
        InitiativeGoal,
        KpiValue,
        Milestone,
        Scenario,
        ScoringWeights,
        SpendEntry,
    )

    goal = GoalFactory(client=client, title=f"{marker} goal")
    kpi = KpiFactory(goal=goal, name=f"{marker} KPI")
    value = KpiValue.objects.create(kpi=kpi, at=datetime.date(2026, 1, 1), value=Decimal("42"))
    first = InitiativeFactory(client=client, title=f"{marker} initiative")
    second = InitiativeFactory(client=client, title=f"{marker} follow-up")
    second.requires.add(first)
    link = InitiativeGoal.objects.create(initiative=first, goal=goal, contribution=60)
    milestone = Milestone.objects.create(initiative=first, title=f"{marker} milestone")
    spend = SpendEntry.objects.create(
        initiative=first, date=datetime.date(2026, 2, 1), amount=Decimal("100"), note=marker
    )
    recommendation = RecommendationFactory(client=client, title=f"{marker} recommendation")
    weights = ScoringWeights.objects.create(client=client)
    scenario = Scenario.objects.create(client=client, name=f"{marker} scenario")
    return {
        "goal": goal,
        "kpi": kpi,
        "kpi_value": value,
        "initiative": first,
        "dependent": second,
        "goal_link": link,
        "milestone": milestone,
        "spend": spend,
        "recommendation": recommendation,
        "weights": weights,
        "scenario": scenario,
    }
