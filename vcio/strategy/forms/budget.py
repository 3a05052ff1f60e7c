"""The budget page's choice of fiscal years."""

from __future__ import annotations

from django import forms


class BudgetRangeForm(forms.Form):
    """Which fiscal years the budget covers: ``year`` (e.g. 2027) and how many from it."""

    year = forms.IntegerField(
        label="From fiscal year", required=False, min_value=2000, max_value=2100
    )
    years = forms.IntegerField(label="Years", required=False, min_value=1, max_value=5, initial=2)
