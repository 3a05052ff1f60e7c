"""Filters of the assessments app's lists, shared by the pages and the API.

Like core's, each FilterSet only narrows a queryset the caller has already
scoped with ``for_user``; the choices it offers (clients, assessments,
answers, frameworks) are the requesting user's visible rows, so a foreign id
is "not a valid choice" and reveals nothing.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest

from vcio.assessments.models import (
    Answer,
    AnswerStatus,
    Assessment,
    AssessmentStatus,
    Evidence,
    Framework,
    Risk,
    Treatment,
)
from vcio.core.filters import FilterSet, IdChoiceFilter, client_filter, search_method
from vcio.core.roles import Perm

# Sort keys of the register and the API's ``ordering`` on risks.
RISK_ORDERING = [
    "risk_score",
    "title",
    "likelihood",
    "impact",
    "treatment",
    "review_date",
    "created_at",
]


def visible_assessments(request: HttpRequest | None) -> QuerySet:
    """Assessments the requesting user may see; none without a request (deny by default)."""
    if request is None:
        return Assessment.objects.none()
    return Assessment.objects.for_user(request.user, Perm.VIEW)


def visible_answers(request: HttpRequest | None) -> QuerySet:
    """Answers the requesting user may see; none without a request."""
    if request is None:
        return Answer.objects.none()
    return Answer.objects.for_user(request.user, Perm.VIEW)


class AssessmentFilter(FilterSet):
    client = client_filter()
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)
    framework = django_filters.ModelChoiceFilter(
        field_name="version__framework",
        to_field_name="key",
        queryset=Framework.objects.all(),
        label="Framework (key)",
    )

    class Meta:
        model = Assessment
        fields = ["client", "status", "framework"]


class AnswerFilter(FilterSet):
    assessment = IdChoiceFilter(queryset=visible_assessments)
    status = django_filters.ChoiceFilter(choices=AnswerStatus.choices)

    class Meta:
        model = Answer
        fields = ["assessment", "status"]


class EvidenceFilter(FilterSet):
    answer = IdChoiceFilter(queryset=visible_answers)

    class Meta:
        model = Evidence
        fields = ["answer"]


class RiskFilter(FilterSet):
    q = django_filters.CharFilter(method=search_method(["title", "owner"]), label="Search")
    treatment = django_filters.ChoiceFilter(choices=Treatment.choices, empty_label="Any treatment")
    closed = django_filters.BooleanFilter(label="Closed")
    assessment = IdChoiceFilter(queryset=visible_assessments)
    client = client_filter()

    class Meta:
        model = Risk
        fields = ["q", "treatment", "closed", "assessment", "client"]
