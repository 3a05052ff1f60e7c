"""The practice's own business: what each client pays, what its people cost, where time goes.

Money here is in each client's currency (fees) and in the practice's
currency (``VCIO_PRACTICE_CURRENCY``: cost rates); a margin is only computed
where the two are the same, never by a guessed exchange rate.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vcio.core.scoping import ClientScopedModel


class FeeChange(ClientScopedModel):
    """A client's monthly fee from ``starts_on`` until the next change.

    The fee on a day is the latest change that started on or before it; a
    client with no change recorded pays ``Client.monthly_fee`` from its
    contract start. Recording a change that has started keeps
    ``Client.monthly_fee`` (the current fee other pages show) in step.
    """

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="fee_changes")
    monthly_fee = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    starts_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["client", "starts_on"], name="one_fee_change_a_day"),
            models.CheckConstraint(
                condition=models.Q(monthly_fee__gte=0), name="fee_change_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.monthly_fee} a month from {self.starts_on}"


class PersonRate(models.Model):
    """A practice person's cost per hour and the hours a month they can give clients.

    Practice-wide and commercial: only owners and admins see or change it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_rate"
    )
    cost_rate = models.DecimalField(
        "cost per hour",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    capacity_hours = models.DecimalField(
        "client hours a month",
        max_digits=6,
        decimal_places=1,
        default=Decimal("120"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("744"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user}: {self.cost_rate}/h"


class Activity(models.TextChoices):
    REVIEW = "review", "Review"
    ASSESSMENT = "assessment", "Assessment"
    PROJECT = "project", "Project"
    AD_HOC = "ad_hoc", "Ad hoc"


MAX_HOURS_A_DAY = Decimal("24")


class TimeEntry(ClientScopedModel):
    """Hours one practice person spent on one client on one day."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="time_entries")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_HOURS_A_DAY)],
    )
    activity = models.CharField(max_length=20, choices=Activity.choices, default=Activity.AD_HOC)
    note = models.CharField(max_length=300, blank=True)
    # A time tracker's own id of the entry: importing the same export twice adds nothing.
    external_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24),
                name="time_entry_hours_in_a_day",
            ),
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_time_entry_per_external_id",
            ),
        ]
        indexes = [models.Index(fields=["client", "date"]), models.Index(fields=["person", "date"])]

    def __str__(self) -> str:
        return f"{self.person} {self.date} {self.hours} h"


class Targets(models.Model):
    """The practice's targets a client's economics are flagged against (one row)."""

    margin_percent = models.DecimalField(
        "target margin (%)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("40"),
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
    )
    hourly_rate = models.DecimalField(
        "target effective hourly rate",
        max_digits=8,
        decimal_places=2,
        default=Decimal("150"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"margin ≥ {self.margin_percent} %, ≥ {self.hourly_rate}/h"

    @classmethod
    def current(cls) -> Targets:
        return cls.objects.order_by("pk").first() or cls()
