"""Business services (a client's applications), their SLA and maintenance windows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vcio.core.scoping import ClientScopedModel, ScopedManager, ScopedRow


class Criticality(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    CRITICAL = 4, "Business critical"


class SlaHours(models.TextChoices):
    ALWAYS = "24x7", "Around the clock (24×7)"
    BUSINESS = "business", "Business hours (the client's time zone)"


def validate_weekdays(value: str) -> None:
    """Business days as ISO weekday digits, Monday 1 … Sunday 7 (e.g. "12345")."""
    if not value or any(c not in "1234567" for c in value) or len(set(value)) != len(value):
        raise ValidationError(
            "%(value)s is not a set of weekdays: use digits 1 (Monday) to 7 (Sunday), "
            'e.g. "12345".',
            params={"value": value},
        )


class BusinessService(ClientScopedModel):
    """An application the client's business depends on, with the availability it is promised."""

    client = models.ForeignKey(
        "core.Client", on_delete=models.CASCADE, related_name="business_services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner_department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    criticality = models.PositiveSmallIntegerField(
        choices=Criticality.choices, default=Criticality.MEDIUM
    )
    sla_target = models.DecimalField(
        "SLA target (%)",
        max_digits=6,
        decimal_places=3,
        default=Decimal("99.9"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    sla_hours = models.CharField(max_length=10, choices=SlaHours.choices, default=SlaHours.ALWAYS)
    business_days = models.CharField(
        max_length=7, default="12345", validators=[validate_weekdays], help_text="1 = Monday"
    )
    business_start = models.TimeField(default=datetime.time(8, 0))
    business_end = models.TimeField(default=datetime.time(18, 0))
    assets = models.ManyToManyField("assets.Asset", blank=True, related_name="business_services")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-criticality", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="one_service_name_per_client"),
            models.CheckConstraint(
                condition=models.Q(sla_target__gte=0) & models.Q(sla_target__lte=100),
                name="service_sla_target_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        dept = self.owner_department
        if dept is not None and dept.client_id != self.client_id:
            raise ValidationError(
                {"owner_department": "This department belongs to another client."}
            )
        if self.sla_hours == SlaHours.BUSINESS and self.business_end <= self.business_start:
            raise ValidationError(
                {"business_end": "Business hours must end after they start on the same day."}
            )


class Recurrence(models.TextChoices):
    NONE = "none", "Once"
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month (same day of the month)"


class MaintenanceWindow(ScopedRow):
    """Planned downtime, excluded from the SLA: once, or repeating until ``until``."""

    service = models.ForeignKey(
        BusinessService, on_delete=models.CASCADE, related_name="maintenance_windows"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(help_text="The first (or only) occurrence.")
    ends_at = models.DateTimeField()
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.NONE
    )
    until = models.DateField(null=True, blank=True, help_text="Last day a repeat may start.")

    scope_field = "service__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["service", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="window_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A maintenance window must end after it starts."})
