"""The client's risk register: risks from misaligned items or entered, and their treatment."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vcio.core.scoping import ClientScopedModel

one_to_five = [MinValueValidator(1), MaxValueValidator(5)]


class Treatment(models.TextChoices):
    UNDECIDED = "open", "Not yet decided"
    MITIGATE = "mitigate", "Mitigate"
    ACCEPT = "accept", "Accept"
    TRANSFER = "transfer", "Transfer"


class Risk(ClientScopedModel):
    """A risk to the client's business: likelihood × impact, before and after treatment."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # Where it came from: a misaligned item of an assessment (both blank: entered by hand).
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item_ref = models.CharField(max_length=80, blank=True)
    likelihood = models.PositiveSmallIntegerField(default=3, validators=one_to_five)
    impact = models.PositiveSmallIntegerField(default=3, validators=one_to_five)
    owner = models.CharField(max_length=120, blank=True, help_text="Who answers for it.")
    treatment = models.CharField(
        max_length=10, choices=Treatment.choices, default=Treatment.UNDECIDED
    )
    initiative = models.ForeignKey(
        "strategy.Initiative", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accept_reason = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    transferred_to = models.CharField(max_length=200, blank=True, help_text="e.g. cyber insurer")
    residual_likelihood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=one_to_five
    )
    residual_impact = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=one_to_five
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["client_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "assessment", "item_ref"],
                condition=~models.Q(item_ref=""),
                name="one_risk_per_assessed_item",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        """Inherent risk, 1–25: likelihood × impact."""
        return self.likelihood * self.impact

    @property
    def residual_score(self) -> int:
        """Risk left after treatment, 1–25; the inherent score until residual is set."""
        return (self.residual_likelihood or self.likelihood) * (self.residual_impact or self.impact)

    def review_due(self, today) -> bool:
        """An accepted risk whose review date has come: back for the CIO to decide again."""
        return (
            self.treatment == Treatment.ACCEPT
            and not self.closed
            and self.review_date is not None
            and self.review_date <= today
        )
