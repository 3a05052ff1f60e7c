"""Scoring weights per client and saved roadmap scenarios."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vcio.core.scoping import ClientScopedModel

WEIGHT_FIELDS = ("alignment", "risk", "urgency", "benefit", "cost", "effort")
# Goal alignment leads: aligning IT with the business is the point of the exercise.
DEFAULT_WEIGHTS = {
    "alignment": 30,
    "risk": 20,
    "urgency": 15,
    "benefit": 15,
    "cost": 10,
    "effort": 10,
}
ALL_ZERO_MESSAGE = (
    "At least one weight must be above zero: with every weight at zero no initiative "
    "could score better than another."
)


def _weight(name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=DEFAULT_WEIGHTS[name], validators=[MinValueValidator(0), MaxValueValidator(100)]
    )


class ScoringWeights(ClientScopedModel):
    """How much each part of the score counts for one client (relative, 0–100 each)."""

    client = models.OneToOneField(
        "core.Client", on_delete=models.CASCADE, related_name="scoring_weights"
    )
    alignment = _weight("alignment")
    risk = _weight("risk")
    urgency = _weight("urgency")
    benefit = _weight("benefit")
    cost = _weight("cost")
    effort = _weight("effort")

    class Meta:
        verbose_name_plural = "scoring weights"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(alignment__gt=0)
                | models.Q(risk__gt=0)
                | models.Q(urgency__gt=0)
                | models.Q(benefit__gt=0)
                | models.Q(cost__gt=0)
                | models.Q(effort__gt=0),
                name="scoring_weights_not_all_zero",
            )
        ]

    def __str__(self) -> str:
        return f"Scoring weights of {self.client}"

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in WEIGHT_FIELDS}

    def clean(self) -> None:
        if not any(self.as_dict().values()):
            raise ValidationError(ALL_ZERO_MESSAGE)


class Scenario(ClientScopedModel):
    """A saved roadmap plan with the caps it was computed under."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=200)
    caps = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    horizon = models.PositiveSmallIntegerField(
        "horizon (quarters)", default=8, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The optimiser's result (choices, quarters, reasons, totals), as JSON.
    plan = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # When its quarters were written onto the initiatives (the roadmap then follows it,
    # and moves on the board are checked against its caps).
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What applying it replaced, to undo it: {"moves": [{id, before, after}]}, each
    # placement {start, end, status}. Emptied by undo.
    undo = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="one_scenario_name_per_client")
        ]

    def __str__(self) -> str:
        return self.name
