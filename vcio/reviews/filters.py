"""The one filter of review lists, shared by the client's Reviews page and the API.

It only narrows a queryset already scoped with ``for_user``; the client
choices are themselves the requesting user's visible clients.
"""

from __future__ import annotations

import django_filters

from vcio.core.filters import FilterSet, IdFilter, client_filter
from vcio.reviews.models import (
    ActionItem,
    ActionItemStatus,
    Decision,
    DecisionKind,
    Review,
    ReviewKind,
    ReviewStatus,
)


class ReviewFilter(FilterSet):
    client = client_filter()
    kind = django_filters.ChoiceFilter(choices=ReviewKind.choices)
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = Review
        fields = ["client", "kind", "status"]


class DecisionFilter(FilterSet):
    client = client_filter()
    kind = django_filters.ChoiceFilter(choices=DecisionKind.choices)
    review = IdFilter(field_name="review_id")

    class Meta:
        model = Decision
        fields = ["client", "kind", "review"]


class ActionItemFilter(FilterSet):
    client = client_filter()
    status = django_filters.ChoiceFilter(choices=ActionItemStatus.choices)
    review = IdFilter(field_name="review_id")

    class Meta:
        model = ActionItem
        fields = ["client", "status", "review"]
