"""Forms of the initiative pages: the initiative itself, its links, milestones and spend.

Every form takes the ``client`` the page shows and offers only that
client's rows (contacts, goals, other initiatives), so another client's id
is "not a valid choice" and never reaches a service. Messages name the
field and the value typed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from vcio.core.filters import FilterSet, IdChoiceFilter
from vcio.core.fiscal import FiscalQuarter, quarter_of
from vcio.core.models import Client, Contact
from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    InitiativeStatus,
    Milestone,
    SpendEntry,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_INVALID = "“%(value)s” is not a date: use YYYY-MM-DD."
NUMBER_INVALID = "“%(value)s” is not a number, e.g. 1234.50."
# The quarters offered around today: enough history to record what already
# started, and three years ahead, the horizon of a roadmap.
QUARTERS_BACK, QUARTERS_AHEAD = 4, 12
# Finished or refused: what "open only" leaves out.
CLOSED_STATUSES = (InitiativeStatus.DONE, InitiativeStatus.DECLINED)


def quarter_label(day: datetime.date | None, client: Client) -> str:
    """The client's fiscal quarter of ``day`` as "FY2027 Q1"; "" for no date."""
    return quarter_of(day, client.fiscal_year_start_month).label if day else ""


def offered_quarters(client: Client, today: datetime.date | None = None) -> list[FiscalQuarter]:
    """The client's last 4 and next 12 fiscal quarters (the current one included)."""
    here = quarter_of(today or timezone.localdate(), client.fiscal_year_start_month)
    return [here.shift(i) for i in range(-QUARTERS_BACK, QUARTERS_AHEAD)]


def quarter_choices(client: Client, *keep: datetime.date | None) -> list[tuple[str, str]]:
    """``(first day, label)`` choices of the offered quarters, plus any date in ``keep``.

    A stored quarter outside the window (an old project, or a date from
    before the fiscal year start changed) stays selectable, so editing
    another field does not silently clear it.
    """
    choices = {q.start: q.label for q in offered_quarters(client)}
    for day in keep:
        if day and day not in choices:
            choices[day] = quarter_label(day, client)
    return [("", "—")] + [(d.isoformat(), label) for d, label in sorted(choices.items())]


def _no_negative(field: forms.Field) -> None:
    """Refuse a negative amount in the form, naming the field."""
    field.validators.append(MinValueValidator(Decimal("0")))
    field.error_messages["min_value"] = f"{capfirst(field.label)} cannot be negative."
    field.widget.attrs.setdefault("min", "0")


def _plain_messages(form: forms.BaseForm) -> None:
    """Dates and numbers: messages that repeat what was typed."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DATE
            field.error_messages["invalid"] = DATE_INVALID
        if isinstance(field, forms.DecimalField):
            field.error_messages["invalid"] = NUMBER_INVALID


class _WithTypedValue:
    """Puts the typed value into "“%(value)s” is not …" messages (Django leaves it out)."""

    def add_error(self, field: str | None, error: Any) -> None:
        if field and isinstance(error, forms.ValidationError) and not hasattr(error, "error_dict"):
            typed = self[field].data if field in self.fields else None
            error = forms.ValidationError(
                [
                    forms.ValidationError(e.message, code=e.code, params={"value": typed})
                    if e.code == "invalid" and "%(value)s" in str(e.message)
                    else e
                    for e in error.error_list
                ]
            )
        super().add_error(field, error)


class InitiativeForm(_WithTypedValue, forms.ModelForm):
    """An initiative's plan; its status moves only through the workflow buttons."""

    start_quarter = forms.TypedChoiceField(
        required=False, coerce=datetime.date.fromisoformat, empty_value=None
    )
    end_quarter = forms.TypedChoiceField(
        required=False, coerce=datetime.date.fromisoformat, empty_value=None
    )

    class Meta:
        model = Initiative
        fields = [
            "title",
            "description",
            "category",
            "capex",
            "opex_per_year",
            "effort_days",
            "benefit",
            "risk_reduction",
            "urgency",
            "due_date",
            "owner",
            "start_quarter",
            "end_quarter",
            "mandatory",
            "locked",
            "alternative_group",
            "percent_complete",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.instance.client = client
        owner = self.fields["owner"]
        owner.queryset = Contact.objects.filter(client=client)
        owner.error_messages["invalid_choice"] = f"Choose one of {client}'s contacts."
        kept = (self.instance.start_quarter, self.instance.end_quarter)
        for name, label in (("start_quarter", "Start quarter"), ("end_quarter", "End quarter")):
            field = self.fields[name]
            field.label = label
            field.choices = quarter_choices(client, *kept)
            field.help_text = f"{client}'s fiscal quarters."
            field.error_messages["invalid_choice"] = (
                f"“%(value)s” is not one of the offered quarters for {label.lower()}."
            )
        for name in ("capex", "effort_days"):  # opex may be negative: a saving
            _no_negative(self.fields[name])
        _plain_messages(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_quarter"), data.get("end_quarter")
        if start and end and end < start:
            self.add_error(
                "end_quarter",
                f"The end quarter ({quarter_label(end, self.client)}) is before the "
                f"start quarter ({quarter_label(start, self.client)}).",
            )
        return data


class LinkGoalForm(forms.Form):
    """Link the initiative to one of the client's goals (again: re-weigh the link)."""

    goal = forms.ModelChoiceField(queryset=BusinessGoal.objects.none(), empty_label=None)
    contribution = forms.IntegerField(
        label="Contribution (%)",
        min_value=0,
        max_value=100,
        initial=50,
        error_messages={
            "min_value": "A contribution cannot be below 0 %%.",
            "max_value": "A contribution cannot be above 100 %%.",
            "invalid": "Give the contribution as a whole number of per cent, e.g. 50.",
        },
    )

    def __init__(self, *args, client: Client, goals: QuerySet[BusinessGoal], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        self.fields["goal"].error_messages["invalid_choice"] = f"Choose one of {client}'s goals."


class RequireForm(forms.Form):
    """Another initiative of the same client that must be done first."""

    requires = forms.ModelChoiceField(
        label="Requires", queryset=Initiative.objects.none(), empty_label=None
    )

    def __init__(self, *args, client: Client, others: QuerySet[Initiative], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requires"].queryset = others
        self.fields["requires"].error_messages["invalid_choice"] = (
            f"Choose one of {client}'s other initiatives."
        )


class MilestoneForm(_WithTypedValue, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _plain_messages(self)


class SpendForm(_WithTypedValue, forms.ModelForm):
    class Meta:
        model = SpendEntry
        fields = ["date", "amount", "kind", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _no_negative(self.fields["amount"])
        _plain_messages(self)


class InitiativeFilter(FilterSet):
    """The initiative list's filters; the choices are the shown client's own."""

    status = django_filters.ChoiceFilter(choices=InitiativeStatus.choices, empty_label="Any status")
    category = django_filters.ChoiceFilter(choices=[], empty_label="Any category")
    goal = IdChoiceFilter(
        field_name="goals",
        queryset=BusinessGoal.objects.none(),
        label="Goal",
        empty_label="Any goal",
    )
    open = django_filters.BooleanFilter(
        method="filter_open", label="Open only", widget=forms.CheckboxInput
    )

    class Meta:
        model = Initiative
        fields = ["status", "category", "goal", "open"]

    def __init__(self, *args, client: Client, goals: QuerySet[BusinessGoal], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        categories = (
            self.queryset.exclude(category="")
            .order_by("category")
            .values_list("category", flat=True)
            .distinct()
        )
        self.filters["category"].extra["choices"] = [(c, c) for c in categories]
        self.filters["goal"].queryset = goals

    def filter_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.exclude(status__in=CLOSED_STATUSES) if value else queryset
