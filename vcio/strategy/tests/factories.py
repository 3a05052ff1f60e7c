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
