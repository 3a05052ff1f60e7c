"""Forms of the reviews pages: new review, summary and notes, decisions, action items, cadence.

Each form only checks what a user typed; the rules (no overlapping period,
nothing changes once finalised) live in :mod:`vcio.reviews.services`, which
the views call with the cleaned data.
"""

from __future__ import annotations

from typing import Any

from django import forms

from vcio.core.forms import DayField, IdsChoiceField
from vcio.core.models import Client, Contact
from vcio.reviews.models import ActionItem, Decision, ReviewCadence, ReviewKind
from vcio.strategy.models import Initiative


class NewReviewForm(forms.Form):
    """A review of any period: the cadence's "Prepare it" fills these for the usual ones."""

    kind = forms.ChoiceField(choices=ReviewKind.choices)
    period_start = DayField(label="Period starts")
    period_end = DayField(label="Period ends")
    meeting_date = DayField(label="Meeting date", required=False)

    def __init__(self, *args: Any, client: Client | None = None, **kwargs: Any) -> None:
        self.client = client
        # The list page's filter has a "kind" field too: distinct ids keep labels right.
        kwargs.setdefault("auto_id", "id_new_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", f"The period ends ({end}) before it starts ({start}).")
        return data


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label="Executive summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown first in the report, to the client's leaders.",
    )
    meeting_date = DayField(label="Meeting date", required=False)


class NotesForm(forms.Form):
    internal_notes = forms.CharField(
        label="Internal notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The practice's only: never shown to the client nor in the report.",
    )


class DecisionForm(forms.ModelForm):
    """A decision; the initiative is chosen among this client's initiatives only."""

    class Meta:
        model = Decision
        fields = [
            "kind",
            "initiative",
            "decision_maker",
            "note",
            "capex_per_year",
            "opex_per_year",
            "capex_per_quarter",
            "opex_per_quarter",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, client: Client, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = (
            Initiative.objects.for_user(user).filter(client=client).order_by("title", "id")
        )
        self.fields["initiative"].error_messages["invalid_choice"] = (
            "That initiative is not one of this client's: choose one from the list."
        )


class ActionItemForm(forms.ModelForm):
    due_date = DayField(label="Due date", required=False)

    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_date"]


class CadenceForm(forms.ModelForm):
    """When the client's reviews happen; attendees among the client's own contacts."""

    class Meta:
        model = ReviewCadence
        fields = [
            "monthly_enabled",
            "monthly_day",
            "qbr_enabled",
            "qbr_month",
            "qbr_day",
            "attendees",
            "reminder_days",
        ]
        widgets = {"attendees": forms.CheckboxSelectMultiple}
        field_classes = {"attendees": IdsChoiceField}

    def __init__(self, *args: Any, client: Client, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = (
            Contact.objects.for_user(user).filter(client=client).order_by("last_name", "id")
        )
