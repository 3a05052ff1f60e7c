"""Business goals of a client and the KPIs that measure them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from vcio.core.registry import figures
from vcio.core.scoping import ClientScopedModel, ScopedManager, ScopedRow
from vcio.strategy.models.common import same_client


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    CRITICAL = 4, "Critical"


# What a goal's priority multiplies an initiative's contribution by when scoring.
PRIORITY_WEIGHTS: dict[int, float] = {
    Priority.LOW: 0.25,
    Priority.MEDIUM: 0.5,
    Priority.HIGH: 0.75,
    Priority.CRITICAL: 1.0,
}


class GoalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    ABANDONED = "abandoned", "Abandoned"


class BusinessGoal(ClientScopedModel):
    """Something the client's business wants to achieve, agreed with its leaders."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        "core.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def priority_weight(self) -> float:
        return PRIORITY_WEIGHTS.get(self.priority, 0.5)

    def clean(self) -> None:
        same_client(self, "owner", self.client_id)
        same_client(self, "department", self.client_id)


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


def validate_figure_key(value: str) -> None:
    if value and value not in figures:
        known = ", ".join(sorted(f.key for f in figures)) or "none registered"
        raise ValidationError(
            "%(value)s is not a live figure (known: %(known)s).",
            params={"value": value, "known": known},
        )


class Kpi(ScopedRow):
    """A measure of a goal: entered by hand, or bound to a live client figure."""

    goal = models.ForeignKey(BusinessGoal, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=20, blank=True, help_text='e.g. "%", "days", money')
    baseline = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    figure_key = models.CharField(
        "live figure",
        max_length=100,
        blank=True,
        validators=[validate_figure_key],
        help_text="Blank: the value is entered by hand. Else the key of a figure an app "
        "publishes (e.g. assets.supported_os_pct), read every day.",
    )
    entered_value = models.DecimalField(
        "current value (entered)", max_digits=16, decimal_places=4, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_field = "goal__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["goal", "name", "id"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return self.name

    @property
    def is_bound(self) -> bool:
        return bool(self.figure_key)


class KpiValue(ScopedRow):
    """A KPI's value on one day: the history charted against the target."""

    class Source(models.TextChoices):
        ENTERED = "entered", "Entered"
        FIGURE = "figure", "Live figure"

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    at = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)

    scope_field = "kpi__goal__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["kpi", "at"]
        constraints = [models.UniqueConstraint(fields=["kpi", "at"], name="one_kpi_value_a_day")]

    def __str__(self) -> str:
        return f"{self.kpi} on {self.at}: {self.value}"
