"""The needs form (pages) and the needs filter (pages and API alike: one definition per list).

The form offers only the client's own departments and goals; a posted id of
another client's is refused as "not one of this client's …", never saved.
A need cannot be due before it was raised.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from vcio.core.filters import (
    FilterSet,
    IdChoiceFilter,
    client_filter,
    search_method,
    visible_departments,
)
from vcio.core.models import Client, Department
from vcio.needs.models import Need, NeedKind, NeedStatus, Urgency
from vcio.strategy.models import BusinessGoal

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def due_error(raised_on, due_on) -> str | None:
    """The message when a need is due before it was raised, else None."""
    if raised_on and due_on and due_on < raised_on:
        return (
            f"The due date {due_on.isoformat()} is before the day the need was raised "
            f"({raised_on.isoformat()})."
        )
    return None


class NeedForm(forms.ModelForm):
    """A need's department, kind, text, urgency, dates, goal, status and theme."""

    class Meta:
        model = Need
        fields = [
            "department", "kind", "text", "urgency", "raised_on", "due_on", "goal", "status",
            "theme",
        ]  # fmt: skip
        widgets = {
            "raised_on": DATE,
            "due_on": DATE,
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "theme": "Leave blank to let vcio group the need with similar ones; a theme "
            "typed here is kept.",
            "goal": "The client's business goal this need serves, if any.",
        }

    def __init__(self, *args, client: Client | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.client = client
        department = self.fields["department"]
        department.queryset = Department.objects.filter(client=client).order_by("name")
        department.error_messages["invalid_choice"] = "That department is not one of this client's."
        goal = self.fields["goal"]
        goal.queryset = BusinessGoal.objects.filter(client=client).order_by("title")
        goal.error_messages["invalid_choice"] = "That goal is not one of this client's goals."
        self.fields["raised_on"].label = "Raised on"
        self.fields["due_on"].label = "Due by"

    def clean(self) -> dict:
        data = super().clean()
        message = due_error(data.get("raised_on"), data.get("due_on"))
        if message:
            self.add_error("due_on", message)
        return data


def visible_goals(request) -> QuerySet:
    """Goals the requesting user may see; none without a request (deny by default)."""
    if request is None:
        return BusinessGoal.objects.none()
    return BusinessGoal.objects.for_user(request.user)


class NeedFilter(FilterSet):
    """Narrows already-scoped needs: department, status, kind, urgency, theme, goal, search."""

    q = django_filters.CharFilter(method=search_method(["text", "theme"]), label="Search")
    department = IdChoiceFilter(queryset=visible_departments, empty_label="All departments")
    status = django_filters.ChoiceFilter(choices=NeedStatus.choices, empty_label="Any status")
    kind = django_filters.ChoiceFilter(choices=NeedKind.choices, empty_label="Any kind")
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, empty_label="Any urgency")
    theme = django_filters.CharFilter(field_name="theme", lookup_expr="exact", label="Theme")
    goal = IdChoiceFilter(queryset=visible_goals, empty_label="Any goal")
    client = client_filter()

    class Meta:
        model = Need
        fields = ["q", "department", "status", "kind", "urgency", "theme", "goal", "client"]
