"""Forms of the practice pages: a time entry, a fee change, a person's rate, the targets."""

from __future__ import annotations

from django import forms

from vcio.core.models import Client
from vcio.practice.models import Activity, PersonRate, Targets


class TimeEntryForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), to_field_name="slug")
    # Plain text, not a date picker: typed in one go (Tab leaves it, where a picker's
    # Tab walks its day, month and year parts).
    date = forms.DateField(
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"}
        ),
        input_formats=["%Y-%m-%d"],
    )
    hours = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25"}),
    )
    activity = forms.ChoiceField(choices=Activity.choices, initial=Activity.AD_HOC)
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, clients=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients if clients is not None else Client.objects.none()
        self.fields["client"].widget.attrs["autofocus"] = True


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file (Toggl Track detailed export, or vcio's columns)")


class FeeChangeForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), to_field_name="slug")
    monthly_fee = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, clients=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients if clients is not None else Client.objects.none()


class PersonRateForm(forms.ModelForm):
    class Meta:
        model = PersonRate
        fields = ["cost_rate", "capacity_hours"]


class TargetsForm(forms.ModelForm):
    class Meta:
        model = Targets
        fields = ["margin_percent", "hourly_rate"]
