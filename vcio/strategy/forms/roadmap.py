"""Forms of the roadmap: the caps an optimisation runs under, moves, scenario variants."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from vcio.core.fiscal import FiscalQuarter
from vcio.strategy.planning import MAX_HORIZON, PlanSettings


def _cap(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
    )


class OptimiseForm(forms.Form):
    """A scenario's name, horizon and caps; an empty cap means no cap."""

    name = forms.CharField(max_length=200, help_text="E.g. “FY2027 base budget”.")
    horizon = forms.IntegerField(
        label="Horizon (quarters)",
        initial=8,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HORIZON)],
    )
    capex_per_quarter = _cap("One-time (capex) per quarter", "Leave empty for no cap.")
    capex_per_year = _cap("One-time (capex) per fiscal year", "")
    opex_per_quarter = _cap(
        "Recurring (opex) per quarter", "A quarter of each yearly cost counts in every quarter."
    )
    opex_per_year = _cap("Recurring (opex) per fiscal year", "")
    effort_per_quarter = _cap("Effort per quarter (person-days)", "The team's capacity.")

    def settings(self) -> PlanSettings:
        data = self.cleaned_data
        return PlanSettings(
            horizon=data["horizon"],
            **{
                name: data.get(name)
                for name in PlanSettings.__dataclass_fields__
                if name != "horizon"
            },
        )


class MoveForm(forms.Form):
    """Where to move an initiative: a quarter of the roadmap, or off it."""

    quarter = forms.ChoiceField(required=False)

    def __init__(self, *args, quarters: list[FiscalQuarter], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [("", "Not scheduled")] + [
            (q.start.isoformat(), q.label) for q in quarters
        ]


class VariantForm(forms.Form):
    """A copy of a scenario with every money cap changed by a percentage."""

    percent = forms.IntegerField(
        label="Change budget caps by (%)",
        initial=20,
        validators=[MinValueValidator(-90), MaxValueValidator(500)],
    )
