"""Reviews: the cadence they follow, the reviews themselves, decisions and action items.

A review covers a period of the client's calendar (a month for a monthly
review, a fiscal quarter for a QBR). While it is a draft or in the meeting,
its figures are computed live; finalising stores an immutable snapshot of
every figure, health sub-score and report section the apps publish, and the
rendered report, so a past review reads exactly as it did.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from vcio.core.scoping import ClientScopedModel


class ReviewKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly review"
    QBR = "qbr", "Quarterly business review"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_MEETING = "in_meeting", "In meeting"
    FINALISED = "finalised", "Finalised"


class ReviewCadence(ClientScopedModel):
    """When a client's reviews happen, who attends and when reminders go out.

    A monthly review on ``monthly_day`` looks back at the previous calendar
    month. A QBR in the ``qbr_month``-th month of each fiscal quarter (1 is
    the first) on ``qbr_day`` looks back at the previous fiscal quarter, and
    replaces that month's monthly review: nobody sits two reviews in a week.
    """

    client = models.OneToOneField(
        "core.Client", on_delete=models.CASCADE, related_name="review_cadence"
    )
    monthly_enabled = models.BooleanField("monthly reviews", default=True)
    monthly_day = models.PositiveSmallIntegerField(
        "day of the month",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="1–28, so every month has it.",
    )
    qbr_enabled = models.BooleanField("quarterly business reviews", default=True)
    qbr_month = models.PositiveSmallIntegerField(
        "QBR month of the fiscal quarter",
        default=1,
        choices=[(1, "First month"), (2, "Second month"), (3, "Third month")],
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    qbr_day = models.PositiveSmallIntegerField(
        "QBR day of the month", default=15, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    attendees = models.ManyToManyField(
        "core.Contact", blank=True, related_name="+", help_text="Invited to every review."
    )
    reminder_days = models.PositiveSmallIntegerField(
        "remind days before",
        default=7,
        validators=[MaxValueValidator(60)],
        help_text="Email the client's members and the practice this many days before (0: never).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_day__gte=1, monthly_day__lte=28),
                name="cadence_monthly_day_1_28",
            ),
            models.CheckConstraint(
                condition=models.Q(qbr_day__gte=1, qbr_day__lte=28), name="cadence_qbr_day_1_28"
            ),
            models.CheckConstraint(
                condition=models.Q(qbr_month__gte=1, qbr_month__lte=3),
                name="cadence_qbr_month_1_3",
            ),
        ]

    def __str__(self) -> str:
        return f"Review cadence of {self.client}"


class Review(ClientScopedModel):
    """One review meeting with a client, over one period."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    period_start = models.DateField(help_text="First day the review covers.")
    period_end = models.DateField(help_text="Last day the review covers.")
    meeting_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    summary = models.TextField(
        "executive summary", blank=True, help_text="Shown to the client's leaders in the report."
    )
    internal_notes = models.TextField(
        blank=True, help_text="Practice only: never shown to the client nor in the report."
    )
    # Filled once, when finalised; never changed afterwards.
    snapshot = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    report_html = models.TextField(blank=True)
    # The same report without the practice's fee, for those who may not see the
    # commercial terms (technicians, client editors): the fee leaves its totals too.
    report_html_without_fee = models.TextField(blank=True)
    health_score = models.FloatField(null=True, blank=True)
    # The day the stored figures are as of; before period_end for an interim review.
    as_of = models.DateField(
        "figures as of", null=True, blank=True, help_text="Set when the review is finalised."
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "kind", "-id"]
        indexes = [models.Index(fields=["client", "kind", "period_start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="review_period_in_order",
            ),
            # The same kind of review of the same period twice is always a mistake;
            # partial overlaps are refused by services.check_period.
            models.UniqueConstraint(
                fields=["client", "kind", "period_start"], name="one_review_per_kind_and_start"
            ),
        ]

    def __str__(self) -> str:
        interim = " (interim)" if self.is_interim else ""
        return f"{self.get_kind_display()} {self.period_label}{interim}"

    @property
    def is_interim(self) -> bool:
        """Finalised before its period ended: it covers only the days up to ``as_of``."""
        return bool(self.is_final and self.as_of and self.as_of < self.period_end)

    @property
    def interim_text(self) -> str:
        """ "Interim review: covers 1 Oct – 2 Dec 2026 of a period that ends 31 Dec 2026." """
        from vcio.reviews.snapshot import interim_text

        return (
            interim_text(self.period_start, self.as_of, self.period_end) if self.is_interim else ""
        )

    @property
    def period_label(self) -> str:
        if self.snapshot and self.snapshot.get("period", {}).get("label"):
            return self.snapshot["period"]["label"]
        return f"{self.period_start:%d %b %Y} – {self.period_end:%d %b %Y}"

    @property
    def is_final(self) -> bool:
        return self.status == ReviewStatus.FINALISED

    def get_absolute_url(self) -> str:
        return reverse("reviews:review_detail", kwargs={"client": self.client.slug, "pk": self.pk})

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period ends before it starts."})


class DecisionKind(models.TextChoices):
    APPROVE = "approve", "Approve initiative"
    DEFER = "defer", "Defer initiative"
    DECLINE = "decline", "Decline initiative"
    BUDGET = "budget", "Change budget caps"
    NOTE = "note", "Other decision"


# The initiative status each initiative decision leads to.
DECISION_STATUS = {
    DecisionKind.APPROVE: "approved",
    DecisionKind.DEFER: "deferred",
    DecisionKind.DECLINE: "declined",
}


class Decision(ClientScopedModel):
    """What the client's leaders decided, in a review or in the portal.

    Initiative decisions and budget caps recorded in a review are applied to
    the roadmap when the review is finalised (``applied_at``); decisions
    taken in the portal are applied at once and have no review.
    """

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="decisions")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    initiative = models.ForeignKey(
        "strategy.Initiative", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Budget caps in the client's currency (blank: unchanged), as the roadmap's scenarios use them.
    capex_per_year = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    opex_per_year = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    capex_per_quarter = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    opex_per_quarter = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    note = models.TextField(
        blank=True, help_text="What was decided and why, in the client's words."
    )
    decision_maker = models.CharField(
        max_length=120, blank=True, help_text="Who at the client decided (e.g. the CEO's name)."
    )
    # The user who recorded it: the consultant in a review, the executive in the portal.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    # What applying did, in words ("“Replace firewall” is now approved").
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        if self.initiative_id:
            return f"{self.get_kind_display()}: {self.initiative}"
        return self.get_kind_display()

    def clean(self) -> None:
        if self.kind in DECISION_STATUS and not self.initiative_id:
            raise ValidationError({"initiative": "Choose the initiative this decision is about."})
        if self.initiative_id and self.initiative.client_id != self.client_id:
            raise ValidationError({"initiative": "This initiative belongs to another client."})
        if self.kind == DecisionKind.APPROVE and not self.decision_maker.strip():
            # The initiative shows who approved it: the person at the client who took
            # the decision, never the consultant who happened to record it.
            raise ValidationError(
                {
                    "decision_maker": f"Name who at {self.client.name} approved it, e.g. "
                    "“Victor Okafor (CFO)”: the initiative shows it."
                }
            )
        caps = [
            self.capex_per_year,
            self.opex_per_year,
            self.capex_per_quarter,
            self.opex_per_quarter,
        ]
        if self.kind == DecisionKind.BUDGET and all(c is None for c in caps):
            raise ValidationError("A budget decision needs at least one cap.")
        if self.kind == DecisionKind.NOTE and not self.note.strip():
            raise ValidationError({"note": "Say what was decided."})


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ActionItem(ClientScopedModel):
    """Something somebody promised to do; it stays on every review's agenda until done."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="action_items")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    title = models.CharField(max_length=200)
    owner = models.CharField(
        max_length=120, help_text="Who does it: a person at the client or in the practice."
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=6, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class ReviewReminder(ClientScopedModel):
    """A reminder sent for one due review, so the worker sends it once."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind", "due_on"], name="one_reminder_per_due_review"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder: {self.get_kind_display()} of {self.client} on {self.due_on}"
