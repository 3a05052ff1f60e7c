"""Forms of the practice's survey pages (questionnaire library, starting a round)."""

from __future__ import annotations

from django import forms

from vcio.needs.models import Question, QuestionnaireVersion


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "help", "kind", "required"]


class CopyVersionForm(forms.Form):
    new_version = forms.CharField(
        label="New version", max_length=20, help_text='e.g. "2026.2"; must be new.'
    )


class RoundForm(forms.Form):
    version = forms.ModelChoiceField(
        queryset=QuestionnaireVersion.objects.select_related("questionnaire").order_by(
            "questionnaire__name", "-created_at", "-id"
        ),
        label="Questionnaire",
        help_text="Sending freezes the version: its questions never change after that.",
    )
    title = forms.CharField(max_length=200, help_text='e.g. "Spring 2026"')
    closes_on = forms.DateField(
        label="Closes on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The links stop working at the end of this day.",
    )
