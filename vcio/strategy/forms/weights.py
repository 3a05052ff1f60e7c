"""The scoring weights form: six whole numbers 0–100, not all zero, each explained."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from vcio.core import audit
from vcio.core.models import Client
from vcio.core.roles import Perm
from vcio.core.scoping import require
from vcio.strategy.models import ScoringWeights
from vcio.strategy.models.planning import ALL_ZERO_MESSAGE, WEIGHT_FIELDS


@dataclass(frozen=True)
class Part:
    """One part of the score as the weights page names and explains it."""

    name: str
    label: str
    explanation: str


# Mirrors how vcio.strategy.scoring computes each part (see its _parts), in a CIO's words.
PARTS = {
    p.name: p
    for p in (
        Part(
            "alignment",
            "Goal alignment",
            "How much the initiative contributes to the client's business goals, "
            "each contribution weighted by the goal's priority.",
        ),
        Part("risk", "Risk reduction", "How much risk it removes, rated 1 to 5."),
        Part(
            "urgency",
            "Urgency",
            "How soon it is due: from its due date (an end of life, a renewal) when it "
            "has one, else rated 1 to 5.",
        ),
        Part("benefit", "Business benefit", "The benefit to the business, rated 1 to 5."),
        Part(
            "cost",
            "Cost",
            "Cheaper scores higher: its first-year cost against the client's most "
            "expensive initiative.",
        ),
        Part(
            "effort",
            "Effort",
            "Smaller scores higher: its person-days against the client's largest initiative.",
        ),
    )
}


class WeightField(forms.IntegerField):
    """A weight 0–100 whose every error names the weight and the value given."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            min_value=0,
            max_value=100,
            error_messages={
                "required": f"{label}: enter a weight from 0 to 100.",
                "min_value": f"{label}: %(show_value)s is below 0; enter 0 to 100.",
                "max_value": f"{label}: %(show_value)s is above 100; enter 0 to 100.",
            },
            **kwargs,
        )

    def to_python(self, value: Any) -> int | None:
        try:
            return super().to_python(value)
        except ValidationError:
            shown = str(value)[:40]
            raise ValidationError(
                f"{self.label}: “{shown}” is not a whole number; enter 0 to 100.",
                code="invalid",
            ) from None


class WeightsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in WEIGHT_FIELDS:
            field = WeightField(PARTS[name].label)
            field.widget.attrs.update({"min": 0, "max": 100, "step": 1})
            self.fields[name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        weights = [cleaned.get(n) for n in WEIGHT_FIELDS]
        if all(w == 0 for w in weights):
            raise ValidationError(ALL_ZERO_MESSAGE, code="all_zero")
        return cleaned

    def weights(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in WEIGHT_FIELDS}


def save_weights(client: Client, weights: dict[str, int], user: Any) -> ScoringWeights:
    """Store ``client``'s weights (creating its row the first time), with the audit log.

    Returns the saved row. Weights the caller has not checked are refused
    by the model's ``clean`` (all zero) before anything is written.
    """
    require(user, Perm.MANAGE, client)
    with transaction.atomic():
        rows = ScoringWeights.objects.for_user(user, Perm.MANAGE).select_for_update()
        row = rows.filter(client=client).first()
        if row is None:
            row = ScoringWeights(client=client, **weights)
            row.full_clean()
            row.save()
            audit.record_create(user, row)
            return row
        before = audit.snapshot(row)
        for name, value in weights.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
        audit.record_update(user, row, before)
    return row
