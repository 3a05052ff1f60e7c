"""Recommendations: evidence-backed proposals that apps generate for a client."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from vcio.core.scoping import ClientScopedModel
from vcio.strategy.models.common import days, money, money_or_saving, not_negative


class Risk(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", "Open"
    PROMOTED = "promoted", "Promoted to an initiative"
    DISMISSED = "dismissed", "Dismissed"
    RESOLVED = "resolved", "Resolved (no longer found)"


class Recommendation(ClientScopedModel):
    """A generated proposal; ``key`` is the generator's stable id, unique per client."""

    client = models.ForeignKey(
        "core.Client", on_delete=models.CASCADE, related_name="recommendations"
    )
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    why = models.TextField(blank=True)
    evidence_url = models.CharField(max_length=500, blank=True)
    evidence = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    one_time_cost = models.DecimalField(**money)
    recurring_cost_per_year = models.DecimalField(**money_or_saving)  # negative: a saving
    effort_days = models.DecimalField(**days)
    due_date = models.DateField(null=True, blank=True)
    category = models.CharField(max_length=60, blank=True)
    source_app = models.CharField(max_length=40, blank=True)
    # The goals it serves and the department that asked (a survey's need): promoting
    # it links the initiative to these goals, so the roadmap shows why it is there.
    goal_ids = models.JSONField(default=list, blank=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN
    )
    dismissed_reason = models.TextField(blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    initiative = models.ForeignKey(
        "strategy.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendations",
    )
    first_generated_at = models.DateTimeField()
    last_generated_at = models.DateTimeField()

    class Meta:
        ordering = ["status", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="one_recommendation_per_key"),
            *not_negative("recommendation", "one_time_cost"),
        ]

    def __str__(self) -> str:
        return self.title
