"""Initiatives: the IT projects a client funds, their milestones and actual spend.

Quarters are stored as the FIRST DAY of the client's fiscal quarter
(``start_quarter``, ``end_quarter``), not as labels: a date stays right if
the client's fiscal year start changes (it then simply falls in another
quarter), sorts and filters in SQL, and ``core.fiscal.quarter_of`` gives
its label. The optimiser turns them into quarter indexes over its horizon.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from vcio.core.scoping import ClientScopedModel, ScopedManager, ScopedRow
from vcio.strategy.models.common import days, money, not_negative, one_to_five, percent, same_client
from vcio.strategy.models.goals import BusinessGoal


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Deferred"


class Initiative(ClientScopedModel):
    """An IT initiative proposed to (and decided by) the client's leaders."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=60, blank=True, help_text="e.g. lifecycle, security")
    goals = models.ManyToManyField(
        BusinessGoal, through="InitiativeGoal", related_name="initiatives", blank=True
    )
    capex = models.DecimalField("one-time cost (capex)", **money)
    opex_per_year = models.DecimalField("recurring cost a year (opex)", **money)
    effort_days = models.DecimalField("effort (person-days)", **days)
    benefit = models.PositiveSmallIntegerField(default=3, validators=one_to_five)
    risk_reduction = models.PositiveSmallIntegerField(default=3, validators=one_to_five)
    urgency = models.PositiveSmallIntegerField(
        "urgency (entered)",
        default=3,
        validators=one_to_five,
        help_text="Used when there is no due date; a due date derives urgency from the calendar.",
    )
    due_date = models.DateField(
        null=True, blank=True, help_text="The date that makes it urgent (end of life, renewal)."
    )
    requires = models.ManyToManyField(
        "self", symmetrical=False, related_name="required_by", blank=True
    )
    mandatory = models.BooleanField(default=False)
    alternative_group = models.CharField(
        max_length=60, blank=True, help_text="Initiatives sharing a group: at most one is chosen."
    )
    status = models.CharField(
        max_length=20, choices=InitiativeStatus.choices, default=InitiativeStatus.PROPOSED
    )
    owner = models.ForeignKey(
        "core.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_quarter = models.DateField(
        null=True, blank=True, help_text="First day of the fiscal quarter work starts in."
    )
    end_quarter = models.DateField(
        null=True, blank=True, help_text="First day of the fiscal quarter work ends in."
    )
    locked = models.BooleanField(default=False, help_text="The optimiser keeps its quarter.")
    percent_complete = models.PositiveSmallIntegerField(default=0, validators=percent)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Who at the client approved it ("Victor Okafor (CFO)"), as the decision names them;
    # ``approved_by`` is the user who recorded the approval (a consultant in a review).
    approved_by_name = models.CharField("approved by (at the client)", max_length=120, blank=True)
    # Copied from the recommendation it was promoted from, so the proof stays with it.
    evidence_url = models.CharField(max_length=500, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_quarter", "title", "id"]
        constraints = [
            *not_negative("initiative", "capex", "opex_per_year", "effort_days"),
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100), name="initiative_percent_le_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        same_client(self, "owner", self.client_id)
        if self.start_quarter and self.end_quarter and self.end_quarter < self.start_quarter:
            raise ValidationError({"end_quarter": "The end quarter is before the start quarter."})


class InitiativeGoal(ScopedRow):
    """How much (0–100 %) an initiative contributes to one goal."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="goal_links")
    goal = models.ForeignKey(
        BusinessGoal, on_delete=models.CASCADE, related_name="initiative_links"
    )
    contribution = models.PositiveSmallIntegerField(
        "contribution (%)", default=50, validators=percent
    )

    scope_field = "initiative__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "goal"], name="one_link_per_goal"),
            models.CheckConstraint(
                condition=models.Q(contribution__lte=100), name="contribution_le_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} → {self.goal} ({self.contribution} %)"

    def clean(self) -> None:
        if self.initiative_id and self.goal_id:
            same_client(self, "goal", self.initiative.client_id)


class Milestone(ScopedRow):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    scope_field = "initiative__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["initiative", "due", "id"]

    def __str__(self) -> str:
        return self.title


class SpendEntry(ScopedRow):
    """Money actually spent on an initiative (plan vs actual)."""

    class Kind(models.TextChoices):
        CAPEX = "capex", "One-time (capex)"
        OPEX = "opex", "Recurring (opex)"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="spend")
    date = models.DateField()
    amount = models.DecimalField(**money)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CAPEX)
    note = models.CharField(max_length=300, blank=True)

    scope_field = "initiative__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["initiative", "date", "id"]
        verbose_name_plural = "spend entries"
        constraints = not_negative("spend", "amount")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.amount} on {self.date}"
