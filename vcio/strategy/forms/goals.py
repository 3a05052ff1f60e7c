"""Forms for business goals, their KPIs and KPI values; messages name the field and value."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from vcio.core.filters import FilterSet
from vcio.core.forms import DATE_INPUT, DayField
from vcio.core.models import Client, Contact, Department
from vcio.core.registry import MONEY, figures
from vcio.strategy.models import BusinessGoal, GoalStatus, Kpi, Priority

DATE = DATE_INPUT


class NumberField(forms.DecimalField):
    """A decimal field whose "not a number" message quotes what was typed."""

    def to_python(self, value: Any) -> Decimal | None:
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if exc.code != "invalid":
                raise
            label = self.label or "This value"
            raise ValidationError(
                "%(label)s: “%(value)s” is not a number, e.g. 95 or 99.5.",
                code="invalid",
                params={"label": label, "value": str(value)[:50]},
            ) from None


class GoalForm(forms.ModelForm):
    """A client's goal; owner and department are chosen among that client's own."""

    class Meta:
        model = BusinessGoal
        fields = [
            "title",
            "description",
            "owner",
            "department",
            "priority",
            "target_date",
            "status",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "target_date": DATE}
        field_classes = {"target_date": DayField}
        help_texts = {"owner": "The client's leader accountable for the goal."}

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.instance.client = client
        owner, department = self.fields["owner"], self.fields["department"]
        # Only this client's people and departments: another client's id is "not a choice".
        owner.queryset = Contact.objects.filter(client=client)
        owner.error_messages["invalid_choice"] = f"Choose one of {client}'s contacts."
        department.queryset = Department.objects.filter(client=client)
        department.error_messages["invalid_choice"] = f"Choose one of {client}'s departments."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The choice lists already refuse foreign rows; this guards a form built without them.
        for name in ("owner", "department"):
            row = data.get(name)
            if row is not None and row.client_id != self.client.pk:
                self.add_error(name, f"{row} belongs to another client, not {self.client}.")
        return data


def figure_choices(currency: str) -> list[tuple[str, str]]:
    """The live figures a KPI may read, labelled with their unit; blank = entered by hand."""
    choices = [("", "— none: entered by hand —")]
    for fig in sorted(figures, key=lambda f: (f.app, f.label)):
        unit = {"": "", MONEY: f" ({currency})"}.get(fig.unit, f" ({fig.unit})")
        choices.append((fig.key, f"{fig.label}{unit}"))
    return choices


class KpiForm(forms.ModelForm):
    """A KPI of one goal: entered by hand, or bound to one of the live figures."""

    figure_key = forms.ChoiceField(
        label="Live figure",
        required=False,
        help_text="Leave blank to enter values by hand; otherwise the value is read every "
        "day from the client's data.",
    )

    class Meta:
        model = Kpi
        fields = ["name", "figure_key", "unit", "baseline", "target", "direction"]
        field_classes = {"baseline": NumberField, "target": NumberField}
        help_texts = {
            "unit": 'e.g. "%", "days"; left blank for a live figure, its own unit is used.',
            "baseline": "Where the measure stood when the goal was set.",
        }

    def __init__(self, *args, client: Client, goal: BusinessGoal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        if goal is not None:
            self.instance.goal = goal
        field = self.fields["figure_key"]
        field.choices = figure_choices(
            client.currency
        )  # read now: apps register figures at start-up
        field.error_messages["invalid_choice"] = (
            "“%(value)s” is not a live figure: choose one from the list, "
            "or leave it blank to enter values by hand."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        key = data.get("figure_key")
        if key and key in figures and not data.get("unit"):
            unit = figures.get(key).unit
            data["unit"] = self.client.currency if unit == MONEY else unit
        return data


class KpiValueForm(forms.Form):
    """One measurement of an entered KPI."""

    at = DayField(
        label="Measured on",
        widget=DATE,
        initial=timezone.localdate,
        error_messages={"required": "Give the date it was measured."},
    )
    value = NumberField(
        label="Value",
        max_digits=16,
        decimal_places=4,
        error_messages={"required": "Give the value measured."},
    )

    def clean_at(self) -> datetime.date:
        at = self.cleaned_data["at"]
        if at > timezone.localdate():
            raise ValidationError(
                "%(at)s is in the future: record a value once it has been measured.",
                params={"at": at.isoformat()},
            )
        return at


class GoalFilter(FilterSet):
    """The goal list's filters: status and a text search (title, description)."""

    status = django_filters.ChoiceFilter(choices=GoalStatus.choices, empty_label="Any status")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = BusinessGoal
        fields = ["status", "priority", "q"]

    def search(self, queryset, name: str, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))
