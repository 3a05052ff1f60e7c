"""Filters of the strategy API's lists.

Like core's, each FilterSet only narrows a queryset the viewset already
scoped with ``for_user``; every choice list (clients, goals, initiatives)
is itself the requesting user's visible rows, so a foreign slug or id is
"not a valid choice" and reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from vcio.core.filters import (
    FilterSet,
    IdChoiceFilter,
    client_filter,
    search_method,
    visible_clients,
)
from vcio.core.roles import Perm
from vcio.strategy.models import (
    BusinessGoal,
    GoalStatus,
    Initiative,
    InitiativeGoal,
    InitiativeStatus,
    Kpi,
    Milestone,
    Priority,
    Recommendation,
    RecommendationStatus,
    Risk,
    SpendEntry,
)


def visible(model: type[Model]) -> Callable[[HttpRequest | None], QuerySet]:
    """A filter's ``queryset`` callable: the rows of ``model`` the requesting user may see."""

    def rows(request: HttpRequest | None) -> QuerySet:
        if request is None:
            return model._default_manager.none()
        return model._default_manager.for_user(request.user, Perm.VIEW)

    return rows


def client_of(path: str) -> django_filters.ModelChoiceFilter:
    """The ``client`` filter (by slug) of a row that reaches its client through ``path``."""
    return django_filters.ModelChoiceFilter(
        field_name=path, to_field_name="slug", queryset=visible_clients, label="Client"
    )


class GoalFilter(FilterSet):
    q = django_filters.CharFilter(method=search_method(["title", "description"]), label="Search")
    status = django_filters.ChoiceFilter(choices=GoalStatus.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    client = client_filter()

    class Meta:
        model = BusinessGoal
        fields = ["q", "status", "priority", "client"]


class KpiFilter(FilterSet):
    goal = IdChoiceFilter(queryset=visible(BusinessGoal))
    client = client_of("goal__client")

    class Meta:
        model = Kpi
        fields = ["goal", "client"]


class InitiativeFilter(FilterSet):
    q = django_filters.CharFilter(method=search_method(["title", "description"]), label="Search")
    status = django_filters.ChoiceFilter(choices=InitiativeStatus.choices)
    category = django_filters.CharFilter(lookup_expr="iexact")
    goal = IdChoiceFilter(field_name="goals", queryset=visible(BusinessGoal))
    client = client_filter()

    class Meta:
        model = Initiative
        fields = ["q", "status", "category", "goal", "client"]


class _InitiativeChildFilter(FilterSet):
    initiative = IdChoiceFilter(queryset=visible(Initiative))
    client = client_of("initiative__client")


class InitiativeGoalFilter(_InitiativeChildFilter):
    goal = IdChoiceFilter(queryset=visible(BusinessGoal))

    class Meta:
        model = InitiativeGoal
        fields = ["initiative", "goal", "client"]


class MilestoneFilter(_InitiativeChildFilter):
    done = django_filters.BooleanFilter()

    class Meta:
        model = Milestone
        fields = ["initiative", "done", "client"]


class SpendFilter(_InitiativeChildFilter):
    kind = django_filters.ChoiceFilter(choices=SpendEntry.Kind.choices)

    class Meta:
        model = SpendEntry
        fields = ["initiative", "kind", "client"]


class RecommendationFilter(FilterSet):
    q = django_filters.CharFilter(method=search_method(["title", "why"]), label="Search")
    status = django_filters.ChoiceFilter(choices=RecommendationStatus.choices)
    risk = django_filters.ChoiceFilter(choices=Risk.choices)
    source_app = django_filters.CharFilter()
    client = client_filter()

    class Meta:
        model = Recommendation
        fields = ["q", "status", "risk", "source_app", "client"]
