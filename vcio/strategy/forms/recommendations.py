"""The recommendation list's filter and the form that dismisses one."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from vcio.core.filters import FilterSet
from vcio.strategy.models import RecommendationStatus, Risk

ANY_STATUS = "all"
# What a consultant comes to the list for: the proposals still waiting for a decision.
DEFAULT_STATUS = RecommendationStatus.OPEN
DISMISS_REASON_MESSAGE = "Say why this recommendation is dismissed."


class RecommendationFilter(FilterSet):
    """Status (open unless asked otherwise), risk and the app that generated it.

    ``sources`` are the generating apps offered as choices (those the
    client's recommendations came from); the caller passes them so the
    filter itself runs no query of its own.
    """

    status = django_filters.ChoiceFilter(
        choices=[(ANY_STATUS, "Any status"), *RecommendationStatus.choices],
        method="filter_status",
        empty_label=None,
        label="Status",
    )
    risk = django_filters.ChoiceFilter(choices=Risk.choices, empty_label="Any risk")
    source_app = django_filters.ChoiceFilter(
        choices=[], empty_label="Any source", label="Source app"
    )

    def __init__(self, data: QueryDict | None = None, *args, sources=(), **kwargs) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("status"):
            data["status"] = DEFAULT_STATUS
        super().__init__(data, *args, **kwargs)
        self.filters["source_app"].extra["choices"] = [(s, s.capitalize()) for s in sources if s]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if value == ANY_STATUS else queryset.filter(status=value)


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="Why dismiss it?",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": DISMISS_REASON_MESSAGE},
    )
